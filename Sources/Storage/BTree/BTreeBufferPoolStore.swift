// The B-tree's page store in a running engine: the shared buffer pool and logChanges; and the
// table of tree locks, so that every BTreeIndex object of one index shares one lock.
//
// StorageEngine builds indexes with BTreeIndex(id:pool:log:). The tree lock is looked up by
// (relation files directory, relation), so two objects for the same index — even from two engine
// objects opened on the same data directory — serialise their writers. The table only grows, by
// one small lock per index ever opened in the process.
import Synchronization
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
    func logPageChanges(_ pages: [PageGuard], xid: TransactionID, _ mutate: () throws -> Void) throws {
        _ = try log.logChanges(to: pages, xid: xid, mutate)
    }
}

enum BTreeTreeLocks {
    private struct Key: Hashable { var directory: String; var relation: RelationID }
    private static let table = Mutex<[Key: ContentLock]>([:])

    static func lock(directory: String, relation: RelationID) -> ContentLock {
        table.withLock { locks in
            let key = Key(directory: directory, relation: relation)
            if let lock = locks[key] { return lock }
            let lock = ContentLock()
            locks[key] = lock
            return lock
        }
    }
}

extension BTreeIndex {
    /// The index `id` of a running engine.
    convenience init(id: RelationID, pool: BufferPool, log: PageChangeLogger) {
        self.init(id: id, store: BTreeBufferPoolStore(pool: pool, log: log),
                  treeLock: BTreeTreeLocks.lock(directory: pool.files.directory, relation: id))
    }
}
