// A scripted stand-in for the supervised database servers, so HA decisions are tested without processes:
// each `SimulatedServer` is one node's server (data directory, running, role, timeline, WAL position,
// upstream), and `SimulatedFleet` lets clones copy their upstream and standbys see their positions.
// Every action is appended to one fleet-wide event log, so a test can check the ORDER of events across
// nodes ("the old primary was stopped before the new one was promoted").
import Synchronization
@testable import HA

final class SimulatedFleet: Sendable {
    struct Event: Sendable, Equatable {
        var node: String
        var action: String
    }

    private let servers = Mutex<[String: SimulatedServer]>([:])
    private let log = Mutex<[Event]>([])
    let systemIdentifier = "7421337000000000001"

    func server(_ name: String) -> SimulatedServer {
        servers.withLock { servers in
            if let existing = servers[name] { return existing }
            let server = SimulatedServer(name: name, fleet: self)
            servers[name] = server
            return server
        }
    }

    func record(_ node: String, _ action: String) { log.withLock { $0.append(Event(node: node, action: action)) } }
    var events: [Event] { log.withLock { $0 } }
    func index(of node: String, _ action: String) -> Int? { events.firstIndex(of: Event(node: node, action: action)) }

    /// Standbys that stream from `primary`, as pg_stat_replication rows (sync_state from its ssn).
    func replicationRows(of primary: String, standbyNames: String) -> [NodeStatus.ReplicationPeer] {
        let all = servers.withLock { Array($0.values) }
        return all.filter { $0.state.isRunning && $0.state.upstream == primary && $0.state.role == .replica }
            .sorted { $0.name < $1.name }
            .map { standby in
                NodeStatus.ReplicationPeer(usename: "replicator", applicationName: standby.name, clientAddr: "127.0.0.1",
                                           state: "streaming",
                                           syncState: standbyNames.contains("\"\(standby.name)\"") ? "sync" : "async",
                                           syncPriority: 0)
            }
    }
}

final class SimulatedServer: PostgresController {
    struct State: Sendable {
        var dataDirectoryExists = false
        var systemIdentifier: String?
        var isRunning = false
        var role = PostgresObservation.Role.replica
        var timeline = 1
        var walPosition: Int64 = 0
        var upstream: String?
        var parameters: [String: String] = [:]
        /// Wrote WAL the new primary does not have (a former primary that stopped uncleanly).
        var diverged = false
        var rewindImpossible = false
        var pendingRestart: [String: MemberStatus.PendingChange] = [:]
    }

    let name: String
    private unowned let fleet: SimulatedFleet
    private let mutex = Mutex(State())

    init(name: String, fleet: SimulatedFleet) {
        self.name = name
        self.fleet = fleet
    }

    var state: State { mutex.withLock { $0 } }
    func update(_ change: (inout State) -> Void) { mutex.withLock { change(&$0) } }

    /// The process died (SIGKILL): no event, as nobody asked for it.
    func crash() { update { $0.isRunning = false } }

    private func act(_ action: String, _ change: (inout State) -> Void) {
        mutex.withLock { change(&$0) }
        fleet.record(name, action)
    }

    func observe() async -> PostgresObservation {
        let state = self.state
        var observation = PostgresObservation(dataDirectoryExists: state.dataDirectoryExists,
                                              systemIdentifier: state.systemIdentifier, isRunning: state.isRunning,
                                              isAnswering: state.isRunning)
        guard state.isRunning else { return observation }
        observation.role = state.role
        observation.timeline = state.timeline
        observation.serverVersion = 150000
        observation.pendingRestart = state.pendingRestart
        if state.role == .primary {
            observation.flushLSN = state.walPosition
            observation.replication = fleet.replicationRows(of: name,
                                                            standbyNames: state.parameters["synchronous_standby_names"] ?? "")
        } else {
            observation.receiveLSN = state.walPosition
            observation.replayLSN = state.walPosition
            observation.isStreaming = state.upstream != nil
            observation.upstream = state.upstream
        }
        return observation
    }

    func initializeNewCluster() async throws {
        act("initdb") {
            $0.dataDirectoryExists = true
            $0.systemIdentifier = fleet.systemIdentifier
            $0.walPosition = 0x0300_0000
        }
    }

    func cloneFrom(_ upstream: UpstreamConnection) async throws {
        let source = fleet.server(upstream.memberName).state
        act("clone from \(upstream.memberName)") {
            $0.dataDirectoryExists = true
            $0.systemIdentifier = source.systemIdentifier
            $0.timeline = source.timeline
            $0.walPosition = source.walPosition
            $0.diverged = false
        }
    }

    func removeDataDirectory() async throws {
        act("remove data directory") { $0 = State() }
    }

    func start(standbyOf upstream: UpstreamConnection?, parameters: [String: String]) async throws {
        act(upstream.map { "start as standby of \($0.memberName)" } ?? "start as primary") {
            $0.isRunning = true
            $0.role = upstream == nil ? .primary : .replica
            $0.upstream = upstream?.memberName
            $0.parameters = parameters
        }
    }

    func stop(mode: StopMode) async throws {
        act("stop \(mode.rawValue)") { $0.isRunning = false }
    }

    func reload(parameters: [String: String]) async throws {
        act("reload") { $0.parameters = parameters }
    }

    func promote() async throws {
        act("promote") {
            $0.role = .primary
            $0.timeline += 1
            $0.upstream = nil
        }
    }

    func follow(_ upstream: UpstreamConnection, parameters: [String: String]) async throws {
        act("follow \(upstream.memberName)") {
            $0.upstream = upstream.memberName
            $0.parameters = parameters
        }
    }

    func rewind(from upstream: UpstreamConnection) async throws -> RewindOutcome {
        let source = fleet.server(upstream.memberName).state
        let state = self.state
        if !state.diverged {
            fleet.record(name, "rewind check")
            return .notNeeded
        }
        if state.rewindImpossible {
            fleet.record(name, "rewind impossible")
            return .impossible(reason: "no common checkpoint")
        }
        act("rewind from \(upstream.memberName)") {
            $0.diverged = false
            $0.timeline = source.timeline
            $0.walPosition = source.walPosition
        }
        return .rewound
    }

    func checkpoint() async throws { fleet.record(name, "checkpoint") }
}
