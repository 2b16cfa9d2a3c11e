// The HA agent of one node: its state between HA cycles, and what the REST API reads of it
// (`AgentControl`). The cycle itself is in HAAgent+Cycle.swift and the files next to it, one path each:
// lock holder, follower, leader race, manual failover, synchronous replication, bootstrap; the actions the
// REST API asks for are in HAAgent+Actions.swift, the run loop in HAAgent+Run.swift.
//
// Invariants:
// - Snapshots (`currentStatus`, `cachedCluster`) are built from state the loop stored; they never wait for
//   the DCS or the server, so health checks answer while a cycle is busy.
// - `holdsLock` is true only between a successful lock acquisition/update and the next failure, release
//   or demotion; the `LeaseGuard` is armed exactly while it is true.
// - One long action (bootstrap, clone, restart, reinitialize) at a time; while it runs the cycle only keeps
//   the leader lock and the member key alive.
import Foundation
import Logging

public actor HAAgent: AgentControl {
    public nonisolated let scope: String
    public nonisolated let memberName: String
    public nonisolated let clusterStore: ClusterStore
    public nonisolated let clock: any MonotonicClock
    nonisolated let settings: AgentSettings
    nonisolated let controller: any PostgresController
    nonisolated let peerFetcher: any PeerStatusFetching
    nonisolated let logger: Logger
    nonisolated let wakeup = LoopWakeup()
    /// The self-fence of a primary whose lease renewals stopped succeeding.
    public nonisolated let leaseGuard: LeaseGuard

    // What the last cycle saw.
    var observation = PostgresObservation()
    var view: ClusterView?
    var viewReadAt: Duration?
    var dcsLastSeen: Date?
    var lastMessage = "starting"

    // The leader lock.
    var holdsLock = false
    /// `leaseGuard.fenceCount` as the loop last noticed it.
    var fencesSeen = 0
    /// When the request of the last successful lease refresh was sent (the lease lives ≥ ttl from here).
    var leaseRefreshStart: Duration?
    /// The leader the loop last saw holding the lock, and the members of that view (Patroni's old_cluster).
    var formerLeader: String?
    var formerMembers: [Member] = []

    // The server.
    /// What must happen before this node's server may follow a leader (set when it stops being primary).
    var rejoinCheck = RejoinCheck.ifRewindEnabled
    /// Member state when the server is not running: "stopped" after our own stop, "crashed" otherwise.
    var stoppedState = "stopped"
    var lastRole = "replica"
    /// The parameters the server was last started or reloaded with.
    var appliedParameters: [String: String]?
    /// synchronous_standby_names as this agent last set it (the loop owns the parameter).
    var syncStandbyNames = ""

    // Long actions and the run loop.
    var action: RunningAction?
    var lastFailure: FailedAction?
    var scheduledRestart: ScheduledRestart?
    var nextRun: Duration = .zero
    var isStopping = false
    var fatalError: String?

    public init(settings: AgentSettings, clusterStore: ClusterStore, controller: any PostgresController,
                peerFetcher: any PeerStatusFetching, clock: any MonotonicClock = SystemMonotonicClock(),
                logger: Logger = Logger(label: "minipg.ha")) {
        self.scope = settings.scope
        self.memberName = settings.name
        self.settings = settings
        self.clusterStore = clusterStore
        self.controller = controller
        self.peerFetcher = peerFetcher
        self.clock = clock
        self.logger = logger
        self.leaseGuard = LeaseGuard(clock: clock, logger: logger) {
            try? await controller.stop(mode: .immediate)
        }
    }

    /// The dynamic configuration in force: /config as last read, else bootstrap.dcs.
    var config: DynamicConfig { view?.config ?? settings.bootstrapConfig }
    var ttl: Duration { .seconds(config.ttl) }

    // MARK: AgentControl — snapshots

    /// The lease guard stopped the server and the loop has not run since (it may be stuck in the DCS).
    var isFencedUnnoticed: Bool { leaseGuard.fenceCount != fencesSeen }

    public func currentStatus() -> NodeStatus {
        // A fenced server must not keep looking like a running primary to peers: that would block the race.
        let observed = isFencedUnnoticed ? PostgresObservation(dataDirectoryExists: true) : observation
        var status = NodeStatus(state: isFencedUnnoticed ? "stopped" : memberState,
                                role: isFencedUnnoticed ? "demoted" : memberRole)
        status.postmasterStartTime = observed.postmasterStartTime
        status.serverVersion = observed.serverVersion
        status.timeline = observed.timeline
        if observed.isAnswering {
            if observed.role == .primary {
                status.xlog = .init(location: observed.flushLSN)
                status.replication = observed.replication.isEmpty ? nil : observed.replication
            } else {
                status.xlog = .init(receivedLocation: observed.receiveLSN, replayedLocation: observed.replayLSN,
                                    replayedTimestamp: observed.replayTimestamp, paused: false)
                status.replicationState = observed.isStreaming ? "streaming" : "in archive recovery"
            }
        }
        if let view {
            if view.sync?.contains(memberName) == true { status.syncStandby = true }
            if view.isUnlocked { status.clusterUnlocked = true }
            if config.isPaused { status.pause = true }
        }
        status.dcsLastSeen = dcsLastSeen.map { Int64($0.timeIntervalSince1970) }
        status.tags = settings.tags.isEmpty ? nil : settings.tags
        status.databaseSystemIdentifier = observed.systemIdentifier
        if !observed.pendingRestart.isEmpty {
            status.pendingRestart = true
            status.pendingRestartReason = observed.pendingRestart
        }
        status.scheduledRestart = scheduledRestart?.json
        status.patroni = .init(version: settings.version, scope: scope, name: memberName)
        return status
    }

    public func cachedCluster() -> ClusterView? {
        guard let view, let readAt = viewReadAt, clock.now() - readAt <= ttl else { return nil }
        return view
    }

    public func holdsLeaderLock() -> Bool { holdsLock && !isFencedUnnoticed }
    public func nextRunDeadline() -> Duration { nextRun }
    public func wakeHALoop() { wakeup.signal(.requested("woken through the REST API")) }

    /// The last cycle's decision, with its reason.
    public var lastDecision: String { lastMessage }

    // MARK: What this node publishes

    /// Patroni's member state: a long action's own state, else what the server is doing.
    var memberState: String {
        if let action { return action.state }
        if !observation.dataDirectoryExists { return "stopped" }
        if !observation.isRunning { return stoppedState }
        return observation.isAnswering ? "running" : "starting"
    }

    /// "master" (Patroni 3's word), "replica", or "uninitialized" before the data directory exists.
    var memberRole: String {
        if !observation.dataDirectoryExists && action == nil { return "uninitialized" }
        if observation.isAnswering, let role = observation.role { return role == .primary ? "master" : "replica" }
        return lastRole
    }

    /// The value of members/<name>.
    var memberStatus: MemberStatus {
        let status = currentStatus()
        var member = MemberStatus(connURL: settings.connURL, apiURL: settings.apiURL, state: status.state,
                                  role: status.role, version: settings.version)
        if observation.isAnswering {
            member.xlogLocation = observation.walPosition
            member.timeline = observation.timeline
            member.replicationState = status.replicationState
        }
        member.tags = status.tags
        member.pendingRestart = status.pendingRestart
        member.pendingRestartReason = status.pendingRestartReason
        member.scheduledRestart = status.scheduledRestart
        member.pause = status.pause
        return member
    }

    func touchMember() async throws {
        try await clusterStore.touchMember(memberStatus)
    }
}

/// What must be checked before a former primary's server starts as a standby of the new leader.
enum RejoinCheck: Sendable, Equatable {
    case none                // it never wrote on its own (a replica): start following
    case ifRewindEnabled     // it stopped cleanly or its history is unknown: a rewind checks, if allowed
    case required            // it was a primary that stopped uncleanly: rewind, or re-clone without rewind
}
