// The HA loop's nap between cycles: it ends after loop_wait, or earlier when something worth reacting to
// happens — a DCS change seen by the watch (the leader key vanished: race now, not up to loop_wait later),
// or a request through the REST API (config changed, switchover asked).
//
// Invariant: a signal that arrives while a cycle is running is not lost: the next nap returns at once.
// A nap's timer that fires after its nap already ended is ignored.
import Synchronization

public enum WakeReason: Sendable, Equatable, CustomStringConvertible {
    case loopWait
    case dcsChange(key: String)
    case requested(String)

    public var description: String {
        switch self {
        case .loopWait: return "loop_wait elapsed"
        case .dcsChange(let key): return "DCS change of \(key)"
        case .requested(let why): return why
        }
    }
}

public final class LoopWakeup: Sendable {
    private struct State {
        var pending: WakeReason?
        var waiter: CheckedContinuation<WakeReason, Never>?
        var nap = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Ends the current nap (or the next one, if no nap is in progress).
    public func signal(_ reason: WakeReason) {
        let waiter: CheckedContinuation<WakeReason, Never>? = state.withLock { state in
            guard let waiter = state.waiter else {
                if state.pending == nil { state.pending = reason }
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: reason)
    }

    /// Sleeps up to `duration` on `clock`; returns why it woke.
    public func nap(for duration: Duration, clock: any MonotonicClock) async -> WakeReason {
        let number: Int = state.withLock { state in
            state.nap += 1
            return state.nap
        }
        let timer = Task {
            try? await clock.sleep(for: duration)
            self.timerFired(nap: number)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { (continuation: CheckedContinuation<WakeReason, Never>) in
            let ready: WakeReason? = state.withLock { state in
                if let pending = state.pending {
                    state.pending = nil
                    return pending
                }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    private func timerFired(nap number: Int) {
        let waiter: CheckedContinuation<WakeReason, Never>? = state.withLock { state in
            guard state.nap == number, let waiter = state.waiter else { return nil }
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: .loopWait)
    }
}
