// Patroni's key layout on the in-memory store: the leader lock's create-only race, its expiry with the
// lease, compare-and-set on /config, and member JSON in Patroni's shape.
import Testing
@testable import HA

@Suite struct ClusterStoreTests {
    let clock = ManualClock()

    func node(_ name: String, on store: InMemoryKeyValueStore) -> ClusterStore {
        ClusterStore(store: store, scope: "demo", memberName: name)
    }

    @Test func onlyOneNodeWinsTheLeaderRaceAndTheLockExpiresWithItsLease() async throws {
        let store = InMemoryKeyValueStore(clock: clock)
        let first = node("patroni1", on: store), second = node("patroni2", on: store)
        try await first.refreshLease(ttl: 30)
        try await second.refreshLease(ttl: 30)
        #expect(try await first.attemptToAcquireLeaderLock())
        #expect(try await !second.attemptToAcquireLeaderLock())
        #expect(try await first.load().leader?.name == "patroni1")

        clock.advance(by: .seconds(20))
        try await second.refreshLease(ttl: 30)         // patroni1 stops refreshing: it "died"
        #expect(try await first.load().leader?.name == "patroni1")
        clock.advance(by: .seconds(11))
        #expect(try await second.load().isUnlocked)
        #expect(try await second.attemptToAcquireLeaderLock())
        #expect(try await !first.releaseLeaderLock())   // never deletes a lock that is not its own
        #expect(try await first.load().leader?.name == "patroni2")
    }

    @Test func configIsCompareAndSetOnItsRevision() async throws {
        let store = InMemoryKeyValueStore(clock: clock)
        let ctl = node("ctl", on: store)
        #expect(try await ctl.setConfig(DynamicConfig(document: .object(["ttl": .int(30)])), expectedRevision: 0))
        let view = try await ctl.load()
        #expect(view.effectiveConfig.ttl == 30)
        var edited = view.effectiveConfig
        edited.document = edited.document.merging(patch: .object(["postgresql": .object(["parameters":
            .object(["max_connections": .int(150)])])]))
        #expect(try await ctl.setConfig(edited, expectedRevision: view.configRevision))
        #expect(try await !ctl.setConfig(edited, expectedRevision: view.configRevision))  // stale revision
        #expect(try await ctl.load().effectiveConfig.postgresqlParameters["max_connections"] == "150")
    }

    @Test func memberJSONHasPatronisShape() async throws {
        let store = InMemoryKeyValueStore(clock: clock)
        let agent = node("patroni2", on: store)
        try await agent.refreshLease(ttl: 30)
        var status = MemberStatus(connURL: "postgres://127.0.0.1:5433/postgres",
                                  apiURL: "http://127.0.0.1:8009/patroni", state: "running",
                                  role: "replica", version: "0.1.0")
        status.xlogLocation = 50_331_808
        status.timeline = 1
        status.replicationState = "streaming"
        try await agent.touchMember(status)
        let stored = try await store.get(key: "/service/demo/members/patroni2")
        #expect(stored?.value == #"{"api_url":"http://127.0.0.1:8009/patroni","conn_url":"postgres://127.0.0.1:5433/postgres","replication_state":"streaming","role":"replica","state":"running","timeline":1,"version":"0.1.0","xlog_location":50331808}"#)
        let member = try #require(try await agent.load().members.first)
        #expect(member.hostAndPort.host == "127.0.0.1" && member.hostAndPort.port == 5433)
    }
}
