// Storage: the control file global/pg_control (PostgreSQL's ControlFileData): where recovery starts.
//
//  0        4         8                  16      20         24              32         40        44        48          56       60
//  +--------+---------+------------------+-------+----------+---------------+----------+---------+---------+-----------+--------+----- ... 8192
//  | magic  | version | system identifier| state | timeline | checkpoint LSN| redo LSN | next xid| next OID| time (s)  | CRC32C | zeros
//  | u32    | u32     | u64              | u32   | u32      | u64           | u64      | u32     | u32     | i64       | u32    |
//  +--------+---------+------------------+-------+----------+---------------+----------+---------+---------+-----------+--------+----- ...
//
// CRC32C covers bytes 0..<56. The file is one 8 KiB block (PostgreSQL's PG_CONTROL_FILE_SIZE) and is
// replaced atomically: written to global/pg_control.tmp, fsynced, renamed over pg_control, and the
// directory fsynced — a crash leaves either the old or the new file, never a mix.
#if canImport(Glibc)
import Glibc
#endif
import WAL

/// The cluster state PostgreSQL's pg_controldata prints.
public enum ClusterState: UInt32, Sendable, CustomStringConvertible {
    case startingUp = 0
    case shutDown = 1
    case shutDownInRecovery = 2
    case shuttingDown = 3
    case inCrashRecovery = 4
    case inArchiveRecovery = 5
    case inProduction = 6

    public var description: String {
        switch self {
        case .startingUp: "starting up"
        case .shutDown: "shut down"
        case .shutDownInRecovery: "shut down in recovery"
        case .shuttingDown: "shutting down"
        case .inCrashRecovery: "in crash recovery"
        case .inArchiveRecovery: "in archive recovery"
        case .inProduction: "in production"
        }
    }
}

public struct ControlFileData: Sendable {
    public var systemIdentifier: UInt64
    public var state: ClusterState
    public var timeline: TimelineID
    /// Where the last checkpoint record starts.
    public var checkpointLSN: LSN
    /// Where redo starts: the WAL insert position when that checkpoint began.
    public var redoLSN: LSN
    public var nextXid: TransactionID
    public var nextOID: UInt32
    /// When the control file was last written (seconds since 1970).
    public var time: Int64
}

enum ControlFile {
    static let magic: UInt32 = 0x4D50_4743        // "MPGC"
    static let version: UInt32 = 1
    static let fileSize = 8192
    static let crcOffset = 56

    static func path(dataDirectory: String) -> String { dataDirectory + "/global/pg_control" }

    static func encode(_ data: ControlFileData) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: fileSize)
        bytes.withUnsafeMutableBytes { b in
            b.setU32(magic, at: 0)
            b.setU32(version, at: 4)
            b.setU64(data.systemIdentifier, at: 8)
            b.setU32(data.state.rawValue, at: 16)
            b.setU32(data.timeline.value, at: 20)
            b.setU64(data.checkpointLSN.value, at: 24)
            b.setU64(data.redoLSN.value, at: 32)
            b.setU32(data.nextXid.value, at: 40)
            b.setU32(data.nextOID, at: 44)
            b.setU64(UInt64(bitPattern: data.time), at: 48)
            b.setU32(CRC32C.checksum(UnsafeRawBufferPointer(rebasing: b[0..<crcOffset])), at: crcOffset)
        }
        return bytes
    }

    static func decode(_ bytes: [UInt8], path: String) throws -> ControlFileData {
        try bytes.withUnsafeBytes { b in
            guard b.count >= crcOffset + 4, b.u32(at: 0) == magic else {
                throw StorageError(.invalidState, "\"\(path)\" is not a minipg control file")
            }
            guard b.u32(at: 4) == version else {
                throw StorageError(.invalidState, "control file \"\(path)\" has version \(b.u32(at: 4)), expected \(version)")
            }
            guard CRC32C.checksum(UnsafeRawBufferPointer(rebasing: b[0..<crcOffset])) == b.u32(at: crcOffset) else {
                throw StorageError(.invalidState, "incorrect checksum in control file \"\(path)\"")
            }
            guard let state = ClusterState(rawValue: b.u32(at: 16)) else {
                throw StorageError(.invalidState, "invalid cluster state in control file \"\(path)\"")
            }
            return ControlFileData(systemIdentifier: b.u64(at: 8), state: state, timeline: TimelineID(b.u32(at: 20)),
                                   checkpointLSN: LSN(b.u64(at: 24)), redoLSN: LSN(b.u64(at: 32)),
                                   nextXid: TransactionID(b.u32(at: 40)), nextOID: b.u32(at: 44),
                                   time: Int64(bitPattern: b.u64(at: 48)))
        }
    }

    static func read(dataDirectory: String) throws -> ControlFileData {
        let path = path(dataDirectory: dataDirectory)
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw StorageError.io("open control", path: path, errno: errno) }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: fileSize)
        let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, fileSize) }
        guard n == fileSize else { throw StorageError.io("read control", path: path, errno: n < 0 ? errno : EIO) }
        return try decode(bytes, path: path)
    }

    /// Replaces the control file atomically.
    static func write(_ data: ControlFileData, dataDirectory: String) throws {
        let path = path(dataDirectory: dataDirectory)
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw StorageError.io("create", path: temporary, errno: errno) }
        let bytes = encode(data)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, fileSize) }
        guard written == fileSize, fsync(fd) == 0 else {
            let code = errno
            close(fd)
            throw StorageError.io("write", path: temporary, errno: code)
        }
        close(fd)
        guard rename(temporary, path) == 0 else { throw StorageError.io("rename", path: temporary, errno: errno) }
        try syncDirectory(dataDirectory + "/global")
    }
}
