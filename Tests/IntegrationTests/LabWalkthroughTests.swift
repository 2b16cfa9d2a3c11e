// LabWalkthroughTests: docs/lab.md, step by step, against a real lab — `minipg cluster up` in a
// temporary directory (3 real etcd members, 3 nodes, the proxy), driven with the commands the guide
// shows (minipg cluster / minipg ctl, psql, etcdctl, curl) and checked against what the guide says
// they print:
//
//   cluster ps (seven services Up) → ctl list (the table's columns, one Leader, two streaming Replicas)
//   → REST /patroni (role master / replica) → show-config → failover answering its two prompts →
//   failover with flags → switchover → edit-config max_connections 150 → Pending restart → restart,
//   leader last → 150 everywhere → etcdctl member list and the keys under /service/demo → replication
//   (pg_stat_replication, create table through 5000, \dt and pg_is_in_recovery() on every node, 5001 →
//   a standby) → a psql session held through 5000 is cut when the leader is killed, and a new one lands
//   on the new primary → a second node killed: the leader keeps leading, 5001 has nobody → cluster logs.
//
// Every wait polls for the state the guide describes, with a generous deadline; no duration is asserted.

import Foundation
import XCTest

final class LabWalkthroughTests: XCTestCase {
    func testTheLabAsDocumented() throws {
        guard let etcdctl = TestEnvironment.tool("etcdctl"), let curl = TestEnvironment.tool("curl") else {
            throw XCTSkip("etcdctl or curl is not installed")
        }
        try HALab.with(synchronousMode: false) { lab in
            let guide = LabGuide(lab: lab, etcdctl: etcdctl, curl: curl)
            let members = try lab.waitForMembers("a leader and two streaming replicas") { members in
                members.count == 3 && members.filter { $0.role == "Leader" }.count == 1
                    && members.filter { $0.state == "streaming" }.count == 2
            }
            try guide.processes()
            try guide.whoIsTheLeader(members)
            try guide.failovers()
            try guide.editConfigAndRestart()
            try guide.etcd()
            try guide.replication()
            let killed = try guide.heldSessionAcrossAFailover()
            try guide.secondNodeKilled(firstKilled: killed)
            try guide.logs()
        }
    }
}

/// The steps of docs/lab.md, each checking what the guide shows.
struct LabGuide {
    let lab: HALab
    let etcdctl: String
    let curl: String

    private var ctlConfig: String { lab.directory + "/minipg-ctl.yml" }

    // MARK: Step 1 — the processes

    func processes() throws {
        let ps = try lab.minipg("cluster", "ps", "--dir", lab.directory)
        let lines = ps.output.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first?.split(separator: " ", omittingEmptySubsequences: true),
                       ["Name", "Command", "State", "Ports"], ps.output)
        let services = lines.dropFirst(2)
        XCTAssertEqual(services.compactMap { $0.split(separator: " ").first.map(String.init) },
                       ["demo-etcd1", "demo-etcd2", "demo-etcd3", "demo-patroni1", "demo-patroni2", "demo-patroni3",
                        "demo-proxy"], ps.output)
        XCTAssertTrue(services.allSatisfy { $0.contains(" Up ") }, ps.output)
        XCTAssertTrue(ps.output.contains("127.0.0.1:\(lab.proxyPort), \(lab.proxyPort + 1), \(lab.proxyPort + 2000)"),
                      ps.output)
    }

    // MARK: Step 2 — who is the leader

    func whoIsTheLeader(_ members: [ListedMember]) throws {
        let list = try lab.ctl("list")
        let lines = list.output.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines[0].hasPrefix("+ Cluster: demo ("), list.output)
        XCTAssertEqual(cells(lines[1]), ["Member", "Host", "Role", "State", "TL", "Lag in MB"], list.output)
        let rows = lines.filter { $0.hasPrefix("| patroni") }.map(cells)
        XCTAssertEqual(rows.map { $0[0] }, ["patroni1", "patroni2", "patroni3"], list.output)
        XCTAssertEqual(rows.filter { $0[2] == "Leader" && $0[3] == "running" && $0[5].isEmpty }.count, 1, list.output)
        XCTAssertEqual(rows.filter { $0[2] == "Replica" && $0[3] == "streaming" && $0[5] == "0" }.count, 2, list.output)

        let leader = try XCTUnwrap(members.first { $0.role == "Leader" }).name
        XCTAssertEqual(try rest(leader, "/patroni")["role"] as? String, "master")
        for replica in members.filter({ $0.role == "Replica" }) {
            let status = try rest(replica.name, "/patroni")
            XCTAssertEqual(status["role"] as? String, "replica")
            XCTAssertEqual(status["replication_state"] as? String, "streaming")
        }

        let config = try lab.ctl("show-config").output
        for line in ["loop_wait: \(lab.loopWait)\n", "ttl: \(lab.ttl)\n", "retry_timeout: \(lab.retryTimeout)\n",
                     "    max_connections: 100\n", "  use_pg_rewind: true\n"] {
            XCTAssertTrue(config.contains(line), "show-config lacks \(line): \(config)")
        }
    }

    // MARK: Step 3 — failover (prompts, then flags) and switchover

    func failovers() throws {
        let leader = try lab.leader()
        let others = ["patroni1", "patroni2", "patroni3"].filter { $0 != leader }
        let prompted = try runCommand(TestEnvironment.minipgBinary, ["ctl", "-c", ctlConfig, "failover"],
                                      input: "\(others[0])\ny\n")
        XCTAssertEqual(prompted.status, 0, prompted.output)
        XCTAssertTrue(prompted.output.hasPrefix("Current cluster topology\n"), prompted.output)
        XCTAssertTrue(prompted.output.contains("Candidate ['\(others[0])', '\(others[1])'] []: "), prompted.output)
        XCTAssertTrue(prompted.output.contains(
            "Are you sure you want to failover cluster demo, demoting current leader \(leader)? [y/N]: "), prompted.output)
        XCTAssertTrue(prompted.output.contains(" Successfully failed over to \"\(others[0])\"\n"), prompted.output)
        try waitForLeader(others[0], following: [leader, others[1]])

        let flagged = try lab.ctl("failover", "--candidate", others[1], "--force")
        XCTAssertTrue(flagged.output.contains(" Successfully failed over to \"\(others[1])\"\n"), flagged.output)
        try waitForLeader(others[1], following: [leader, others[0]])

        let switchover = try lab.ctl("switchover", "--leader", others[1], "--candidate", leader, "--force")
        XCTAssertTrue(switchover.output.contains(" Successfully switched over to \"\(leader)\"\n"), switchover.output)
        try waitForLeader(leader, following: others)

        let history = try lab.ctl("history").output
        XCTAssertEqual(history.split(separator: "\n").filter { $0.contains("no recovery target specified") }.count, 3,
                       history)
    }

    /// Waits until `leader` leads on a timeline every streaming `follower` shares (the old leader of a
    /// failover shows "stopped", then "in archive recovery", then "streaming").
    private func waitForLeader(_ leader: String, following followers: [String]) throws {
        try lab.waitForMembers("\(leader) leads, \(followers) stream from it") { members in
            guard let top = members.first(where: { $0.name == leader && $0.role == "Leader" }) else { return false }
            return followers.allSatisfy { name in
                members.contains { $0.name == name && $0.state == "streaming" && $0.timeline == top.timeline }
            }
        }
    }

    // MARK: Step 4 — edit-config, pending restart, restart with the leader last

    func editConfigAndRestart() throws {
        let edit = try lab.ctl("edit-config", "-p", "max_connections=150", "--force")
        XCTAssertTrue(edit.output.contains("-    max_connections: 100\n+    max_connections: 150\n"), edit.output)
        XCTAssertTrue(edit.output.hasSuffix("Configuration changed\n"), edit.output)
        try lab.waitForMembers("Pending restart on every member") { $0.count == 3 && $0.allSatisfy(\.pendingRestart) }
        let list = try lab.ctl("list").output
        XCTAssertEqual(cells(list.split(separator: "\n").map(String.init)[1]).last, "Pending restart", list)

        let leader = try lab.leader()
        let order = ["patroni1", "patroni2", "patroni3"].filter { $0 != leader } + [leader]
        for member in order {
            let restart = try lab.ctl("restart", "demo", member, "--force")
            XCTAssertTrue(restart.output.hasSuffix("Success: restart on member \(member)\n"), restart.output)
        }
        try lab.waitForMembers("no restart pending, \(leader) leads, two replicas stream") { members in
            members.count == 3 && members.allSatisfy { !$0.pendingRestart }
                && members.contains { $0.name == leader && $0.role == "Leader" }
                && members.filter { $0.state == "streaming" }.count == 2
        }
        for member in order {
            XCTAssertEqual(try lab.sql(lab.port(of: member), "show max_connections").output, "150\n", member)
        }
    }

    // MARK: Step 5 — etcd

    func etcd() throws {
        let members = try etcdctlRun("member", "list")
        XCTAssertEqual(members.output.split(separator: "\n").filter { $0.contains(", started, etcd") }.count, 3,
                       members.output)
        let keys = try etcdctlRun("get", "--prefix", "--keys-only", "/service/demo")
        XCTAssertEqual(Set(keys.output.split(separator: "\n").map(String.init)),
                       ["/service/demo/config", "/service/demo/history", "/service/demo/initialize",
                        "/service/demo/leader", "/service/demo/members/patroni1", "/service/demo/members/patroni2",
                        "/service/demo/members/patroni3", "/service/demo/status"], keys.output)
        let leaderKey = try etcdctlRun("get", "--print-value-only", "/service/demo/leader")
        XCTAssertEqual(leaderKey.output, try lab.leader() + "\n")
        let config = try etcdctlRun("get", "--print-value-only", "/service/demo/config")
        XCTAssertTrue(config.output.contains("\"max_connections\":150"), config.output)
    }

    private func etcdctlRun(_ arguments: String...) throws -> CommandResult {
        let result = try runCommand(etcdctl, ["--endpoints=127.0.0.1:\(2379 + lab.offset)"] + arguments,
                                    environment: ["ETCDCTL_API": "3"], timeoutSeconds: 30)
        guard result.status == 0 else { throw TestFailure("etcdctl \(arguments): \(result.output)") }
        return result
    }

    // MARK: Step 6 — replication

    func replication() throws {
        let leader = try lab.leader()
        // The restarts of step 4 just ended: the standbys may still be reconnecting their WAL receivers.
        let streaming = ["patroni1", "patroni2", "patroni3"].filter { $0 != leader }.map { "\($0)|streaming\n" }.joined()
        try lab.waitUntil("both standbys stream from \(leader) again") {
            try lab.sql(lab.proxyPort, "select application_name, state from pg_stat_replication order by 1").output == streaming
        }
        XCTAssertEqual(try lab.sql(lab.proxyPort, "create table lab (id int primary key, note text)").status, 0)
        XCTAssertEqual(try lab.sql(lab.proxyPort, "insert into lab values (1, 'written through 5000')").status, 0)
        for member in ["patroni1", "patroni2", "patroni3"] {
            let port = try lab.port(of: member)
            try lab.waitUntil("\(member) lists table lab") {
                try lab.sql(port, "\\dt").output == "public|lab|table|postgres\n"
            }
            XCTAssertEqual(try lab.sql(port, "select pg_is_in_recovery(), note from lab").output,
                           (member == leader ? "f" : "t") + "|written through 5000\n", member)
        }
        XCTAssertEqual(try lab.sql(lab.proxyPort + 1, "select pg_is_in_recovery()").output, "t\n")
    }

    // MARK: Step 7 — a session held through 5000 across a failover

    /// Returns the killed leader.
    func heldSessionAcrossAFailover() throws -> String {
        let session = try HeldPsql(port: lab.proxyPort)
        defer { session.close() }
        session.send("select pg_is_in_recovery(), count(*) from lab;")
        try session.waitForOutput(containing: " f                 |     1")
        let killed = try lab.killLeader()
        session.send("select pg_is_in_recovery(), count(*) from lab;")
        try session.waitForOutput(containing: "server closed the connection unexpectedly")

        let survivors = ["patroni1", "patroni2", "patroni3"].filter { $0 != killed }
        let members = try lab.waitForMembers("a new leader among \(survivors)") { members in
            members.contains { survivors.contains($0.name) && $0.role == "Leader" && $0.state == "running" }
        }
        let newLeader = try XCTUnwrap(members.first { $0.role == "Leader" }).name
        try lab.waitUntil("a new session through 5000 reaches a primary") {
            try lab.sql(lab.proxyPort, "select pg_is_in_recovery(), count(*) from lab").output == "f|1\n"
        }
        let stats = try JSONSerialization.jsonObject(with: Data(try curlGet(lab.proxyPort + 2000, "/stats.json").utf8))
        let listeners = (stats as? [String: Any])?["listeners"] as? [[String: Any]] ?? []
        XCTAssertEqual(listeners.first { $0["name"] as? String == "primary" }?["routes_to"] as? String, newLeader,
                       "\(listeners)")
        return killed
    }

    // MARK: Step 8 — a second node killed

    func secondNodeKilled(firstKilled: String) throws {
        let leader = try lab.leader()
        let replica = try XCTUnwrap(["patroni1", "patroni2", "patroni3"].first { $0 != leader && $0 != firstKilled })
        try lab.minipg("cluster", "kill", "--dir", lab.directory, "demo-\(replica)")
        try lab.waitForMembers("only \(leader) is listed, as the leader") { members in
            members.map(\.name) == [leader] && members[0].role == "Leader"
        }
        XCTAssertEqual(try lab.sql(lab.proxyPort, "insert into lab values (2, 'one node left')").output, "INSERT 0 1\n")
        try lab.waitUntil("5001 refuses: no standby is up") {
            try lab.sql(lab.proxyPort + 1, "select 1").output.contains("server closed the connection unexpectedly")
        }
    }

    // MARK: Step 9 — troubleshooting

    func logs() throws {
        let leader = try lab.leader()
        let log = try lab.minipg("cluster", "logs", "--dir", lab.directory, "demo-\(leader)").output
        XCTAssertTrue(log.contains("LOG:  promoted self to leader by acquiring session lock"), String(log.suffix(2000)))
        let tail = try lab.minipg("cluster", "logs", "--dir", lab.directory, "demo-\(leader)", "--tail", "3").output
        XCTAssertEqual(tail.split(separator: "\n").count, 3, tail)
    }

    // MARK: Helpers

    /// The cells of one row of a ctl table: "| a | b |" → ["a", "b"].
    private func cells(_ row: String) -> [String] {
        row.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
            .map { $0.trimmingCharacters(in: .whitespaces) }
    }

    private func rest(_ member: String, _ path: String) throws -> [String: Any] {
        let port = try lab.port(of: member) - 5432 + 8008
        let body = try curlGet(port, path)
        guard let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else {
            throw TestFailure("\(member) \(path): \(body)")
        }
        return object
    }

    private func curlGet(_ port: Int, _ path: String) throws -> String {
        try runCommand(curl, ["-s", "http://127.0.0.1:\(port)\(path)"], timeoutSeconds: 30).output
    }
}

/// A psql session kept open on a pipe, as a person keeps one open in a terminal: statements are sent
/// one by one and its output (psql flushes after each result) is read from a file.
final class HeldPsql {
    private let process = Process()
    private let input = Pipe()
    private let outputFile: String

    init(port: Int) throws {
        outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("held-psql-\(UUID().uuidString).out").path
        FileManager.default.createFile(atPath: outputFile, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputFile))
        process.executableURL = URL(fileURLWithPath: TestEnvironment.tool("psql") ?? "/usr/bin/psql")
        process.arguments = ["-h", "localhost", "-p", "\(port)", "-U", "postgres", "-d", "postgres"]
        var environment = ProcessInfo.processInfo.environment
        environment["PGPASSWORD"] = "postgres"
        process.environment = environment
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
    }

    func send(_ line: String) { input.fileHandleForWriting.write(Data((line + "\n").utf8)) }

    var output: String { (try? String(contentsOfFile: outputFile, encoding: .utf8)) ?? "" }

    func waitForOutput(containing text: String) throws {
        let deadline = Date().addingTimeInterval(60)
        while !output.contains(text) {
            if Date() > deadline { throw TestFailure("psql never printed \(text); it printed:\n\(output)") }
            usleep(100_000)
        }
    }

    func close() {
        try? input.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: outputFile)
    }
}
