// The health-check endpoints over real HTTP, for the five situations a load balancer must tell apart:
// the primary, a replica, a lagging replica, a replica tagged noloadbalance, and a replica whose server
// is stopped. HEAD and OPTIONS (HAProxy's `option httpchk OPTIONS /primary`) give the same codes with
// no body.
import NIOHTTP1
import Testing
@testable import HA

@Suite struct RESTHealthCheckTests {
    enum Situation: String, CaseIterable {
        case primary, replica, laggingReplica, noLoadBalance, stopped
    }

    /// A node in `situation`, with the leader's /status optime 20 MiB past a lagging replica's replay LSN.
    func agent(_ situation: Situation) async throws -> FakeAgent {
        let clock = ManualClock()
        let store = InMemoryKeyValueStore(clock: clock)
        let replayed: Int64 = 0x300_0000
        let status: NodeStatus
        switch situation {
        case .primary: status = .primary(flushLSN: replayed)
        case .replica: status = .replica(replayedLSN: replayed)
        case .laggingReplica: status = .replica(replayedLSN: replayed - 20 << 20)
        case .noLoadBalance: status = .replica(replayedLSN: replayed, tags: ["noloadbalance": .bool(true)])
        case .stopped:
            var stopped = NodeStatus(state: "stopped", role: "replica")
            stopped.xlog = .init(receivedLocation: replayed, replayedLocation: replayed)
            status = stopped
        }
        let agent = FakeAgent(name: situation == .primary ? "patroni1" : "patroni2", store: store, clock: clock,
                              status: status)
        let ctl = ClusterStore(store: store, scope: "demo", memberName: "patroni1")
        try await ctl.refreshLease(ttl: 30)
        #expect(try await ctl.attemptToAcquireLeaderLock())
        try await ctl.setStatus(LeaderStatus(optime: replayed))
        #expect(try await ctl.setConfig(DynamicConfig(document: .object(["ttl": .int(30)])), expectedRevision: 0))
        try await agent.cacheClusterView()
        agent.update {
            $0.holdsLeaderLock = situation == .primary
            $0.nextRun = clock.now() + .seconds(10)
        }
        return agent
    }

    /// Expected codes, in Situation.allCases order: primary, replica, lagging, noloadbalance, stopped.
    static let expectations: [(path: String, codes: [Int])] = [
        ("/", [200, 503, 503, 503, 503]),
        ("/primary", [200, 503, 503, 503, 503]),
        ("/read-write", [200, 503, 503, 503, 503]),
        ("/leader", [200, 503, 503, 503, 503]),
        ("/standby-leader", [503, 503, 503, 503, 503]),
        ("/replica", [503, 200, 200, 503, 503]),
        ("/replica?lag=16MB", [503, 200, 503, 503, 503]),
        ("/replica?lag=64MB", [503, 200, 200, 503, 503]),
        ("/replica?lag=1048576", [503, 200, 503, 503, 503]),
        ("/read-only", [200, 200, 200, 503, 503]),
        ("/sync", [503, 503, 503, 503, 503]),
        ("/async", [503, 200, 200, 503, 503]),
        ("/async?lag=1MB", [503, 200, 503, 503, 503]),
        ("/read-only-sync", [200, 503, 503, 503, 503]),
        ("/health", [200, 200, 200, 200, 503]),
        ("/liveness", [200, 200, 200, 200, 200]),
        ("/readiness", [200, 200, 200, 200, 503]),
    ]

    @Test(arguments: Situation.allCases)
    func statusCodesOfEveryHealthEndpoint(_ situation: Situation) async throws {
        let agent = try await agent(situation)
        let column = Situation.allCases.firstIndex(of: situation) ?? 0
        try await RESTTestServer.with(agent) { server async throws in
            for (path, codes) in Self.expectations {
                let reply = try await server.send(.GET, path)
                #expect(reply.status == codes[column], "GET \(path) on \(situation)")
                let options = try await server.send(.OPTIONS, path)
                #expect(options.status == codes[column], "OPTIONS \(path) on \(situation)")
                #expect(options.body.isEmpty)
            }
        }
    }

    @Test func healthCheckBodyIsTheStatusJSONAndHeadHasNone() async throws {
        let agent = try await agent(.primary)
        try await RESTTestServer.with(agent) { server async throws in
            let get = try await server.send(.GET, "/primary")
            #expect(get.status == 200)
            #expect(get.headers.first(name: "content-type") == "application/json")
            #expect(get.body == #"{"patroni":{"name":"patroni1","scope":"demo","version":"0.1.0"},"#
                + #""postmaster_start_time":"2026-11-30 01:03:37.966359+00:00","role":"master","#
                + #""server_version":150000,"state":"running","timeline":1,"xlog":{"location":50331648}}"#)
            let head = try await server.send(.HEAD, "/primary")
            #expect(head.status == 200)
            #expect(head.body.isEmpty)
            #expect(try await server.send(.HEAD, "/replica").status == 503)
        }
    }

    @Test(arguments: [
        (Situation.replica, "/primary", "not the leader (patroni1 holds the leader lock)"),
        (Situation.primary, "/replica", "not a replica (role master)"),
        (Situation.laggingReplica, "/replica?lag=16MB",
         "replay is 20971520 bytes behind the leader's last known LSN (limit 16777216)"),
        (Situation.noLoadBalance, "/read-only", "not the leader (patroni1 holds the leader lock); tagged noloadbalance"),
        (Situation.stopped, "/health", "the server is not running (state stopped)"),
        (Situation.replica, "/sync", "not a synchronous standby"),
        (Situation.replica, "/standby-leader", "minipg has no standby clusters"),
    ])
    func aRefusedHealthCheckSaysWhy(_ situation: Situation, _ path: String, _ reason: String) async throws {
        let agent = try await agent(situation)
        try await RESTTestServer.with(agent) { server async throws in
            let reply = try await server.send(.GET, path)
            #expect(reply.status == 503)
            #expect(reply.headers.first(name: "x-health-reason") == reason)
            #expect(try await server.send(.OPTIONS, path).headers.first(name: "x-health-reason") == reason)
        }
    }

    @Test func tagsInTheQueryMustMatchTheNodesTags() async throws {
        let agent = try await agent(.replica)
        agent.update { $0.status.tags = ["zone": .string("a"), "clonefrom": .bool(true)] }
        try await RESTTestServer.with(agent) { server async throws in
            #expect(try await server.send(.GET, "/replica?tag_zone=a").status == 200)
            let otherZone = try await server.send(.GET, "/replica?tag_zone=b")
            #expect(otherZone.status == 503 && otherZone.headers.first(name: "x-health-reason") == "tag zone is a, not b")
            #expect(try await server.send(.GET, "/replica?tag_clonefrom=true").status == 200)
            let noRack = try await server.send(.GET, "/replica?tag_rack=1")
            #expect(noRack.status == 503 && noRack.headers.first(name: "x-health-reason") == "no tag rack")
            #expect(try await server.send(.GET, "/replica?lag=lots").status == 400)
        }
    }

    @Test func aLockHolderWhoseServerIsNotYetPrimaryIsTheLeaderButNotThePrimary() async throws {
        let agent = try await agent(.replica)
        agent.update { $0.holdsLeaderLock = true }      // won the race, promotion still under way
        try await RESTTestServer.with(agent) { server async throws in
            #expect(try await server.send(.GET, "/leader").status == 200)
            let primary = try await server.send(.GET, "/primary")
            #expect(primary.status == 503)
            #expect(primary.headers.first(name: "x-health-reason")
                    == "holds the leader lock but the server is not a primary yet (role replica)")
        }
    }

    @Test func livenessFailsWhenTheLoopMissedItsScheduleByMoreThanTTL() async throws {
        let agent = try await agent(.primary)
        let clock = try #require(agent.clock as? ManualClock)
        try await RESTTestServer.with(agent) { server async throws in
            clock.advance(by: .seconds(39))    // next run was due at 10 s; 10 + ttl 30 > 39
            #expect(try await server.send(.GET, "/liveness").status == 200)
            clock.advance(by: .seconds(2))
            #expect(try await server.send(.GET, "/liveness").status == 503)
            agent.update { $0.status.pause = true }
            #expect(try await server.send(.GET, "/liveness").status == 200)
        }
    }

    @Test func syncEndpointsFollowTheSyncKeyUnderSynchronousMode() async throws {
        let agent = try await agent(.replica)
        let ctl = ClusterStore(store: agent.clusterStore.store, scope: "demo", memberName: "patroni1")
        let view = try await ctl.load()
        #expect(try await ctl.setConfig(DynamicConfig(document: .object(["synchronous_mode": .bool(true)])),
                                        expectedRevision: view.configRevision))
        #expect(try await ctl.setSync(SyncState(leader: "patroni1", syncStandby: "patroni2"), expectedRevision: 0))
        try await agent.cacheClusterView()
        try await RESTTestServer.with(agent) { server async throws in
            #expect(try await server.send(.GET, "/sync").status == 200)
            #expect(try await server.send(.GET, "/async").status == 503)
            #expect(try await server.send(.GET, "/read-only-sync").status == 200)
        }
    }

    @Test func lagSizesUsePostgresUnits() {
        #expect(ByteSize.parse("16kB") == 16 << 10)
        #expect(ByteSize.parse("64MB") == 64 << 20)
        #expect(ByteSize.parse("1GB") == 1 << 30)
        #expect(ByteSize.parse("1048576") == 1_048_576)
        #expect(ByteSize.parse("1 MB") == 1 << 20)
        #expect(ByteSize.parse("1mb") == nil)
        #expect(ByteSize.parse("99999999999TB") == nil)
    }
}
