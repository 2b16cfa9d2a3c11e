// POST /switchover and /failover over real HTTP, against a three-member cluster in the in-memory DCS:
// patroni1 leads (its agent serves the API under test), patroni2 is a replica whose REST API is a second
// real server, patroni3 publishes an api_url nobody listens on. The HA loops that would carry a request
// out are played by the test: it waits for /failover and moves the leader key as the loops would.
import Foundation
import Logging
import Testing
@testable import HA

@Suite struct RESTSwitchoverTests {
    static let unreachableAPI = "http://127.0.0.1:1/patroni"
    static let leaderLSN: Int64 = 0x300_0060

    struct Cluster {
        var store: InMemoryKeyValueStore
        var leader: FakeAgent
        var peer: FakeAgent
        var api: RESTTestServer
    }

    /// Starts the leader's API and patroni2's, registers the three members, and runs `body`.
    func withCluster(_ body: (Cluster) async throws -> Void) async throws {
        let clock = SystemMonotonicClock()
        let store = InMemoryKeyValueStore(clock: clock)
        let leader = FakeAgent(name: "patroni1", store: store, clock: clock, status: .primary(flushLSN: Self.leaderLSN))
        let peer = FakeAgent(name: "patroni2", store: store, clock: clock, status: .replica(replayedLSN: Self.leaderLSN))
        try await RESTTestServer.with(peer) { peerAPI async throws in
            try await RESTTestServer.with(leader) { api async throws in
                try await register(leader.clusterStore, apiURL: api.baseURL + "/patroni", port: 5432, role: "master")
                try await register(peer.clusterStore, apiURL: peerAPI.baseURL + "/patroni", port: 5433, role: "replica")
                let third = ClusterStore(store: store, scope: "demo", memberName: "patroni3")
                try await register(third, apiURL: Self.unreachableAPI, port: 5434, role: "replica")
                #expect(try await leader.clusterStore.attemptToAcquireLeaderLock())
                try await leader.clusterStore.setStatus(LeaderStatus(optime: Self.leaderLSN))
                leader.update { $0.holdsLeaderLock = true }
                try await body(Cluster(store: store, leader: leader, peer: peer, api: api))
            }
        }
    }

    private func register(_ node: ClusterStore, apiURL: String, port: Int, role: String) async throws {
        try await node.refreshLease(ttl: 30)
        var status = MemberStatus(connURL: "postgres://127.0.0.1:\(port)/postgres", apiURL: apiURL,
                                  state: "running", role: role, version: "0.1.0")
        status.xlogLocation = Self.leaderLSN
        status.timeline = 1
        try await node.touchMember(status)
    }

    /// What the HA loops do once the leader agreed: the leader lets go of the lock, the candidate takes it
    /// and removes the request.
    private func handOver(_ cluster: Cluster, to candidate: FakeAgent) async throws {
        #expect(try await cluster.leader.clusterStore.releaseLeaderLock())
        #expect(try await candidate.clusterStore.attemptToAcquireLeaderLock())
        #expect(try await candidate.clusterStore.deleteFailover())
    }

    /// The /failover value once some request has written it (bounded: a missing write fails the test).
    private func awaitFailoverRequest(_ store: InMemoryKeyValueStore) async throws -> String? {
        let key = "/service/demo/failover"
        for _ in 0..<60 {
            let range = try await store.range(prefix: key)
            if let value = range.keyValues.first?.value { return value }
            _ = try await store.watch(prefix: key, fromRevision: range.revision + 1, timeout: .seconds(1))
        }
        return nil
    }

    @Test func requestsOfTheWrongShapeAre400or422WithPatronisTexts() async throws {
        try await withCluster { cluster in
            let api = cluster.api
            let cases: [(path: String, body: String, status: Int, text: String)] = [
                ("/failover", #"{"leader":"patroni1"}"#, 400, "Failover could be performed only to a specific candidate"),
                ("/switchover", #"{"candidate":"patroni2"}"#, 400, "Switchover could be performed only from a specific leader"),
                ("/switchover", #"{"leader":"patroni1","candidate":"patroni1"}"#, 400, "Switchover target and source are the same"),
                ("/failover", #"{"candidate":"patroni2","scheduled_at":"2099-01-01T00:00:00+00:00"}"#, 400,
                 "Failover can't be scheduled"),
                ("/switchover", #"{"leader":"patroni1","scheduled_at":"2099-01-01T00:00:00"}"#, 400,
                 "Timezone information is mandatory for the scheduled switchover"),
                ("/switchover", #"{"leader":"patroni1","scheduled_at":"2020-01-01T00:00:00+00:00"}"#, 422,
                 "Cannot schedule switchover in the past"),
                ("/switchover", #"{"leader":"patroni1","scheduled_at":"next tuesday"}"#, 422,
                 "Unable to parse scheduled timestamp. It should be in an unambiguous format, e.g. ISO 8601"),
            ]
            for (path, body, status, text) in cases {
                let reply = try await api.send(.POST, path, json: body)
                #expect(reply.status == status, "\(path) \(body)")
                #expect(reply.body == text)
            }
            #expect(try await cluster.store.get(key: "/service/demo/failover") == nil)
        }
    }

    @Test func impossibleRequestsAre412AndNameEachRejectedCandidateAndWhy() async throws {
        try await withCluster { cluster in
            let api = cluster.api
            let wrongLeader = try await api.send(.POST, "/switchover", json: #"{"leader":"patroni2","candidate":"patroni3"}"#)
            #expect(wrongLeader.status == 412)
            #expect(wrongLeader.body == "leader name does not match: the leader is patroni1, not patroni2")

            let missing = try await api.send(.POST, "/switchover", json: #"{"leader":"patroni1","candidate":"patroni9"}"#)
            #expect(missing.status == 412)
            #expect(missing.body == "candidate does not exist: no member patroni9 in cluster demo "
                    + "(members: patroni1, patroni2, patroni3)")

            let unreachable = try await api.send(.POST, "/switchover", json: #"{"leader":"patroni1","candidate":"patroni3"}"#)
            #expect(unreachable.status == 412)
            #expect(unreachable.body == "switchover is not possible: no good candidates have been found "
                    + "(patroni3: its REST API at \(Self.unreachableAPI) did not answer (connection refused))")

            cluster.peer.update { $0.status.tags = ["nofailover": .bool(true)] }
            let tagged = try await api.send(.POST, "/failover", json: #"{"candidate":"patroni2"}"#)
            #expect(tagged.status == 412)
            #expect(tagged.body == "failover is not possible: no good candidates have been found "
                    + "(patroni2: it is tagged nofailover)")

            cluster.peer.update { $0.status = .replica(replayedLSN: Self.leaderLSN - 2 << 20) }
            let lagging = try await api.send(.POST, "/switchover", json: #"{"leader":"patroni1"}"#)
            #expect(lagging.status == 412)
            #expect(lagging.body == "switchover is not possible: no good candidates have been found "
                    + "(patroni2: it is 2097152 bytes behind the leader (maximum_lag_on_failover is 1048576); "
                    + "patroni3: its REST API at \(Self.unreachableAPI) did not answer (connection refused))")

            cluster.peer.update { $0.status = NodeStatus(state: "stopped", role: "replica") }
            let stopped = try await api.send(.POST, "/switchover", json: #"{"leader":"patroni1","candidate":"patroni2"}"#)
            #expect(stopped.body.hasSuffix("(patroni2: its server is not running (state stopped))"))

            #expect(try await cluster.store.get(key: "/service/demo/failover") == nil)
        }
    }

    @Test func aSwitchoverSucceedsWhenTheLeaderKeyMovesAndHealthChecksAnswerMeanwhile() async throws {
        try await withCluster { cluster in
            async let reply = cluster.api.send(.POST, "/switchover", json: #"{"leader":"patroni1","candidate":"patroni2"}"#)
            let request = try await awaitFailoverRequest(cluster.store)
            #expect(request == #"{"leader":"patroni1","member":"patroni2"}"#)
            #expect(try await cluster.api.send(.GET, "/primary").status == 200)   // not blocked by the pending POST
            #expect(cluster.leader.current.wakeUps == 1)
            try await handOver(cluster, to: cluster.peer)
            let answer = try await reply
            #expect(answer.status == 200)
            #expect(answer.body == #"Successfully switched over to "patroni2""#)
        }
    }

    @Test func aFailoverToACandidateReportsWhoTookOver() async throws {
        try await withCluster { cluster in
            async let reply = cluster.api.send(.POST, "/failover", json: #"{"candidate":"patroni2"}"#)
            #expect(try await awaitFailoverRequest(cluster.store) == #"{"member":"patroni2"}"#)
            try await handOver(cluster, to: cluster.peer)
            let answer = try await reply
            #expect(answer.status == 200)
            #expect(answer.body == #"Successfully failed over to "patroni2""#)
        }
    }

    @Test func aRequestTheLeaderWithdrawsIs503Failed() async throws {
        try await withCluster { cluster in
            async let reply = cluster.api.send(.POST, "/switchover", json: #"{"leader":"patroni1","candidate":"patroni2"}"#)
            #expect(try await awaitFailoverRequest(cluster.store) != nil)
            #expect(try await cluster.leader.clusterStore.deleteFailover())     // "Cleaning up failover key"
            let answer = try await reply
            #expect(answer.status == 503)
            #expect(answer.body == "Switchover failed: the request was withdrawn and patroni1 still holds the leader "
                    + "lock; the leader's log says why it refused")
        }
    }

    @Test func aScheduledSwitchoverIs202ShowsInClusterAndCanBeCancelled() async throws {
        try await withCluster { cluster in
            let api = cluster.api
            let at = "2099-01-01T12:00:00+00:00"
            let reply = try await api.send(.POST, "/switchover",
                                           json: #"{"leader":"patroni1","candidate":"patroni2","scheduled_at":"\#(at)"}"#)
            #expect(reply.status == 202 && reply.body == "Switchover scheduled")
            let document = try JSONValue.decode(JSONValue.self, from: try await api.send(.GET, "/cluster").body)
            #expect(document["scheduled_switchover"] == .object(["at": .string(at), "from": .string("patroni1"),
                                                                 "to": .string("patroni2")]))
            let cancel = try await api.send(.DELETE, "/switchover")
            #expect(cancel.status == 200 && cancel.body == "scheduled switchover deleted")
            let again = try await api.send(.DELETE, "/switchover")
            #expect(again.status == 404 && again.body == "no switchover is scheduled")
        }
    }
}
