// The REST server as HTTP: basic auth on mutating requests, the body limit, malformed and unknown requests,
// keep-alive with pipelining, and the read endpoints' document shapes (/metrics, /cluster, /history) — all
// over real sockets. Also POST /restart's body rules and what reaches the agent.
import Foundation
import Testing
@testable import HA

@Suite struct RESTServerTests {
    let clock = ManualClock()

    func primaryAgent() -> FakeAgent {
        let agent = FakeAgent(name: "patroni1", store: InMemoryKeyValueStore(clock: clock), clock: clock,
                              status: .primary())
        agent.update { $0.holdsLeaderLock = true }
        return agent
    }

    @Test func mutatingRequestsNeedBasicAuthReadsDoNot() async throws {
        let authentication = RESTAuthentication(username: "admin", password: "s3cret")
        try await RESTTestServer.with(primaryAgent(), authentication: authentication) { server async throws in
            let missing = try await server.send(.POST, "/reload")
            #expect(missing.status == 401 && missing.body == "no auth header received")
            #expect(missing.headers.first(name: "www-authenticate") == #"Basic realm="minipg""#)
            let wrong = try await server.send(.POST, "/reload", credentials: ("admin", "guess"))
            #expect(wrong.status == 401 && wrong.body == "not authenticated")
            let right = try await server.send(.POST, "/reload", credentials: ("admin", "s3cret"))
            #expect(right.status == 202 && right.body == "reload scheduled")
            #expect(try await server.send(.PATCH, "/config", json: #"{"ttl":20}"#).status == 401)
            #expect(try await server.send(.GET, "/patroni").status == 200)
            #expect(try await server.send(.GET, "/config").status == 502)
        }
    }

    @Test func anOversizedBodyIs413AndTheServerGoesOn() async throws {
        try await RESTTestServer.with(primaryAgent()) { server async throws in
            let reply = try await server.send(.PATCH, "/config", body: [UInt8](repeating: 0x20, count: 2 << 20))
            #expect(reply.status == 413)
            #expect(reply.headers.first(name: "connection") == "close")
            #expect(try await server.send(.GET, "/health").status == 200)
        }
    }

    @Test func malformedUnknownAndMisdirectedRequests() async throws {
        try await RESTTestServer.with(primaryAgent()) { server async throws in
            #expect(try await server.raw("this is not http\r\n\r\n").hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
            let trace = try await server.raw("TRACE /patroni HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(trace.hasPrefix("HTTP/1.1 501 Not Implemented\r\n"))
            #expect(trace.hasSuffix("Unsupported method (TRACE)"))
            let delete = try await server.send(.DELETE, "/patroni")
            #expect(delete.status == 405 && delete.headers.first(name: "allow") == "GET, HEAD, OPTIONS")
            let get = try await server.send(.GET, "/switchover")
            #expect(get.status == 405 && get.headers.first(name: "allow") == "POST, DELETE")
            #expect(try await server.send(.GET, "/nowhere").status == 404)
        }
    }

    @Test func aClientThatAsksBeforeSendingItsBodyIsToldToContinue() async throws {
        try await RESTTestServer.with(primaryAgent()) { server async throws in
            let body = #"{"force":false}"#
            let text = try await server.raw("POST /reinitialize HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                                            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body)
            #expect(text.hasPrefix("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 503 Service Unavailable\r\n"))
            #expect(text.hasSuffix("I am the leader, can not reinitialize"))
        }
    }

    @Test func pipelinedRequestsOnOneKeptAliveConnectionAreAnsweredInOrder() async throws {
        try await RESTTestServer.with(primaryAgent()) { server async throws in
            let text = try await server.raw("OPTIONS /primary HTTP/1.1\r\nHost: x\r\n\r\n"
                                            + "GET /replica HTTP/1.1\r\nHost: x\r\n\r\n"
                                            + "HEAD /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            let statusLines = text.components(separatedBy: "HTTP/1.1 ").dropFirst()
                .map { $0.components(separatedBy: "\r\n")[0] }
            #expect(statusLines == ["200 OK", "503 Service Unavailable", "200 OK"])
            #expect(text.hasSuffix("Connection: close\r\n\r\n"))     // HEAD: no body
        }
    }

    @Test func metricsArePrometheusTextWithPatronisNamesAndLabels() async throws {
        try await RESTTestServer.with(primaryAgent()) { server async throws in
            let reply = try await server.send(.GET, "/metrics")
            #expect(reply.status == 200)
            #expect(reply.headers.first(name: "content-type")?.hasPrefix("text/plain; version=0.0.4") == true)
            let lines = reply.body.split(separator: "\n").map(String.init)
            let samples = lines.filter { !$0.hasPrefix("#") }
            #expect(samples.count == 22)
            let sample = try Regex(#"^(patroni_[a-z_]+)\{scope="demo",name="patroni1"\} (-?[0-9]+(\.[0-9]+)?)$"#)
            for line in samples {
                let match = try #require(try sample.wholeMatch(in: line), "\(line)")
                let name = String(match.output[1].substring ?? "")
                #expect(lines.contains { $0.hasPrefix("# HELP \(name) ") })
                #expect(lines.contains("# TYPE \(name) gauge") || lines.contains("# TYPE \(name) counter"))
            }
            for expected in ["patroni_version{scope=\"demo\",name=\"patroni1\"} 000100",
                             "patroni_primary{scope=\"demo\",name=\"patroni1\"} 1",
                             "patroni_replica{scope=\"demo\",name=\"patroni1\"} 0",
                             "patroni_xlog_location{scope=\"demo\",name=\"patroni1\"} 50331744",
                             "patroni_postmaster_start_time{scope=\"demo\",name=\"patroni1\"} 1796000617.966",
                             "patroni_postgres_server_version{scope=\"demo\",name=\"patroni1\"} 150000"] {
                #expect(samples.contains(expected), "\(expected)")
            }
        }
    }

    @Test func clusterAndHistoryDocuments() async throws {
        let agent = primaryAgent()
        let store = agent.clusterStore
        try await store.refreshLease(ttl: 30)
        var leader = MemberStatus(connURL: "postgres://127.0.0.1:5432/postgres", apiURL: "http://127.0.0.1:8008/patroni",
                                  state: "running", role: "master", version: "0.1.0")
        leader.xlogLocation = 3000
        leader.timeline = 2
        try await store.touchMember(leader)
        #expect(try await store.attemptToAcquireLeaderLock())
        try await store.setStatus(LeaderStatus(optime: 3000))
        let replicaNode = ClusterStore(store: store.store, scope: "demo", memberName: "patroni2")
        try await replicaNode.refreshLease(ttl: 30)
        var replica = MemberStatus(connURL: "postgres://127.0.0.1:5433/postgres", apiURL: "http://127.0.0.1:8009/patroni",
                                   state: "running", role: "replica", version: "0.1.0")
        replica.xlogLocation = 1000
        replica.timeline = 2
        replica.tags = ["nofailover": .bool(true)]
        try await replicaNode.touchMember(replica)
        let starting = ClusterStore(store: store.store, scope: "demo", memberName: "patroni3")
        try await starting.refreshLease(ttl: 30)
        try await starting.touchMember(MemberStatus(connURL: "postgres://127.0.0.1:5434/postgres",
                                                    apiURL: "http://127.0.0.1:8010/patroni", state: "starting",
                                                    role: "replica", version: "0.1.0"))
        try await store.setHistory([HistoryLine(timeline: 1, lsn: 2000, reason: "no recovery target specified",
                                                timestamp: "2026-11-30T01:00:00+00:00", newLeader: "patroni1")])
        try await RESTTestServer.with(agent) { server async throws in
            let cluster = try await server.send(.GET, "/cluster")
            #expect(cluster.status == 200)
            #expect(cluster.body == #"{"members":["#
                + #"{"api_url":"http://127.0.0.1:8008/patroni","host":"127.0.0.1","name":"patroni1","port":5432,"#
                + #""role":"leader","state":"running","timeline":2},"#
                + #"{"api_url":"http://127.0.0.1:8009/patroni","host":"127.0.0.1","lag":2000,"name":"patroni2","#
                + #""port":5433,"role":"replica","state":"running","tags":{"nofailover":true},"timeline":2},"#
                + #"{"api_url":"http://127.0.0.1:8010/patroni","host":"127.0.0.1","lag":"unknown","name":"patroni3","#
                + #""port":5434,"role":"replica","state":"starting"}],"scope":"demo"}"#)
            let history = try await server.send(.GET, "/history")
            #expect(history.body == #"[[1,2000,"no recovery target specified","2026-11-30T01:00:00+00:00","patroni1"]]"#)
        }
    }

    @Test func restartBodyIsCheckedBeforeTheAgentIsAsked() async throws {
        let agent = primaryAgent()
        try await RESTTestServer.with(agent) { server async throws in
            let refusals: [(body: String, status: Int, text: String)] = [
                (#"{"role":"leader"}"#, 400, "PostgreSQL role should be either primary or replica"),
                (#"{"when":"now"}"#, 400, "Unknown filter for the scheduled restart: when"),
                (#"{"timeout":"0"}"#, 400, "Timeout should be a positive number of seconds"),
                (#"{"postgres_version":"fifteen"}"#, 400,
                 #"Invalid PostgreSQL version format: X.Y or X.Y.Z is accepted: "fifteen""#),
                (#"{"schedule":"2020-01-01T00:00:00+00:00"}"#, 422, "Cannot schedule restart in the past"),
            ]
            for (body, status, text) in refusals {
                let reply = try await server.send(.POST, "/restart", json: body)
                #expect(reply.status == status && reply.body == text, "\(body)")
            }
            #expect(agent.current.restartRequests.isEmpty)

            let reply = try await server.send(.POST, "/restart", json:
                #"{"role":"master","postgres_version":"15.2","restart_pending":true,"timeout":"2min"}"#)
            #expect(reply.status == 200 && reply.body == "restarted successfully")
            #expect(agent.current.restartRequests == [RestartRequest(role: "primary", postgresVersion: 150002,
                                                                      restartPending: true, timeout: .seconds(120))])
            #expect(try await server.send(.POST, "/restart").status == 200)       // no body: restart now
            #expect(try await server.send(.DELETE, "/restart").status == 404)

            let reinit = try await server.send(.POST, "/reinitialize", json: #"{"force":true}"#)
            #expect(reinit.status == 503 && reinit.body == "I am the leader, can not reinitialize")
            #expect(agent.current.reinitializeForced == [true])
        }
    }
}
