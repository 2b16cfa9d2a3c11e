// SlotStateFile: the on-disk state of one persistent physical replication slot,
// pg_replslot/<name>/state, as PostgreSQL keeps it (its own layout, PostgreSQL's idea):
//
//   offset  size  field
//        0     4  magic 0x1051CA1 (PostgreSQL's SLOT_MAGIC)
//        4     4  CRC32C of bytes 8 ..< 96
//        8     4  version (1)
//       12     4  length of what follows (84)
//       16    64  slot name, UTF-8, NUL-padded (NAMEDATALEN)
//       80     8  restart_lsn (0 = no WAL reserved)
//       88     4  timeline of restart_lsn
//       92     4  xmin from hot standby feedback (0 = none)
//   All integers little-endian. 96 bytes.
//
// Written to `state.tmp`, fsynced, renamed over `state`, directory fsynced: a crash leaves the old
// or the new state, never half of one. A file whose magic, version, length or CRC is wrong is an
// error that names it (never silently used).

#if canImport(Glibc)
import Glibc
#endif
import PGWire
import WAL

struct SlotStateFile: Equatable {
    static let magic: UInt32 = 0x1051CA1
    static let version: UInt32 = 1
    static let size = 96
    static let nameBytes = 64

    var name: String
    var restartLSN: LSN
    var restartTimeline: TimelineID
    var xmin: UInt32

    func encode() -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: Self.size)
        put(Self.magic, at: 0, in: &bytes)
        put(Self.version, at: 8, in: &bytes)
        put(UInt32(Self.size - 16), at: 12, in: &bytes)
        for (index, byte) in name.utf8.prefix(Self.nameBytes - 1).enumerated() { bytes[16 + index] = byte }
        put(UInt32(truncatingIfNeeded: restartLSN.value), at: 80, in: &bytes)
        put(UInt32(truncatingIfNeeded: restartLSN.value >> 32), at: 84, in: &bytes)
        put(restartTimeline.value, at: 88, in: &bytes)
        put(xmin, at: 92, in: &bytes)
        put(CRC32C.checksum(Array(bytes[8...])), at: 4, in: &bytes)
        return bytes
    }

    static func decode(_ bytes: [UInt8], path: String) throws(PGError) -> SlotStateFile {
        func corrupt(_ what: String) -> PGError {
            PGError(sqlState: "XX001", message: "replication slot file \"\(path)\" \(what)")
        }
        guard bytes.count == size else { throw corrupt("has wrong size \(bytes.count), expected \(size)") }
        guard get(0, bytes) == magic else { throw corrupt("has wrong magic number: \(get(0, bytes)) instead of \(magic)") }
        guard get(8, bytes) == version else { throw corrupt("has unsupported version \(get(8, bytes))") }
        guard get(12, bytes) == UInt32(size - 16) else { throw corrupt("has corrupted length \(get(12, bytes))") }
        let stored = get(4, bytes), computed = CRC32C.checksum(Array(bytes[8...]))
        guard stored == computed else {
            throw corrupt("checksum mismatch: is \(computed), should be \(stored)")
        }
        let nameField = bytes[16..<16 + nameBytes]
        let name = String(decoding: nameField.prefix { $0 != 0 }, as: UTF8.self)
        let lsn = LSN(UInt64(get(84, bytes)) << 32 | UInt64(get(80, bytes)))
        return SlotStateFile(name: name, restartLSN: lsn, restartTimeline: TimelineID(get(88, bytes)), xmin: get(92, bytes))
    }

    private func put(_ value: UInt32, at offset: Int, in bytes: inout [UInt8]) {
        for index in 0..<4 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> UInt32(8 * index)) }
    }

    private static func get(_ offset: Int, _ bytes: [UInt8]) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << UInt32(8 * $1) }
    }
}
