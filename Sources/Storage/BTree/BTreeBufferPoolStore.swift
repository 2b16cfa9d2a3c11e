// The B-tree's page store in a running engine: the shared buffer pool and logChanges.
// StorageEngine builds indexes with BTreeIndex(id:pool:log:), which also finds the index's tree lock.
import WAL

final class BTreeBufferPoolStore: BTreePageStore, @unchecked Sendable {
    private let pool: BufferPool
    private let log: PageChangeLogger

    init(pool: BufferPool, log: PageChangeLogger) {
        self.pool = pool
        self.log = log
    }

    func readPage(_ relation: RelationID, _ page: PageNumber, _ mode: LockMode) throws -> PageGuard {
        try pool.read(relation, page, mode)
    }
    func extendRelation(_ relation: RelationID) throws -> PageGuard { try pool.extend(relation) }
    func pageCount(of relation: RelationID) throws -> Int { try pool.pageCount(relation) }
    func logPageChanges(_ pages: [PageGuard], xid: TransactionID, conflictHorizon: TransactionID,
                        _ mutate: () throws -> Void) throws {
        _ = try log.logChanges(to: pages, xid: xid, conflictHorizon: conflictHorizon, mutate)
    }
}

extension BTreeIndex {
    /// The index `id` of a running engine.
    convenience init(id: RelationID, pool: BufferPool, log: PageChangeLogger) {
        self.init(id: id, store: BTreeBufferPoolStore(pool: pool, log: log),
                  treeLock: BTreeTreeLocks.lock(directory: pool.files.directory, relation: id))
    }
}
