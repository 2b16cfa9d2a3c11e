// The HA agent's sense of time. Deadlines that protect data — "stop accepting writes before my leader
// lease can expire for anyone else" — are measured on a monotonic clock, never the wall clock, which NTP
// may step. Unit tests drive the HA loop and the in-memory DCS with `ManualClock` instead of sleeping.
import Foundation

public protocol MonotonicClock: Sendable {
    /// Time since an arbitrary fixed origin; never goes backwards.
    func now() -> Duration
    func sleep(for duration: Duration) async throws
}

/// The real clock: CLOCK_MONOTONIC through Swift's ContinuousClock.
public struct SystemMonotonicClock: MonotonicClock {
    private let origin = ContinuousClock.now
    public init() {}
    public func now() -> Duration { ContinuousClock.now - origin }
    public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}

/// A clock that moves only when told to. `sleep` returns once `advance` has moved past its deadline.
public final class ManualClock: MonotonicClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Duration = .zero
    private var sleepers: [(deadline: Duration, continuation: CheckedContinuation<Void, Never>)] = []

    public init() {}

    public func now() -> Duration { lock.withLock { current } }

    public func advance(by duration: Duration) {
        let due: [CheckedContinuation<Void, Never>] = lock.withLock {
            current += duration
            let ready = sleepers.filter { $0.deadline <= current }.map(\.continuation)
            sleepers.removeAll { $0.deadline <= current }
            return ready
        }
        for continuation in due { continuation.resume() }
    }

    public func sleep(for duration: Duration) async throws {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow: Bool = lock.withLock {
                let deadline = current + duration
                if deadline <= current { return true }
                sleepers.append((deadline, continuation))
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }
}
