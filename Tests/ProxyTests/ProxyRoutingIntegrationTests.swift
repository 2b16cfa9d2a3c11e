// Real `minipg server` instances behind the proxy, reached with the real psql, while stand-in agents
// answer the health checks as the test decides: the primary listener reaches the backend whose check
// says primary; flipping the checks moves new sessions and cuts the old primary's session at once; the
// replica listener spreads sessions over two standbys; the stats JSON and HTML show all of it.
import Dispatch
import Foundation
import Logging
import NIOPosix
import Testing
@testable import Proxy

@Suite(.serialized) struct ProxyRoutingIntegrationTests {
    /// Fast checks so that a test's flips take effect within a fraction of a second.
    static func configuration(backends: [(BackendServer, StandInAgent)]) -> ProxyConfiguration {
        var configuration = ProxyConfiguration(backends: backends.map { server, agent in
            .init(name: server.name, address: .init(host: "127.0.0.1", port: server.port), checkURL: agent.url)
        })
        configuration.primaryListener = .init(host: "127.0.0.1", port: 0)
        configuration.replicaListener = .init(host: "127.0.0.1", port: 0)
        configuration.statsListener = .init(host: "127.0.0.1", port: 0)
        configuration.check = CheckSettings(interval: .milliseconds(100), fastInterval: .milliseconds(50),
                                            fall: 2, rise: 2, timeout: .seconds(2))
        return configuration
    }

    /// Runs blocking work (processes, psql) off Swift's cooperative pool, which the checks need.
    func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Polls the stats until `condition` holds (the checks run on their own schedule).
    func waitUntil(_ what: String, _ service: ProxyService,
                   _ condition: (StatsSnapshot) -> Bool) async throws {
        for _ in 0..<600 {
            if condition(service.table.snapshot()) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("timed out waiting until \(what); stats:\n\(String(decoding: service.table.snapshot().json(), as: UTF8.self))")
    }

    func whoami(port: Int) async throws -> (status: Int32, output: String) {
        try await blocking { try TestTools.psql(port: port, "select name from whoami") }
    }

    /// With no primary in rotation (a failover in progress) a new client of the primary listener waits
    /// for one instead of being closed, and lands on it once the checks see it: psql's reset after a
    /// cut session reconnects to the new primary.
    @Test func aPrimaryClientWaitsForTheNextPrimary() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = try await blocking { try BackendServer(name: "nodeA") }
        defer { server.stop() }
        let agent = try await StandInAgent(role: .replica, group: group)
        let service = try await ProxyService.start(configuration: Self.configuration(backends: [(server, agent)]),
                                                   logger: Logger(label: "proxy-test"))
        let primaryPort = try #require(service.port(of: .primary))
        try await waitUntil("nodeA is checked and is not a primary", service) {
            $0.listeners[0].backends[0].state == "DOWN"
        }

        let waiting = try TestTools.start(TestTools.psqlPath, TestTools.psqlArguments(port: primaryPort, "select name from whoami"))
        try await Task.sleep(for: .milliseconds(500))
        agent.set(.primary)                                 // the promotion the client was waiting for
        let answer = try await blocking { waiting.wait(timeoutSeconds: 60) }
        #expect(answer.status == 0 && answer.output == "nodeA\n", "\(answer.output)")
        #expect(service.table.snapshot().listeners[0].refusedSessions == 0)
    }

    /// The primary died but its check still says primary (the next check is seconds away): a new client's
    /// connect to it is refused, and the client is routed again instead of closed — psql's reset right
    /// after its session was cut reaches the next primary.
    @Test func aClientRefusedByADeadPrimaryIsRoutedAgain() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let servers = try await blocking { [try BackendServer(name: "nodeA"), try BackendServer(name: "nodeB")] }
        defer { for server in servers { server.stop() } }
        let agentA = try await StandInAgent(role: .primary, group: group)
        let agentB = try await StandInAgent(role: .replica, group: group)
        let service = try await ProxyService.start(
            configuration: Self.configuration(backends: [(servers[0], agentA), (servers[1], agentB)]),
            logger: Logger(label: "proxy-test"))
        let primaryPort = try #require(service.port(of: .primary))
        try await waitUntil("nodeA is the primary", service) { $0.listeners[0].routesTo == "nodeA" }

        servers[0].stop()                                   // dead, while its agent still answers 200
        let waiting = try TestTools.start(TestTools.psqlPath, TestTools.psqlArguments(port: primaryPort, "select name from whoami"))
        try await Task.sleep(for: .milliseconds(500))
        agentA.set(.replica)
        agentB.set(.primary)
        let answer = try await blocking { waiting.wait(timeoutSeconds: 60) }
        #expect(answer.status == 0 && answer.output == "nodeB\n", "\(answer.output)")
    }

    @Test func primaryListenerFollowsTheChecksAndCutsTheOldPrimarysSessions() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let servers = try await blocking { [try BackendServer(name: "nodeA"), try BackendServer(name: "nodeB")] }
        let agentA = try await StandInAgent(role: .primary, group: group)
        let agentB = try await StandInAgent(role: .replica, group: group)
        let service = try await ProxyService.start(
            configuration: Self.configuration(backends: [(servers[0], agentA), (servers[1], agentB)]),
            logger: Logger(label: "proxy-test"))
        defer { for server in servers { server.stop() } }
        let primaryPort = try #require(service.port(of: .primary))

        try await waitUntil("nodeA is the primary", service) { $0.listeners[0].routesTo == "nodeA" }
        #expect(try await whoami(port: primaryPort) == (0, "nodeA\n"))

        let held = try TestTools.start(TestTools.psqlPath, TestTools.psqlArguments(port: primaryPort, "select pg_sleep(300)"))
        try await waitUntil("the held session is open", service) { $0.listeners[0].backends[0].currentSessions == 1 }

        agentA.set(.replica)                               // a switchover, as the checks see it
        agentB.set(.primary)
        let cut = try await blocking { held.wait(timeoutSeconds: 120) }
        #expect(cut.status != 0)
        #expect(cut.output.contains("server closed the connection unexpectedly"))

        try await waitUntil("nodeB is the primary", service) { $0.listeners[0].routesTo == "nodeB" }
        #expect(try await whoami(port: primaryPort) == (0, "nodeB\n"))
        let stats = service.table.snapshot().listeners[0]
        #expect(stats.backends[0].state == "DOWN")
        #expect(stats.backends[0].outOfRotationReason == "check failed: HTTP 503")
        #expect(stats.backends.map(\.totalSessions) == [2, 1])

        await service.stop()
        await agentA.close()
        await agentB.close()
        try await group.shutdownGracefully()
    }

    @Test func replicaListenerSpreadsOverTheStandbysAndTheStatsPageShowsIt() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let servers = try await blocking { [try BackendServer(name: "nodeA"), try BackendServer(name: "nodeB")] }
        let agentA = try await StandInAgent(role: .replica, group: group)
        let agentB = try await StandInAgent(role: .replica, group: group)
        let service = try await ProxyService.start(
            configuration: Self.configuration(backends: [(servers[0], agentA), (servers[1], agentB)]),
            logger: Logger(label: "proxy-test"))
        defer { for server in servers { server.stop() } }
        let replicaPort = try #require(service.port(of: .replica))
        let primaryPort = try #require(service.port(of: .primary))
        let statsPort = try #require(service.statsPort)

        try await waitUntil("both standbys are in rotation", service) { $0.listeners[1].backends.allSatisfy(\.inRotation) }
        var reached: [String] = []
        for _ in 0..<4 { reached.append(try await whoami(port: replicaPort).output) }
        #expect(reached == ["nodeA\n", "nodeB\n", "nodeA\n", "nodeB\n"])
        let noPrimary = try await whoami(port: primaryPort)  // nobody passes /primary: refused at once
        #expect(noPrimary.status != 0)

        let json = try await blocking { try TestTools.run("/usr/bin/curl", ["-sf", "http://127.0.0.1:\(statsPort)/stats.json"]) }
        #expect(json.status == 0)
        let stats = try StatsSnapshot.decode(json: Data(json.output.utf8))
        #expect(stats.listeners.map(\.name) == ["primary", "replicas"])
        #expect(stats.listeners[0].note == "no backend passes GET /primary")
        #expect(stats.listeners[0].refusedSessions == 1)
        #expect(stats.listeners[0].backends.map(\.outOfRotationReason) == ["check failed: HTTP 503", "check failed: HTTP 503"])
        #expect(stats.listeners[1].totalSessions == 4)
        #expect(stats.listeners[1].backends.map(\.totalSessions) == [2, 2])
        #expect(stats.listeners[1].backends.allSatisfy { $0.bytesIn > 0 && $0.bytesOut > $0.bytesIn })
        #expect(stats.listeners[1].backends.allSatisfy { $0.state == "UP" && $0.lastCheck == "HTTP 200" })

        let html = try await blocking { try TestTools.run("/usr/bin/curl", ["-sf", "http://127.0.0.1:\(statsPort)/"]) }
        #expect(html.output.contains("<td>nodeB</td>"))
        #expect(html.output.contains("check failed: HTTP 503"))

        agentB.set(.down)                                  // nodeB's agent stops vouching for it
        try await waitUntil("nodeB leaves the replica rotation", service) { !$0.listeners[1].backends[1].inRotation }
        for _ in 0..<2 { #expect(try await whoami(port: replicaPort).output == "nodeA\n") }

        await service.stop()
        await agentA.close()
        await agentB.close()
        try await group.shutdownGracefully()
    }
}
