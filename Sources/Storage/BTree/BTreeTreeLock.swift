// The per-index reader/writer lock (see BTreeIndex.swift): scans share it, inserts and deletes
// hold it exclusively.
//
// Writer-preferring (glibc's PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP): once a writer waits, new
// readers queue behind it, so a steady stream of scans cannot starve inserts. The price is that a
// thread must never take it shared twice (it would wait behind a queued writer that waits for it);
// the B-tree code takes it once per operation and never calls back out while holding it.
//
// BTreeTreeLocks hands out one lock per (relation files directory, relation), so every BTreeIndex
// object of an index — even from two engine objects opened on the same data directory — shares
// it. The table only grows, by one small lock per index ever opened in the process.
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

final class BTreeTreeLock: @unchecked Sendable {
    private let lock: UnsafeMutablePointer<pthread_rwlock_t>

    init() {
        lock = .allocate(capacity: 1)
        lock.initialize(to: pthread_rwlock_t())
        var attributes = pthread_rwlockattr_t()
        pthread_rwlockattr_init(&attributes)
        #if canImport(Glibc)
        pthread_rwlockattr_setkind_np(&attributes, Int32(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP))
        #endif
        pthread_rwlock_init(lock, &attributes)
        pthread_rwlockattr_destroy(&attributes)
    }

    deinit {
        pthread_rwlock_destroy(lock)
        lock.deallocate()
    }

    func lock(_ mode: LockMode) {
        switch mode {
        case .shared: pthread_rwlock_rdlock(lock)
        case .exclusive: pthread_rwlock_wrlock(lock)
        }
    }

    func unlock() { pthread_rwlock_unlock(lock) }
}

enum BTreeTreeLocks {
    private struct Key: Hashable { var directory: String; var relation: RelationID }
    private static let table = Mutex<[Key: BTreeTreeLock]>([:])

    static func lock(directory: String, relation: RelationID) -> BTreeTreeLock {
        table.withLock { locks in
            let key = Key(directory: directory, relation: relation)
            if let lock = locks[key] { return lock }
            let lock = BTreeTreeLock()
            locks[key] = lock
            return lock
        }
    }
}
