// The leader race's rules one by one, on the pure check: what blocks a node from racing, and the reason
// it gives.
import Testing
@testable import HA

@Suite struct HealthiestNodeCheckTests {
    private func replica(at position: Int64) -> PostgresObservation {
        PostgresObservation(dataDirectoryExists: true, isRunning: true, isAnswering: true, role: .replica,
                            timeline: 1, receiveLSN: position, replayLSN: position, isStreaming: true)
    }

    private func peer(at position: Int64, primary: Bool = false, tags: [String: JSONValue]? = nil) -> PeerStatus {
        var status = NodeStatus(state: "running", role: primary ? "master" : "replica")
        status.xlog = primary ? .init(location: position) : .init(receivedLocation: position, replayedLocation: position)
        status.tags = tags
        return .status(status)
    }

    private func check(_ position: Int64, peers: [String: PeerStatus], view: ClusterView = ClusterView(),
                       tags: [String: JSONValue]? = nil) -> RaceVerdict {
        HealthiestNodeCheck(me: "patroni2", myTags: tags, observation: replica(at: position), view: view,
                            peers: peers, formerLeader: "patroni1").verdict()
    }

    @Test func aReachablePrimaryBlocksTheRace() {
        #expect(check(100, peers: ["patroni1": peer(at: 50, primary: true)])
                == RaceVerdict(false, "Primary (patroni1) is still alive"))
    }

    @Test func unreachablePeersAreIgnoredAndSaidSo() {
        let verdict = check(100, peers: ["patroni1": .unreachable(reason: "connection refused"),
                                         "patroni3": peer(at: 100)])
        #expect(verdict.isHealthiest)
        #expect(verdict.reason.hasSuffix("ignored: patroni1 unreachable (connection refused)"))
    }

    @Test func aPeerAheadWinsAndEqualPositionsGoToTheHigherPriority() {
        #expect(!check(100, peers: ["patroni3": peer(at: 101)]).isHealthiest)
        #expect(check(100, peers: ["patroni3": peer(at: 100, tags: ["failover_priority": .int(5)])])
                == RaceVerdict(false, "patroni3 has the same WAL position 0/64 and a higher failover_priority (5 > 1)"))
        #expect(check(100, peers: ["patroni3": peer(at: 100, tags: ["failover_priority": .int(5)])],
                      tags: ["failover_priority": .int(6)]).isHealthiest)
        #expect(check(100, peers: ["patroni3": peer(at: 200, tags: ["nofailover": .bool(true)])]).isHealthiest)
    }

    @Test func lagBeyondMaximumLagOnFailoverRefusesAndAManualFailoverIgnoresIt() {
        var view = ClusterView(config: DynamicConfig(document: .object(["maximum_lag_on_failover": .int(1000)])),
                               status: LeaderStatus(optime: 5000))
        #expect(check(3000, peers: [:], view: view) == RaceVerdict(false, "my WAL position 0/BB8 is 2000 bytes "
                + "behind the last known primary position 0/1388; maximum_lag_on_failover is 1000"))
        #expect(check(4000, peers: [:], view: view).isHealthiest)
        view.failover = FailoverRequest(member: "patroni3")        // its candidate is down: the rest race
        #expect(check(3000, peers: ["patroni3": .unreachable(reason: "connection refused")], view: view).isHealthiest)
    }

    @Test func nofailoverAndZeroPriorityNeverRace() {
        #expect(!check(100, peers: [:], tags: ["nofailover": .bool(true)]).isHealthiest)
        #expect(!check(100, peers: [:], tags: ["failover_priority": .int(0)]).isHealthiest)
    }

    @Test func synchronousModeLetsOnlySyncMembersRaceAndLetsThemPassTheFormerLeader() {
        let view = ClusterView(config: DynamicConfig(document: .object(["synchronous_mode": .bool(true)])),
                               sync: SyncState(leader: "patroni1", syncStandby: "patroni3"))
        #expect(!check(100, peers: [:], view: view).isHealthiest)
        let asSync = HealthiestNodeCheck(me: "patroni3", myTags: nil, observation: replica(at: 100), view: view,
                                         peers: ["patroni1": peer(at: 150)], formerLeader: "patroni1").verdict()
        #expect(asSync.isHealthiest)   // the former leader restarted as a replica is ahead: it has no new commits
        #expect(HealthiestNodeCheck.peersToAsk(me: "patroni3", view: view).isEmpty)
    }
}
