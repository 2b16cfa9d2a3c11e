// The three timing settings of the dynamic configuration and the rule that ties them (patroni.md §1):
//
//     loop_wait + 2 * retry_timeout <= ttl
//
// ttl is the leader lease; loop_wait the nap between HA cycles; retry_timeout how long one DCS or
// PostgreSQL operation may be retried before it counts as failed. Two retries plus a nap must fit inside
// the lease, or a leader could lose its lock while still retrying a renewal it would have made in time.
//
// Minimums: Patroni forces ttl ≥ 20, loop_wait ≥ 1, retry_timeout ≥ 3 and silently rewrites values that
// break the rule. We refuse instead, naming the key, and allow lower values — our failover target is
// seconds, not half a minute: loop_wait ≥ 1 s, retry_timeout ≥ 1 s (one etcd request on a LAN takes
// milliseconds; the etcd client moves to the next endpoint well within a second), ttl ≥ 3 s (etcd itself
// will not keep a lease shorter than about 1.5 s with its default election timeout, and the rule then
// needs at least 1 + 2·1). Below ttl 10 a GC pause or a slow disk can cost the primary its lock: the
// start-up summary says so.

public struct TimingRules: Sendable, Equatable {
    public static let minimumTTL = 3
    public static let minimumLoopWait = 1
    public static let minimumRetryTimeout = 1
    /// Below this ttl the start-up summary warns that short stalls may demote the primary.
    public static let cautiousTTL = 10

    public var ttl: Int
    public var loopWait: Int
    public var retryTimeout: Int

    public init(ttl: Int, loopWait: Int, retryTimeout: Int) {
        self.ttl = ttl
        self.loopWait = loopWait
        self.retryTimeout = retryTimeout
    }

    public init(_ config: DynamicConfig) {
        self.init(ttl: config.ttl, loopWait: config.loopWait, retryTimeout: config.retryTimeout)
    }

    /// The first rule broken, as a sentence naming the key; nil when the values are valid.
    public var violation: String? {
        if ttl < Self.minimumTTL { return "ttl (\(ttl)) must be at least \(Self.minimumTTL) seconds" }
        if loopWait < Self.minimumLoopWait {
            return "loop_wait (\(loopWait)) must be at least \(Self.minimumLoopWait) second"
        }
        if retryTimeout < Self.minimumRetryTimeout {
            return "retry_timeout (\(retryTimeout)) must be at least \(Self.minimumRetryTimeout) second"
        }
        if loopWait + 2 * retryTimeout > ttl {
            return "loop_wait + 2 * retry_timeout (\(loopWait) + 2 * \(retryTimeout) = \(loopWait + 2 * retryTimeout))"
                + " must not exceed ttl (\(ttl)); lower loop_wait or retry_timeout, or raise ttl"
        }
        return nil
    }

    /// Worst case between a leader's death and another member noticing: the lease runs out `ttl` after the
    /// last renewal, and a member in the middle of its nap looks again at most `loop_wait` later (a watch
    /// on the leader key usually wakes it at once).
    public var worstCaseDetectionSeconds: Int { ttl + loopWait }

    /// LeaseGuard's deadline after a renewal, in seconds as text: ttl − min(1 s, ttl/4).
    static func leaseDeadlineText(ttl: Int) -> String {
        let deadline = Duration.seconds(ttl) - LeaseGuard.safetyMargin(ttl: .seconds(ttl))
        let milliseconds = deadline.components.seconds * 1000 + deadline.components.attoseconds / 1_000_000_000_000_000
        guard milliseconds % 1000 != 0 else { return "\(milliseconds / 1000)" }
        var fraction = String(milliseconds % 1000)
        fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(milliseconds / 1000).\(fraction)"
    }

    /// What the agent prints at start-up.
    public var explanation: String {
        var text = "a dead leader is noticed within ttl (\(ttl) s) + loop_wait (\(loopWait) s) = "
            + "\(worstCaseDetectionSeconds) s (usually ttl: the members watch the leader key); "
            + "during a DCS outage the primary keeps serving until its lease deadline, ttl - min(1 s, ttl/4) = "
            + "\(Self.leaseDeadlineText(ttl: ttl)) s after its last renewal was sent, then stops taking writes"
        if ttl < Self.cautiousTTL {
            text += "; ttl below \(Self.cautiousTTL) s: a stall of the primary longer than "
                + "\(ttl - loopWait) s may cost it the leader lock"
        }
        return text
    }
}
