// The seam between the agent (HA loop + PostgreSQL supervisor) and the REST API that serves it. The
// REST layer only reads snapshots and asks for actions through this protocol; it never blocks on the HA
// loop, so health checks stay answerable while the loop is busy promoting or restarting.
//
// Invariants: `currentStatus()` and `cachedCluster()` return immediately with the latest snapshot the
// loop published. Actions return as soon as they are accepted or refused; long ones run in the background
// and show up in `currentStatus().state` ("restarting", "creating replica", …).

public struct RestartRequest: Sendable, Equatable {
    public var role: String?               // restart only if the node has this role (primary | replica)
    public var postgresVersion: Int?       // restart only if the running version is lower
    public var restartPending: Bool        // restart only if a restart is pending
    public var scheduleAt: String?         // ISO 8601; nil = now
    public var timeout: Duration?

    public init(role: String? = nil, postgresVersion: Int? = nil, restartPending: Bool = false,
                scheduleAt: String? = nil, timeout: Duration? = nil) {
        self.role = role
        self.postgresVersion = postgresVersion
        self.restartPending = restartPending
        self.scheduleAt = scheduleAt
        self.timeout = timeout
    }
}

/// An HTTP-shaped answer to an action request: Patroni's status codes and message texts.
public struct ActionResult: Sendable, Equatable {
    public var httpStatus: Int
    public var message: String
    public init(_ httpStatus: Int, _ message: String) {
        self.httpStatus = httpStatus
        self.message = message
    }
}

public protocol AgentControl: Sendable {
    var scope: String { get }
    var memberName: String { get }
    /// The DCS layout this agent uses (REST handlers write /config and /failover through it).
    var clusterStore: ClusterStore { get }
    var clock: any MonotonicClock { get }

    /// This node's status as of the loop's last look at its server (patroni.md §5.1).
    func currentStatus() async -> NodeStatus
    /// The cluster as the loop last read it from the DCS; nil once that reading is older than ttl.
    func cachedCluster() async -> ClusterView?
    /// True while this node holds the leader lock (as of the last successful lock update).
    func holdsLeaderLock() async -> Bool
    /// When the HA loop is next due to start, on `clock` (for /liveness: a stuck loop is not live).
    func nextRunDeadline() async -> Duration
    /// Ends the loop's nap now (after a config change or a switchover request).
    func wakeHALoop() async

    func restart(_ request: RestartRequest) async -> ActionResult
    func cancelScheduledRestart() async -> ActionResult
    func reload() async -> ActionResult
    func reinitialize(force: Bool) async -> ActionResult
}
