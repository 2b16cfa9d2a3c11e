// Storage: the checkpoint WAL record (PostgreSQL's CheckPoint struct), and why checkpoints happen.
//
//   redo LSN u64 | timeline u32 | next xid u32 | next OID u32 | time i64 (seconds since 1970)
//
// Redo starts at `redo`: every page change before it is on disk in the relation files, and the
// commit log on disk covers every commit before it.
import WAL

public enum CheckpointReason: String, Sendable {
    case manual          // CHECKPOINT
    case timed           // checkpoint_timeout
    case walSize         // max_wal_size
    case shutdown
    case endOfRecovery = "end-of-recovery"
}

struct CheckpointRecord {
    var redo: LSN
    var timeline: TimelineID
    var nextXid: TransactionID
    var nextOID: UInt32
    var time: Int64

    func encode() -> [UInt8] {
        var writer = ByteWriter()
        writer.u64(redo.value)
        writer.u32(timeline.value)
        writer.u32(nextXid.value)
        writer.u32(nextOID)
        writer.u64(UInt64(bitPattern: time))
        return writer.bytes
    }

    static func decode(_ payload: [UInt8]) throws -> CheckpointRecord {
        var reader = ByteReader(payload)
        return CheckpointRecord(redo: LSN(try reader.u64()), timeline: TimelineID(try reader.u32()),
                                nextXid: TransactionID(try reader.u32()), nextOID: try reader.u32(),
                                time: Int64(bitPattern: try reader.u64()))
    }
}
