// Storage: a buffer's content lock (PostgreSQL's BufferDesc.content_lock): shared for readers,
// exclusive for whoever changes the page. A pthread rwlock because holders sleep on it.
#if canImport(Glibc)
import Glibc
#endif

/// Shared or exclusive access to a page's bytes.
enum LockMode: Sendable { case shared, exclusive }

final class ContentLock: @unchecked Sendable {
    private let lock: UnsafeMutablePointer<pthread_rwlock_t>

    init() {
        lock = .allocate(capacity: 1)
        lock.initialize(to: pthread_rwlock_t())
        pthread_rwlock_init(lock, nil)
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
    /// Exclusive without waiting; false if anyone holds it.
    func tryLockExclusive() -> Bool { pthread_rwlock_trywrlock(lock) == 0 }
    func unlock() { pthread_rwlock_unlock(lock) }
}
