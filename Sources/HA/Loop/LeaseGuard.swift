// The fence that makes two writable primaries impossible (DESIGN.md invariant 5). It runs as its own task,
// independent of the HA loop, so a loop stuck in a DCS call that hangs cannot keep a primary writable past
// its lease.
//
// The deadline: the leader key lives on this node's etcd lease, which etcd expires `ttl` after it processed
// the last keep-alive. That processing happened after the request was sent, so
//
//     deadline = (monotonic time taken BEFORE sending the last successful renewal) + ttl − safety margin
//
// is always before the moment the lease can expire for anyone else. The margin covers what happens between
// our decision and the server actually refusing commits (scheduling delay of this task on a busy machine,
// delivering the kill) and any clock-rate difference with etcd; the new leader's own work (its watch fires,
// it races, promotes) only adds to it.
//
// Invariants: the deadline follows the newest renewal (an older one arriving late is ignored; a lowered
// ttl brings it closer, since the key then lives on the shorter lease); once it
// passes without a newer renewal, `fence` (stop the server immediately) runs exactly once for it; a
// disarmed guard (this node is not primary) never fences.
import Logging
import Synchronization

public final class LeaseGuard: Sendable {
    private struct State {
        var deadline: Duration?
        var lastRenewalStart: Duration?
        var waiter: CheckedContinuation<Void, Never>?
        var fenceCount = 0
    }

    private let state = Mutex(State())
    private let clock: any MonotonicClock
    private let fence: @Sendable () async -> Void
    private let logger: Logger

    public init(clock: any MonotonicClock, logger: Logger, fence: @escaping @Sendable () async -> Void) {
        self.clock = clock
        self.logger = logger
        self.fence = fence
    }

    /// min(1 s, ttl / 4): generous next to a SIGKILL's few milliseconds, small next to any ttl allowed.
    public static func safetyMargin(ttl: Duration) -> Duration { min(.seconds(1), ttl / 4) }

    /// A renewal of the lease that holds the leader key succeeded; `start` is when its request was sent.
    public func renewed(at start: Duration, ttl: Duration) {
        let deadline = start + ttl - Self.safetyMargin(ttl: ttl)
        let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
            if let last = state.lastRenewalStart, start < last, state.deadline != nil { return nil }
            state.lastRenewalStart = start
            state.deadline = deadline          // a shorter ttl shortens it: the key now lives on that lease
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// This node no longer holds the lock (released, lost, or demoted): nothing to fence.
    public func disarm() {
        state.withLock { $0.deadline = nil }
    }

    /// When writes must have stopped, if armed.
    public var deadline: Duration? { state.withLock { $0.deadline } }

    /// How many times the guard fenced the server (for status and tests).
    public var fenceCount: Int { state.withLock { $0.fenceCount } }

    /// The guard's task body; runs until cancelled.
    public func run() async {
        while !Task.isCancelled {
            guard let deadline = self.deadline else {
                await waitUntilArmed()
                continue
            }
            let now = clock.now()
            if now < deadline {
                try? await clock.sleep(for: deadline - now)
                continue
            }
            let fire: Bool = state.withLock { state in
                guard state.deadline == deadline else { return false }   // renewed or disarmed meanwhile
                state.deadline = nil
                state.fenceCount += 1
                return true
            }
            if fire {
                logger.critical("""
                    lease deadline passed without a successful renewal of the leader lock: stopping postgres \
                    immediately so it cannot accept writes once the lock can expire
                    """)
                await fence()
            }
        }
    }

    private func waitUntilArmed() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow: Bool = state.withLock { state in
                    if state.deadline != nil || Task.isCancelled { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}
