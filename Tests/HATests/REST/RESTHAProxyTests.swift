// The REST API under the client it exists for: a real HAProxy 2.6 with the lab's health check
// (`option httpchk OPTIONS /primary`, `http-check expect status 200` — HTTP/1.0 requests, one per
// connection). HAProxy's own stats page says whether it would route to the node; the test flips the
// node from primary to replica and back and waits for HAProxy to see each change.
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import Testing
@testable import HA

@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/sbin/haproxy")))
struct RESTHAProxyTests {
    /// HAProxy's view of `primary/node1` from its CSV stats: (status, last check status, last check code).
    static func backendState(statsPort: Int, client: HTTPClient) async throws -> [String] {
        let response = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(statsPort)/;csv"),
                                                timeout: .seconds(5))
        let csv = String(buffer: try await response.body.collect(upTo: 1 << 20))
        guard let line = csv.split(separator: "\n").first(where: { $0.hasPrefix("primary,node1,") }) else { return [] }
        let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return fields.count > 37 ? [fields[17], fields[36], fields[37]] : []
    }

    /// Polls HAProxy's stats until `predicate` holds (at most 600 looks, 50 ms apart); returns the last state.
    static func awaitState(statsPort: Int, client: HTTPClient,
                           until predicate: ([String]) -> Bool) async throws -> [String] {
        var state: [String] = []
        for _ in 0..<600 {
            state = try await backendState(statsPort: statsPort, client: client)
            if predicate(state) { return state }
            try await Task.sleep(for: .milliseconds(50))
        }
        return state
    }

    @Test func haproxyMarksThePrimaryUpAndADemotedNodeDown() async throws {
        let clock = ManualClock()
        let agent = FakeAgent(name: "patroni1", store: InMemoryKeyValueStore(clock: clock), clock: clock,
                              status: .primary())
        agent.update { $0.holdsLeaderLock = true }
        try await RESTTestServer.with(agent) { server async throws in
            let ports = LoopbackPorts.free(count: 2)
            let (statsPort, frontPort) = (ports[0], ports[1])
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("minipg-rest-haproxy-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let configPath = directory.appendingPathComponent("haproxy.cfg").path
            try """
                global
                    maxconn 100
                defaults
                    mode tcp
                    timeout client 30s
                    timeout connect 1s
                    timeout server 30s
                    timeout check 5s
                listen stats
                    mode http
                    bind 127.0.0.1:\(statsPort)
                    stats enable
                    stats uri /
                listen primary
                    bind 127.0.0.1:\(frontPort)
                    option httpchk OPTIONS /primary
                    http-check expect status 200
                    default-server inter 100ms fall 1 rise 1
                    server node1 127.0.0.1:5432 check port \(server.port)

                """.write(toFile: configPath, atomically: true, encoding: .utf8)
            let haproxy = Process()
            haproxy.executableURL = URL(fileURLWithPath: "/usr/sbin/haproxy")
            haproxy.arguments = ["-db", "-f", configPath]
            haproxy.standardOutput = FileHandle.nullDevice
            haproxy.standardError = FileHandle.nullDevice
            try haproxy.run()
            defer {
                haproxy.terminate()
                haproxy.waitUntilExit()
            }
            // HAProxy starts a server as UP with check status "* INI" before its first check: wait for the check.
            let up = try await Self.awaitState(statsPort: statsPort, client: server.client) {
                $0.first == "UP" && $0.dropFirst().first == "L7OK"
            }
            #expect(up == ["UP", "L7OK", "200"])

            agent.update {
                $0.holdsLeaderLock = false
                $0.status = .replica()
            }
            let down = try await Self.awaitState(statsPort: statsPort, client: server.client) { $0 == ["DOWN", "L7STS", "503"] }
            #expect(down == ["DOWN", "L7STS", "503"])

            agent.update {
                $0.holdsLeaderLock = true
                $0.status = .primary()
            }
            let upAgain = try await Self.awaitState(statsPort: statsPort, client: server.client) { $0 == ["UP", "L7OK", "200"] }
            #expect(upAgain.first == "UP")
        }
    }
}
