// An AgentControl whose snapshots the test sets: the REST API under test is real (a RESTServer on a
// loopback port, answering real HTTP), the DCS behind it is the in-memory store, and only the HA loop is
// replaced — by a test that writes the status, the lock and the DCS keys that loop would have written.
import Foundation
import Synchronization
@testable import HA

final class FakeAgent: AgentControl {
    struct State: Sendable {
        var status: NodeStatus
        var cluster: ClusterView?
        var holdsLeaderLock = false
        var nextRun: Duration = .zero
        var wakeUps = 0
        var restartRequests: [RestartRequest] = []
        var reinitializeForced: [Bool] = []
        var restartAnswer = ActionResult(200, "restarted successfully")
    }

    let scope = "demo"
    let memberName: String
    let clusterStore: ClusterStore
    let clock: any MonotonicClock
    let state: Mutex<State>

    init(name: String, store: any KeyValueStore, clock: any MonotonicClock, status: NodeStatus) {
        self.memberName = name
        self.clusterStore = ClusterStore(store: store, scope: "demo", memberName: name)
        self.clock = clock
        self.state = Mutex(State(status: status))
    }

    func update(_ change: (inout State) -> Void) { state.withLock { change(&$0) } }
    var current: State { state.withLock { $0 } }

    /// The loop's DCS reading, as it would cache it: a fresh load of the store.
    func cacheClusterView() async throws {
        let view = try await clusterStore.load()
        update { $0.cluster = view }
    }

    func currentStatus() async -> NodeStatus { current.status }
    func cachedCluster() async -> ClusterView? { current.cluster }
    func holdsLeaderLock() async -> Bool { current.holdsLeaderLock }
    func nextRunDeadline() async -> Duration { current.nextRun }
    func wakeHALoop() async { update { $0.wakeUps += 1 } }

    func restart(_ request: RestartRequest) async -> ActionResult {
        state.withLock {
            $0.restartRequests.append(request)
            return $0.restartAnswer
        }
    }
    func cancelScheduledRestart() async -> ActionResult { ActionResult(404, "no restarts are scheduled") }
    func reload() async -> ActionResult { ActionResult(202, "reload scheduled") }
    func reinitialize(force: Bool) async -> ActionResult {
        update { $0.reinitializeForced.append(force) }
        return ActionResult(503, "I am the leader, can not reinitialize")
    }
}

extension NodeStatus {
    static func primary(flushLSN: Int64 = 0x300_0060) -> NodeStatus {
        var status = NodeStatus(state: "running", role: "master")
        status.xlog = WALPositions(location: flushLSN)
        status.timeline = 1
        status.serverVersion = 150000
        status.postmasterStartTime = "2026-11-30 01:03:37.966359+00:00"
        status.patroni = AgentIdentity(version: "0.1.0", scope: "demo", name: "patroni1")
        return status
    }

    static func replica(replayedLSN: Int64 = 0x300_0060, tags: [String: JSONValue]? = nil) -> NodeStatus {
        var status = NodeStatus(state: "running", role: "replica")
        status.xlog = WALPositions(receivedLocation: replayedLSN, replayedLocation: replayedLSN, paused: false)
        status.timeline = 1
        status.replicationState = "streaming"
        status.tags = tags
        return status
    }
}
