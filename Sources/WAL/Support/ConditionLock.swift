// ConditionLock: a pthread mutex with one condition variable, for threads that must sleep.
//
// Group commit needs exactly this: committers sleep until the flushed LSN passes theirs, and the
// flusher wakes them all with one broadcast. Synchronization.Mutex has no condition variable, and
// the commit path must not hop through actors, so this wraps pthreads. Timed waits use
// CLOCK_MONOTONIC so that a wall-clock jump neither shortens nor stretches them.
// The pthread objects live in heap memory of their own: they must never move.
// Public because Storage sleeps on the same kind of lock (a transaction's end, the checkpointer).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public final class ConditionLock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    public init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        #if canImport(Glibc)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        #endif
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        condition.deallocate()
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    public func lock() {
        pthread_mutex_lock(mutex)
    }

    public func unlock() {
        pthread_mutex_unlock(mutex)
    }

    public func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }

    /// Sleeps until broadcast (or a spurious wake-up: callers re-check their condition in a loop).
    /// The lock must be held; it is held again on return.
    public func wait() {
        pthread_cond_wait(condition, mutex)
    }

    /// Like wait(), but gives up at `deadline`. Returns false if the deadline has passed.
    public func wait(until deadline: Deadline) -> Bool {
        var time = deadline.time
        return pthread_cond_timedwait(condition, mutex, &time) != ETIMEDOUT
    }

    /// Like wait(), but for at most `timeout` (spurious wake-ups possible; re-check in a loop).
    public func wait(timeout: Duration) {
        _ = wait(until: .after(timeout))
    }

    public func broadcast() {
        pthread_cond_broadcast(condition)
    }

    /// A point in CLOCK_MONOTONIC time.
    public struct Deadline {
        var time: timespec

        private static let nanosecondsPerSecond = 1_000_000_000
        private static let attosecondsPerNanosecond: Int64 = 1_000_000_000
        /// Longer timeouts are cut to this (about 31 years), so that the arithmetic cannot overflow.
        private static let longestWaitSeconds: Int64 = 1_000_000_000

        /// Now plus `duration` (negative durations count as zero).
        public static func after(_ duration: Duration) -> Deadline {
            var now = timespec()
            clock_gettime(CLOCK_MONOTONIC, &now)
            let (seconds, attoseconds) = duration.components
            let wait = min(max(0, seconds), longestWaitSeconds)
            let nanoseconds = seconds < 0 ? 0 : max(0, Int(attoseconds / attosecondsPerNanosecond))
            var total = now.tv_nsec + nanoseconds
            var wholeSeconds = now.tv_sec + Int(clamping: wait)
            if total >= nanosecondsPerSecond {
                total -= nanosecondsPerSecond
                wholeSeconds += 1
            }
            return Deadline(time: timespec(tv_sec: wholeSeconds, tv_nsec: total))
        }
    }
}
