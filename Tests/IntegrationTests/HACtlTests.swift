// HACtlTests: `minipg ctl` against a real HA cluster — one real etcd, three `minipg node` agents with
// their servers, all on free loopback ports — as an operator uses it in the lab (issue 5):
//
//   * list shows the leader and two streaming replicas under " Cluster: demo (<sysid>) ", and -f json
//     has patronictl's keys;
//   * edit-config -p max_connections=150 → "Pending restart" on every member → restart of one replica
//     clears it there, and its server now says 150;
//   * switchover --candidate → the candidate leads, history has one line naming it;
//   * pause / resume change what list shows ("Maintenance mode: on").
// Waits poll with a generous deadline; no duration is asserted.

import Foundation
import XCTest

final class HACtlTests: XCTestCase {
    func testListEditConfigRestartSwitchoverPause() throws {
        guard let etcd = TestEnvironment.tool("etcd") else { throw XCTSkip("etcd is not installed") }
        let lab = try HACtlLab(etcd: etcd)
        defer { lab.stop() }
        let first = try lab.waitForMembers { members in
            members.filter { $0["Role"] as? String == "Leader" }.count == 1
                && members.filter { $0["State"] as? String == "streaming" }.count == 2
        }
        let leader = try XCTUnwrap(first.first { $0["Role"] as? String == "Leader" }?["Member"] as? String)
        let replicas = first.compactMap { $0["Role"] as? String == "Replica" ? $0["Member"] as? String : nil }.sorted()

        let list = try lab.ctl(["list"])
        XCTAssertEqual(list.status, 0, list.output)
        let lines = list.output.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines[0].hasPrefix("+ Cluster: demo ("), list.output)
        XCTAssertEqual(lines[1], "| Member | Host            | Role    | State     | TL | Lag in MB |", list.output)
        XCTAssertEqual(lines.count, 7, list.output)

        let edit = try lab.ctl(["edit-config", "-p", "max_connections=150", "--force"])
        XCTAssertEqual(edit.status, 0, edit.output)
        XCTAssertTrue(edit.output.contains("-    max_connections: 100\n+    max_connections: 150\n"), edit.output)
        XCTAssertTrue(edit.output.hasSuffix("Configuration changed\n"), edit.output)
        _ = try lab.waitForMembers { $0.allSatisfy { $0["Pending restart"] as? String == "*" } }
        XCTAssertTrue(try lab.ctl(["list"]).output.contains("| Pending restart |"))

        let restarted = replicas[0]
        let restart = try lab.ctl(["restart", "demo", restarted, "--force"])
        XCTAssertTrue(restart.output.hasSuffix("Success: restart on member \(restarted)\n"), restart.output)
        _ = try lab.waitForMembers { members in
            members.contains { $0["Member"] as? String == restarted && $0["Pending restart"] == nil
                && $0["State"] as? String == "streaming" }
        }
        let port = try XCTUnwrap(lab.postgresPort(of: restarted))
        let shown = try runCommand("/usr/bin/psql", ["-h", "127.0.0.1", "-p", "\(port)", "-U", "postgres", "-d", "postgres",
                                                     "-Atc", "show max_connections"],
                                   environment: ["PGPASSWORD": "postgres"])
        XCTAssertEqual(shown.output, "150\n")

        let candidate = replicas[1]
        let switchover = try lab.ctl(["switchover", "--candidate", candidate, "--force"])
        XCTAssertEqual(switchover.status, 0, switchover.output)
        XCTAssertTrue(switchover.output.hasPrefix("Current cluster topology\n"), switchover.output)
        XCTAssertTrue(switchover.output.contains(" Successfully switched over to \"\(candidate)\"\n"), switchover.output)
        _ = try lab.waitForMembers { members in
            members.contains { $0["Member"] as? String == candidate && $0["Role"] as? String == "Leader" }
                && members.contains { $0["Member"] as? String == leader && $0["State"] as? String == "streaming" }
        }
        let history = try lab.ctl(["history", "-f", "json"])
        XCTAssertTrue(history.output.hasPrefix("[{\"TL\": 1, \"LSN\": "), history.output)
        XCTAssertTrue(history.output.contains("\"New Leader\": \"\(candidate)\"}]"), history.output)

        XCTAssertEqual(try lab.ctl(["pause", "--wait"]).output.split(separator: "\n").last,
                       "Success: cluster management is paused")
        XCTAssertTrue(try lab.ctl(["list"]).output.hasSuffix("\n Maintenance mode: on\n"))
        let again = try lab.ctl(["pause"])
        XCTAssertEqual(again.status, 1)
        XCTAssertEqual(again.output, "Error: Cluster is already paused\n")
        XCTAssertEqual(try lab.ctl(["resume"]).output, "Success: cluster management is resumed\n")
    }
}

/// One etcd member and three agents (`minipg node`) in a temporary directory, each logging to a file
/// that a failing test prints.
final class HACtlLab {
    let directory: URL
    let etcdPort = TestEnvironment.freePort()
    private var processes: [(name: String, process: Process, log: String)] = []
    private var postgresPorts: [String: Int] = [:]

    init(etcd: String) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("minipg-ha-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let peerPort = TestEnvironment.freePort()
        try start("etcd", etcd, ["--name", "e1", "--data-dir", path("etcd"),
                                 "--listen-client-urls", "http://127.0.0.1:\(etcdPort)",
                                 "--advertise-client-urls", "http://127.0.0.1:\(etcdPort)",
                                 "--listen-peer-urls", "http://127.0.0.1:\(peerPort)",
                                 "--initial-advertise-peer-urls", "http://127.0.0.1:\(peerPort)",
                                 "--initial-cluster", "e1=http://127.0.0.1:\(peerPort)"])
        for index in 1...3 {
            let name = "node\(index)"
            let pgPort = TestEnvironment.freePort(), restPort = TestEnvironment.freePort()
            postgresPorts[name] = pgPort
            try FileManager.default.createDirectory(atPath: path(name), withIntermediateDirectories: true)
            try nodeConfiguration(name: name, postgresPort: pgPort, restPort: restPort)
                .write(toFile: path("\(name).yml"), atomically: true, encoding: .utf8)
            try start(name, TestEnvironment.minipgBinary, ["node", "-c", path("\(name).yml")])
        }
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
    func postgresPort(of member: String) -> Int? { postgresPorts[member] }

    private func nodeConfiguration(name: String, postgresPort: Int, restPort: Int) -> String {
        """
        scope: demo
        name: \(name)
        restapi:
          listen: 127.0.0.1:\(restPort)
          connect_address: 127.0.0.1:\(restPort)
          authentication:
            username: admin
            password: admin
        etcd3:
          hosts: 127.0.0.1:\(etcdPort)
        bootstrap:
          dcs:
            ttl: 10
            loop_wait: 2
            retry_timeout: 3
            postgresql:
              use_pg_rewind: true
              pg_hba:
              - local all all trust
              - host all all 127.0.0.1/32 md5
              - host replication replicator 127.0.0.1/32 md5
              parameters:
                max_connections: 100
        postgresql:
          listen: 127.0.0.1:\(postgresPort)
          connect_address: 127.0.0.1:\(postgresPort)
          data_dir: \(path(name))/data
          authentication:
            superuser:
              username: postgres
              password: postgres
            replication:
              username: replicator
              password: replicate
        tags:
          nofailover: false

        """
    }

    private func start(_ name: String, _ executable: String, _ arguments: [String]) throws {
        let log = path("\(name).log")
        FileManager.default.createFile(atPath: log, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        processes.append((name, process, log))
    }

    /// `minipg ctl -c node1.yml <arguments>`.
    func ctl(_ arguments: [String]) throws -> CommandResult {
        try runCommand(TestEnvironment.minipgBinary, ["ctl", "-c", path("node1.yml")] + arguments)
    }

    /// Polls `ctl list -f json` until `done` holds; fails with every log after two minutes.
    @discardableResult
    func waitForMembers(_ done: ([[String: Any]]) -> Bool) throws -> [[String: Any]] {
        let deadline = Date().addingTimeInterval(120)
        var last = ""
        while Date() < deadline {
            let result = try ctl(["list", "-f", "json"])
            last = result.output
            if result.status == 0, let members = try? JSONSerialization.jsonObject(with: Data(result.output.utf8))
                as? [[String: Any]], done(members) {
                return members
            }
            usleep(200_000)
        }
        throw TestFailure("the cluster did not reach the expected state; last list:\n\(last)\n\(logs())")
    }

    func logs() -> String {
        processes.map { "--- \($0.name)\n" + ((try? String(contentsOfFile: $0.log, encoding: .utf8)) ?? "") }
            .joined(separator: "\n")
    }

    /// Agents first (each stops its server), then etcd; then the directory goes.
    func stop() {
        for (_, process, _) in processes.reversed() where process.isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(30)
            while process.isRunning && Date() < deadline { usleep(50_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        try? FileManager.default.removeItem(at: directory)
    }
}
