// Storage: PThreadMutex — a mutex guarding a value, with Synchronization.Mutex's withLock API,
// built on a plain pthread mutex.
//
// Why not Synchronization.Mutex: on Linux (Swift 6.3) its contended path spins about a thousand
// `pause` instructions and then takes a priority-inheritance futex, which hands the lock over
// fairly. On this project's 2-CPU machines, with a dozen server threads taking the buffer pool's
// and the commit log's locks for a few hundred nanoseconds each, that spinning burned a third of
// all CPU time under pgbench -S (profiled with perf). glibc's mutex sleeps in the kernel right
// after a failed compare-and-swap, which costs far less when threads outnumber CPUs.
//
// The pthread object and the value live in heap memory of their own: they never move.
#if canImport(Glibc)
import Glibc
#endif

public final class PThreadMutex<Value>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let value: UnsafeMutablePointer<Value>

    public init(_ initialValue: Value) {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        value = .allocate(capacity: 1)
        value.initialize(to: initialValue)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        value.deinitialize(count: 1)
        value.deallocate()
    }

    /// Runs `body` with exclusive access to the value.
    public func withLock<Result, E: Error>(_ body: (inout Value) throws(E) -> Result) throws(E) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value.pointee)
    }
}
