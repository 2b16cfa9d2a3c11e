// One consistent reading of everything under /service/<scope>/ — what an HA cycle, a REST handler or
// `ctl list` decides from. Built by `ClusterStore.load()` from a single prefix read, so all of its parts
// come from the same DCS revision.
//
// Invariants: `leader` is set only while the leader key exists (its lease is alive); `timeline` is the
// cluster's current timeline as Patroni derives it: one past the last /history line, or 1.

public struct ClusterView: Sendable, Equatable {
    /// /initialize: nil = absent (never bootstrapped), "" = initializing, else the system identifier.
    public var initialize: String?
    public var config: DynamicConfig?
    public var configRevision: Int64
    public var leader: LeaderLock?
    public var members: [Member]          // sorted by name
    public var failover: FailoverRequest?
    public var failoverRevision: Int64
    public var sync: SyncState?
    public var syncRevision: Int64
    public var history: [HistoryLine]
    public var status: LeaderStatus?
    /// The store revision this view was read at (a watch from revision + 1 sees every later change).
    public var revision: Int64

    public struct LeaderLock: Sendable, Equatable {
        public var name: String
        public var modRevision: Int64
        public var lease: LeaseID
        public init(name: String, modRevision: Int64, lease: LeaseID) {
            self.name = name
            self.modRevision = modRevision
            self.lease = lease
        }
    }

    public init(initialize: String? = nil, config: DynamicConfig? = nil, configRevision: Int64 = 0,
                leader: LeaderLock? = nil, members: [Member] = [], failover: FailoverRequest? = nil,
                failoverRevision: Int64 = 0, sync: SyncState? = nil, syncRevision: Int64 = 0,
                history: [HistoryLine] = [], status: LeaderStatus? = nil, revision: Int64 = 0) {
        self.initialize = initialize
        self.config = config
        self.configRevision = configRevision
        self.leader = leader
        self.members = members
        self.failover = failover
        self.failoverRevision = failoverRevision
        self.sync = sync
        self.syncRevision = syncRevision
        self.history = history
        self.status = status
        self.revision = revision
    }

    public var isUnlocked: Bool { leader == nil }
    public var leaderMember: Member? { leader.flatMap { lock in member(named: lock.name) } }
    public func member(named name: String) -> Member? { members.first { $0.name == name } }
    public var timeline: Int { (history.last?.timeline).map { $0 + 1 } ?? 1 }
    /// The effective dynamic configuration (defaults when /config is absent).
    public var effectiveConfig: DynamicConfig { config ?? DynamicConfig() }

    /// Replication lag of `member` in bytes as Patroni computes it: the leader's last published optime
    /// minus the member's xlog_location (never negative); nil when either is unknown.
    public func lagBytes(of member: Member) -> Int64? {
        guard let optime = status?.optime ?? leaderMember?.status.xlogLocation,
              let position = member.status.xlogLocation else { return nil }
        return max(0, optime - position)
    }
}
