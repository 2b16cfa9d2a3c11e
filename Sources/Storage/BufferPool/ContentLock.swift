// Storage: a buffer's content lock (PostgreSQL's BufferDesc.content_lock): shared for readers,
// exclusive for whoever changes the page. A pthread rwlock because holders sleep on it.
#if canImport(Glibc)
import Glibc
#endif

/// Shared or exclusive access to a page's bytes.
enum LockMode: Sendable { case shared, exclusive }

final class ContentLock: @unchecked Sendable {
    private let lock: UnsafeMutablePointer<pthread_rwlock_t>

    /// `preferWriters`: a waiting exclusive locker stops new shared lockers (glibc's default lets
    /// a stream of readers starve it). Then a thread must never take the lock shared twice.
    init(preferWriters: Bool = false) {
        lock = .allocate(capacity: 1)
        lock.initialize(to: pthread_rwlock_t())
        var attributes = pthread_rwlockattr_t()
        pthread_rwlockattr_init(&attributes)
        if preferWriters {
            pthread_rwlockattr_setkind_np(&attributes, Int32(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP))
        }
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
    /// Exclusive without waiting; false if anyone holds it.
    func tryLockExclusive() -> Bool { pthread_rwlock_trywrlock(lock) == 0 }
    /// Shared without waiting; false if someone holds or awaits it exclusively.
    func tryLockShared() -> Bool { pthread_rwlock_tryrdlock(lock) == 0 }
    func unlock() { pthread_rwlock_unlock(lock) }
}
