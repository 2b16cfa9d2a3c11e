// Storage: redo of one WAL record, dispatched by resource manager (PostgreSQL's rmgr redo routines).
//
// `apply` is the only place a record changes state during recovery; the loop that reads records
// (Recovery.swift) is separate, so a standby can later feed it records as they stream in.
// Every branch is idempotent: a record may be applied to state that already contains it (pages
// carry their LSN; creating an existing file, dropping a missing one and re-marking the commit log
// are harmless).
import WAL

final class Redo {
    let pool: BufferPool
    let files: RelationFiles
    let transactions: TransactionManager
    /// The OID counter as far as the WAL says (checkpoints and nextOID records).
    private(set) var nextOID: UInt32
    private(set) var recordsApplied = 0

    init(pool: BufferPool, files: RelationFiles, transactions: TransactionManager, nextOID: UInt32) {
        self.pool = pool
        self.files = files
        self.transactions = transactions
        self.nextOID = nextOID
    }

    func apply(_ record: WALRecord) throws {
        if record.xid.isNormal { transactions.advanceNextXid(pastOrTo: TransactionID(record.xid.value + 1)) }
        switch record.resourceManager {
        case .generic:
            try PageChangeRecord.redo(record, pool: pool)
        case .transaction:
            let ending = try TransactionRecord.decode(record.payload)
            switch record.info {
            case TransactionInfo.commit: transactions.redoCommit(record.xid, ending)
            case TransactionInfo.abort: transactions.redoAbort(record.xid, ending)
            default: throw unknown(record)
            }
        case .storage:
            var reader = ByteReader(record.payload)
            let rel = RelationID(try reader.u32())
            switch record.info {
            case StorageInfo.create:
                try files.create(rel)
            case StorageInfo.truncate:
                pool.discard(rel)
                if !files.exists(rel) { try files.create(rel) }
                try files.truncate(rel, toPages: 0)
            default: throw unknown(record)
            }
        case .xlog:
            switch record.info {
            case XLOGInfo.checkpointOnline, XLOGInfo.checkpointShutdown:
                let checkpoint = try CheckpointRecord.decode(record.payload)
                transactions.advanceNextXid(pastOrTo: checkpoint.nextXid)
                nextOID = max(nextOID, checkpoint.nextOID)
            case XLOGInfo.nextXID:
                var reader = ByteReader(record.payload)
                transactions.advanceNextXid(pastOrTo: TransactionID(try reader.u32()))
            case XLOGInfo.nextOID:
                var reader = ByteReader(record.payload)
                nextOID = max(nextOID, try reader.u32())
            default: throw unknown(record)
            }
        default:
            throw unknown(record)
        }
        recordsApplied += 1
    }

    private func unknown(_ record: WALRecord) -> StorageError {
        StorageError(.invalidState, "unknown WAL record at \(record.lsn): resource manager \(record.resourceManager), info \(record.info)")
    }
}
