// `minipg proxy -c proxy.yml` as a user runs it: the real binary, a configuration file, psql through
// its primary port to a real minipg server, the stats page, and SIGTERM ending it cleanly; a broken
// file is refused with the key at fault and exit status 1.
import Dispatch
import Foundation
import NIOPosix
import Testing
@testable import Proxy

@Suite(.serialized) struct ProxyCommandTests {
    func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }

    func writeConfiguration(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("proxytest-\(UUID().uuidString.prefix(8)).yml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func aBrokenConfigurationIsRefusedWithTheKeyAtFault() throws {
        let path = try writeConfiguration("""
            backends:
              - {name: patroni1, host: 127.0.0.1, port: 70000, check_url: http://127.0.0.1:8008}
            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try TestTools.run(TestTools.minipgBinary, ["proxy", "-c", path])
        #expect(result.status == 1)
        #expect(result.output == "minipg proxy: \(path): backends[0].port: expected an integer 1-65535, got \"70000\"\n")
    }

    @Test func theProxyCommandRoutesToThePrimaryAndStopsOnSIGTERM() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = try await blocking { try BackendServer(name: "nodeA") }
        defer { server.stop() }
        let agent = try await StandInAgent(role: .primary, group: group)
        let (primaryPort, replicaPort, statsPort) = (TestTools.freePort(), TestTools.freePort(), TestTools.freePort())
        let path = try writeConfiguration("""
            listeners:
              primary: 127.0.0.1:\(primaryPort)
              replicas: 127.0.0.1:\(replicaPort)
            stats: 127.0.0.1:\(statsPort)
            backends:
              - name: nodeA
                host: 127.0.0.1
                port: \(server.port)
                check_url: \(agent.url)
            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let proxy = try TestTools.start(TestTools.minipgBinary, ["proxy", "-c", path])

        var reached = (status: Int32(-1), output: "")
        for _ in 0..<200 where reached.status != 0 {    // until the listener is up and the first check passed
            reached = try await blocking { try TestTools.psql(port: primaryPort, "select name from whoami") }
            if reached.status != 0 { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(reached == (0, "nodeA\n"))
        let json = try await blocking { try TestTools.run("/usr/bin/curl", ["-sf", "http://127.0.0.1:\(statsPort)/;json"]) }
        let stats = try StatsSnapshot.decode(json: Data(json.output.utf8))
        #expect(stats.listeners[0].routesTo == "nodeA")
        #expect(stats.listeners[1].backends[0].outOfRotationReason == "check failed: HTTP 503")

        kill(proxy.process.processIdentifier, SIGTERM)
        let ended = try await blocking { proxy.wait(timeoutSeconds: 60) }
        #expect(ended.status == 0)
        #expect(ended.output.contains("LOG:  backend nodeA is UP for the primary listener"))
        #expect(ended.output.contains("WARNING:  backend nodeA is DOWN for the replicas listener, reason: HTTP 503 (first check)"))
        #expect(ended.output.contains("LOG:  proxy stopped"))
        await agent.close()
        try await group.shutdownGracefully()
    }
}
