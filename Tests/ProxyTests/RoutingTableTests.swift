// The routing table without sockets: which backend each listener picks as check results arrive,
// sessions cut the moment their backend is marked DOWN, the primary cross-check refusing to route
// during a split brain, round robin and least connections over the replicas, and the stats snapshot.
import Logging
import Synchronization
import Testing
@testable import Proxy

@Suite struct RoutingTableTests {
    static func configuration(balance: ProxyConfiguration.Balance = .roundRobin) -> ProxyConfiguration {
        var configuration = ProxyConfiguration(backends: (1...3).map {
            .init(name: "patroni\($0)", address: .init(host: "127.0.0.1", port: 5431 + $0),
                  checkURL: "http://127.0.0.1:\(8007 + $0)")
        })
        configuration.balance = balance
        configuration.check = CheckSettings(interval: .seconds(3), fastInterval: .seconds(1), fall: 3, rise: 2,
                                            timeout: .seconds(2))
        return configuration
    }

    func table(balance: ProxyConfiguration.Balance = .roundRobin) -> RoutingTable {
        RoutingTable(configuration: Self.configuration(balance: balance), logger: Logger(label: "test"))
    }

    /// Counts how many times a session's cut action ran.
    final class CutCounter: Sendable {
        private let count = Atomic<Int>(0)
        var value: Int { count.load(ordering: .relaxed) }
        func cut() { count.add(1, ordering: .relaxed) }
    }

    /// First round of checks: `primary` passes /primary, the others pass /replica.
    func settle(_ table: RoutingTable, primary: Int) {
        for index in 0..<3 {
            table.record(index == primary ? .passed : .httpStatus(503), role: .primary, backend: index)
            table.record(index == primary ? .httpStatus(503) : .passed, role: .replica, backend: index)
        }
    }

    @Test func nothingIsRoutedBeforeTheFirstChecks() {
        let table = table()
        #expect(table.openSession(role: .primary) {} == nil)
        #expect(table.openSession(role: .replica) {} == nil)
        let stats = table.snapshot()
        #expect(stats.listeners.map(\.refusedSessions) == [1, 1])
        #expect(stats.listeners[0].backends[0].outOfRotationReason == "not checked yet")
    }

    @Test func thePrimaryListenerFollowsTheOneBackendThatPassesPrimary() throws {
        let table = table()
        settle(table, primary: 1)
        let (session, backend) = try #require(table.openSession(role: .primary) {})
        #expect(backend.name == "patroni2")
        #expect(session.backendIndex == 1)
        #expect(table.snapshot().listeners[0].routesTo == "patroni2")
    }

    @Test func sessionsAreCutWhenTheirBackendIsMarkedDownAndOnlyThen() throws {
        let table = table()
        settle(table, primary: 0)
        let held = CutCounter(), replicaSession = CutCounter()
        let (session, _) = try #require(table.openSession(role: .primary) { held.cut() })
        _ = try #require(table.openSession(role: .replica) { replicaSession.cut() })

        table.record(.httpStatus(503), role: .primary, backend: 0)
        table.record(.timeout, role: .primary, backend: 0)
        #expect(held.value == 0)                            // UP 2/3: still in rotation
        #expect(table.snapshot().listeners[0].backends[0].state == "UP 2/3")
        table.record(.httpStatus(503), role: .primary, backend: 0)
        #expect(held.value == 1)                            // marked DOWN: cut at once
        #expect(replicaSession.value == 0)                  // another listener's session is untouched
        #expect(table.openSession(role: .primary) {} == nil)

        table.closeSession(session)                         // the cut closes the client, which reports back
        let stats = table.snapshot().listeners[0]
        #expect(stats.currentSessions == 0 && stats.totalSessions == 1)
        #expect(stats.backends[0].outOfRotationReason == "check failed: HTTP 503")
        #expect(stats.note == "no backend passes GET /primary")
    }

    @Test func aNewPrimaryTakesOverAfterRiseSuccesses() throws {
        let table = table()
        settle(table, primary: 0)
        table.record(.connectionRefused, role: .primary, backend: 0)  // its agent died: DOWN without fall
        #expect(table.snapshot().listeners[0].backends[0].outOfRotationReason
                == "check failed: connection refused (marked down at once)")
        table.record(.passed, role: .primary, backend: 2)
        #expect(table.openSession(role: .primary) {} == nil) // DOWN 1/2
        #expect(table.snapshot().listeners[0].backends[2].state == "DOWN 1/2")
        table.record(.passed, role: .primary, backend: 2)
        #expect(try #require(table.openSession(role: .primary) {}).1.name == "patroni3")
    }

    @Test func twoBackendsThatSayPrimaryGetNoSessionsAtAll() throws {
        let table = table()
        settle(table, primary: 0)
        table.record(.passed, role: .primary, backend: 1)
        table.record(.passed, role: .primary, backend: 1)   // patroni2 is UP for /primary too
        #expect(table.openSession(role: .primary) {} == nil)
        let stats = table.snapshot().listeners[0]
        #expect(stats.routesTo == nil)
        #expect(stats.note == "split brain: patroni1, patroni2 all pass GET /primary; routing to none")
        #expect(stats.backends[1].inRotation == false)

        for _ in 0..<3 { table.record(.httpStatus(503), role: .primary, backend: 0) }  // the old one demotes
        #expect(try #require(table.openSession(role: .primary) {}).1.name == "patroni2")
    }

    @Test func roundRobinWalksTheHealthyReplicas() throws {
        let table = table()
        settle(table, primary: 0)
        let names = try (0..<4).map { _ in try #require(table.openSession(role: .replica) {}).1.name }
        #expect(names == ["patroni2", "patroni3", "patroni2", "patroni3"])
    }

    @Test func leastConnectionsPrefersTheIdleReplica() throws {
        let table = table(balance: .leastConnections)
        settle(table, primary: 0)
        let (first, _) = try #require(table.openSession(role: .replica) {})
        let (second, _) = try #require(table.openSession(role: .replica) {})
        #expect([first.backendIndex, second.backendIndex] == [1, 2])
        table.closeSession(first)
        #expect(try #require(table.openSession(role: .replica) {}).0.backendIndex == 1)   // 0 sessions vs 1
        #expect(try #require(table.openSession(role: .replica) {}).0.backendIndex == 2)   // tie: after the cursor
        #expect(try #require(table.openSession(role: .replica) {}).0.backendIndex == 1)   // 1 vs 2
    }

    @Test func bytesOfLiveAndEndedSessionsAreCounted() throws {
        let table = table()
        settle(table, primary: 0)
        let (first, _) = try #require(table.openSession(role: .primary) {})
        first.countIn(100)
        first.countOut(1000)
        table.closeSession(first)
        let (second, _) = try #require(table.openSession(role: .primary) {})
        second.countIn(5)
        let backend = table.snapshot().listeners[0].backends[0]
        #expect(backend.bytesIn == 105 && backend.bytesOut == 1000)
        #expect(backend.currentSessions == 1 && backend.totalSessions == 2)
        #expect(backend.healthCheck == "http://127.0.0.1:8008/primary")
    }
}
