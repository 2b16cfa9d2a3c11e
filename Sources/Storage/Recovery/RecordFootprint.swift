// Storage: what one WAL record touches in the data directory — the pages it changes, the relation
// files it creates, truncates or drops, and, for a checkpoint record, its redo point. This is
// PostgreSQL's block-reference view of a record (XLogRecGetBlockTag) that pg_rewind's
// extractPageMap walks; here it serves `minipg rewind` (Replication/Rewind), which scans a
// diverged former primary's WAL to learn what it changed after the fork, without knowing any
// record's payload format itself.
//
// Only records Storage writes are understood; anything else is an error naming the record, so a
// scan never silently misses a change.
import WAL

public struct RecordFootprint: Sendable, Equatable {
    /// Pages whose contents the record changes (generic page-change records).
    public var pages: [RelationPage] = []
    /// Relation files the record replaces wholesale: created or truncated.
    public var rewrittenRelations: [RelationID] = []
    /// Relation files whose drop the record commits or aborts away.
    public var droppedRelations: [RelationID] = []
    /// For a checkpoint record: where redo from that checkpoint starts.
    public var checkpointRedo: LSN?

    public struct RelationPage: Sendable, Hashable {
        public var relation: RelationID
        public var page: PageNumber

        public init(relation: RelationID, page: PageNumber) {
            self.relation = relation
            self.page = page
        }
    }

    public init() {}

    /// The footprint of `record`; throws for a record Storage does not know or cannot decode.
    public init(of record: WALRecord) throws {
        switch record.resourceManager {
        case .generic:
            let changes = record.info == GenericInfo.pageChangesRemovingVersions
                ? Array(record.payload.dropFirst(4)) : record.payload
            pages = try PageChangeRecord.decode(changes).map { RelationPage(relation: $0.relation, page: $0.page) }
        case .storage:
            var reader = ByteReader(record.payload)
            rewrittenRelations = [RelationID(try reader.u32())]
        case .transaction:
            droppedRelations = try TransactionRecord.decode(record.payload).drops
        case .xlog:
            if record.info == XLOGInfo.checkpointOnline || record.info == XLOGInfo.checkpointShutdown {
                checkpointRedo = try CheckpointRecord.decode(record.payload).redo
            }
        default:
            throw StorageError(.invalidState, "unknown WAL record at \(record.lsn): resource manager \(record.resourceManager), info \(record.info)")
        }
    }

    /// Is this a checkpoint record (shutdown or online)?
    public var isCheckpoint: Bool { checkpointRedo != nil }
}

extension StorageEngine {
    /// The relation file of `relation` under a data directory, relative to it (base/1/<id>).
    public static func relationFilePath(_ relation: RelationID) -> String {
        "base/\(databaseOID)/\(relation.value)"
    }
}
