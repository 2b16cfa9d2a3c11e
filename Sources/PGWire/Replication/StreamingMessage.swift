// StreamingMessage: the messages carried inside CopyData once START_REPLICATION has switched the
// connection to CopyBoth. Both sides use it: the WAL sender (server) and the WAL receiver (client).
// The first byte of the CopyData payload says which message it is; integers are big-endian:
//
//   server → client
//     XLogData          'w'  Int64 dataStart  Int64 walEnd  Int64 sendTime  Byte×n WAL     (25-byte header)
//     PrimaryKeepalive  'k'  Int64 walEnd  Int64 sendTime  Byte1 replyRequested          (18 bytes)
//   client → server
//     StandbyStatus     'r'  Int64 written  Int64 flushed  Int64 applied  Int64 clientTime  Byte1 replyRequested (34)
//     HotStandbyFeedback'h'  Int64 clientTime  Int32 xmin  Int32 xminEpoch  Int32 catalogXmin  Int32 catalogXminEpoch (25)
//
// LSNs are plain UInt64 here (PGWire does not know the WAL module); each position is "last byte + 1".
// Times are PostgreSQL's TimestampTz: microseconds since 2000-01-01 00:00 UTC (WAL.PostgresTimestamp).

public enum StreamingMessage: Sendable, Equatable {
    case xLogData(dataStart: UInt64, walEnd: UInt64, sendTime: Int64, wal: [UInt8])
    case primaryKeepalive(walEnd: UInt64, sendTime: Int64, replyRequested: Bool)
    case standbyStatusUpdate(StandbyStatus)
    case hotStandbyFeedback(HotStandbyFeedback)

    enum Kind {
        static let xLogData = UInt8(ascii: "w")
        static let primaryKeepalive = UInt8(ascii: "k")
        static let standbyStatusUpdate = UInt8(ascii: "r")
        static let hotStandbyFeedback = UInt8(ascii: "h")
    }

    /// Bytes before the WAL in an XLogData message.
    public static let xLogDataHeaderSize = 25

    /// The CopyData payload.
    public func encode() -> [UInt8] {
        var bytes: [UInt8] = []
        switch self {
        case .xLogData(let dataStart, let walEnd, let sendTime, let wal):
            bytes.reserveCapacity(Self.xLogDataHeaderSize + wal.count)
            bytes.append(Kind.xLogData)
            append(dataStart, to: &bytes)
            append(walEnd, to: &bytes)
            append(UInt64(bitPattern: sendTime), to: &bytes)
            bytes.append(contentsOf: wal)
        case .primaryKeepalive(let walEnd, let sendTime, let replyRequested):
            bytes.append(Kind.primaryKeepalive)
            append(walEnd, to: &bytes)
            append(UInt64(bitPattern: sendTime), to: &bytes)
            bytes.append(replyRequested ? 1 : 0)
        case .standbyStatusUpdate(let status):
            bytes.append(Kind.standbyStatusUpdate)
            append(status.written, to: &bytes)
            append(status.flushed, to: &bytes)
            append(status.applied, to: &bytes)
            append(UInt64(bitPattern: status.clientTime), to: &bytes)
            bytes.append(status.replyRequested ? 1 : 0)
        case .hotStandbyFeedback(let feedback):
            bytes.append(Kind.hotStandbyFeedback)
            append(UInt64(bitPattern: feedback.clientTime), to: &bytes)
            for value in [feedback.xmin, feedback.xminEpoch, feedback.catalogXmin, feedback.catalogXminEpoch] {
                for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
            }
        }
        return bytes
    }

    /// Decodes a CopyData payload; anything malformed (unknown kind, wrong length) is 08P01.
    public static func decode(_ bytes: [UInt8]) throws(PGError) -> StreamingMessage {
        var reader = Reader(bytes: bytes)
        let kind = try reader.byte()
        let message: StreamingMessage
        switch kind {
        case Kind.xLogData:
            let start = try reader.uint64(), end = try reader.uint64(), time = Int64(bitPattern: try reader.uint64())
            message = .xLogData(dataStart: start, walEnd: end, sendTime: time, wal: reader.rest())
        case Kind.primaryKeepalive:
            let end = try reader.uint64(), time = Int64(bitPattern: try reader.uint64())
            message = .primaryKeepalive(walEnd: end, sendTime: time, replyRequested: try reader.byte() != 0)
        case Kind.standbyStatusUpdate:
            let written = try reader.uint64(), flushed = try reader.uint64(), applied = try reader.uint64()
            let time = Int64(bitPattern: try reader.uint64())
            message = .standbyStatusUpdate(StandbyStatus(written: written, flushed: flushed, applied: applied,
                                                         clientTime: time, replyRequested: try reader.byte() != 0))
        case Kind.hotStandbyFeedback:
            let time = Int64(bitPattern: try reader.uint64())
            let xmin = try reader.uint32(), xminEpoch = try reader.uint32()
            let catalogXmin = try reader.uint32(), catalogXminEpoch = try reader.uint32()
            message = .hotStandbyFeedback(HotStandbyFeedback(clientTime: time, xmin: xmin, xminEpoch: xminEpoch,
                                                             catalogXmin: catalogXmin, catalogXminEpoch: catalogXminEpoch))
        default:
            throw PGError.protocolViolation("unexpected message type \"\(Character(Unicode.Scalar(kind)))\" in replication stream")
        }
        guard reader.isAtEnd else { throw PGError.protocolViolation("invalid replication message length") }
        return message
    }

    private func append(_ value: UInt64, to bytes: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    private struct Reader {
        let bytes: [UInt8]
        var offset = 0
        var isAtEnd: Bool { offset == bytes.count }

        mutating func byte() throws(PGError) -> UInt8 {
            guard offset < bytes.count else { throw PGError.protocolViolation("invalid replication message length") }
            defer { offset += 1 }
            return bytes[offset]
        }
        mutating func uint64() throws(PGError) -> UInt64 {
            var value: UInt64 = 0
            for _ in 0..<8 { value = value << 8 | UInt64(try byte()) }
            return value
        }
        mutating func uint32() throws(PGError) -> UInt32 {
            var value: UInt32 = 0
            for _ in 0..<4 { value = value << 8 | UInt32(try byte()) }
            return value
        }
        mutating func rest() -> [UInt8] {
            defer { offset = bytes.count }
            return Array(bytes[offset...])
        }
    }
}

/// 'r': what the standby has written, flushed and applied (each "last byte + 1"; 0 = unknown).
public struct StandbyStatus: Sendable, Equatable {
    public var written: UInt64
    public var flushed: UInt64
    public var applied: UInt64
    public var clientTime: Int64
    /// The standby asks for an immediate keepalive (a ping).
    public var replyRequested: Bool

    public init(written: UInt64, flushed: UInt64, applied: UInt64, clientTime: Int64, replyRequested: Bool) {
        self.written = written
        self.flushed = flushed
        self.applied = applied
        self.clientTime = clientTime
        self.replyRequested = replyRequested
    }
}

/// 'h': the oldest xmin of the standby's queries, so the primary keeps the row versions they see.
/// xmin = catalogXmin = 0 means feedback is off on this connection.
public struct HotStandbyFeedback: Sendable, Equatable {
    public var clientTime: Int64
    public var xmin: UInt32
    public var xminEpoch: UInt32
    public var catalogXmin: UInt32
    public var catalogXminEpoch: UInt32

    public init(clientTime: Int64, xmin: UInt32, xminEpoch: UInt32, catalogXmin: UInt32, catalogXminEpoch: UInt32) {
        self.clientTime = clientTime
        self.xmin = xmin
        self.xminEpoch = xminEpoch
        self.catalogXmin = catalogXmin
        self.catalogXminEpoch = catalogXminEpoch
    }
}
