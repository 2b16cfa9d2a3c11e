// A three-member cluster in the in-memory DCS, written through `ClusterStore` exactly as three agents
// write it (member keys on their leases, the leader lock, /status, /initialize, /config), plus a terminal
// that records what ctl prints and answers its questions from a script — for the `minipg ctl` tests.
import Foundation
import Testing
@testable import HA

struct CtlTestCluster {
    let clock = ManualClock()
    let store: InMemoryKeyValueStore
    let ctlStore: ClusterStore

    static let labConfig: JSONValue = .object([
        "ttl": .int(30), "loop_wait": .int(10), "retry_timeout": .int(10), "maximum_lag_on_failover": .int(1_048_576),
        "postgresql": .object([
            "use_pg_rewind": .bool(true),
            "pg_hba": .array([.string("local all all trust"), .string("host all all 127.0.0.1/32 md5"),
                              .string("host replication replicator 127.0.0.1/32 md5")]),
            "parameters": .object(["max_connections": .int(100)]),
        ]),
    ])

    init() {
        store = InMemoryKeyValueStore(clock: clock)
        ctlStore = ClusterStore(store: store, scope: "demo", memberName: "minipg-ctl")
    }

    /// Publishes one member the way its agent does.
    @discardableResult
    func publish(_ name: String, port: Int, role: String = "replica", state: String = "running",
                 xlog: Int64? = 67_108_960, timeline: Int? = 1, edit: (inout MemberStatus) -> Void = { _ in }) async throws
        -> ClusterStore {
        let agent = ClusterStore(store: store, scope: "demo", memberName: name)
        try await agent.refreshLease(ttl: 30)
        var status = MemberStatus(connURL: "postgres://127.0.0.1:\(port)/postgres",
                                  apiURL: "http://127.0.0.1:\(port - 5432 + 8008)/patroni", state: state,
                                  role: role, version: "0.1.0")
        status.xlogLocation = xlog
        status.timeline = timeline
        edit(&status)
        try await agent.touchMember(status)
        return agent
    }

    /// patroni1 leads, patroni2 and patroni3 replicate, all at the same position on `timeline`.
    func startLab(leader: String = "patroni1", timeline: Int = 1,
                  edit: (String, inout MemberStatus) -> Void = { _, _ in }) async throws {
        for (index, name) in ["patroni1", "patroni2", "patroni3"].enumerated() {
            let agent = try await publish(name, port: 5432 + index, role: name == leader ? "master" : "replica",
                                          timeline: timeline) { edit(name, &$0) }
            if name == leader {
                #expect(try await agent.attemptToAcquireLeaderLock())
                try await agent.setStatus(LeaderStatus(optime: 67_108_960))
                #expect(try await agent.initialize(systemID: "7712717982980781324"))
                #expect(try await agent.setConfig(DynamicConfig(document: Self.labConfig), expectedRevision: 0))
            }
        }
    }

    func session(terminal: ScriptedTerminal, api: any MemberAPIClient = UnreachableAgents()) -> CtlSession {
        CtlSession(store: ctlStore, scope: "demo", api: api, terminal: terminal,
                   now: { Date(timeIntervalSince1970: 1_795_757_200.095_601) }, pollInterval: .milliseconds(1))
    }
}

/// Records printed text; answers prompts from `answers` in order (end of input when they run out).
final class ScriptedTerminal: CtlTerminal, @unchecked Sendable {
    private let lock = NSLock()
    private var transcript = ""
    private var answers: [String]

    init(answers: [String] = []) { self.answers = answers }

    var output: String { lock.withLock { transcript } }

    func print(_ text: String) { lock.withLock { transcript += text + "\n" } }

    func ask(_ text: String) -> String? {
        lock.withLock {
            transcript += text
            guard !answers.isEmpty else { return nil }
            let answer = answers.removeFirst()
            transcript += answer + "\n"
            return answer
        }
    }
}

/// No agent answers: every REST call fails as a refused connection would.
struct UnreachableAgents: MemberAPIClient {
    struct Refused: Error, CustomStringConvertible { var description: String { "Connection refused" } }
    func send(_ method: String, url: String, body: JSONValue?, timeout: Duration) async throws -> MemberAPIResponse {
        throw Refused()
    }
}

/// Every agent answers every request with the same status and body (an agent's reply to ctl).
struct AnsweringAgents: MemberAPIClient {
    var status: Int
    var body: String
    func send(_ method: String, url: String, body: JSONValue?, timeout: Duration) async throws -> MemberAPIResponse {
        MemberAPIResponse(status: status, body: self.body)
    }
}
