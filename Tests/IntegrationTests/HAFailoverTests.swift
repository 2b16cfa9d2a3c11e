// HAFailoverTests: the whole lab as a person runs it — `minipg cluster up` (3 real etcd members,
// 3 `minipg node` agents with their servers, the proxy) in a temporary directory — and what issue 5
// promises about failures:
//
//   * testAsyncLab: bootstrap + `ctl list` (one Leader, two streaming Replicas, one timeline);
//     edit-config → "Pending restart" everywhere → restarting the leader clears it there (and it stays
//     leader); switchover → the candidate leads, writes work through the proxy, the old leader streams
//     from it; SIGKILL of the leader under a writer → a new leader accepts writes (acknowledged rows
//     lost are counted and printed: asynchronous replication may lose the last few); the killed node
//     restarted → rejoins as a replica holding every new row; pause → kill the leader → nobody promotes
//     → resume → a new leader.
//   * testSynchronousLab: synchronous_mode: SIGKILL of the leader under a writer loses no acknowledged
//     row; SIGKILL of the leader and the non-synchronous replica → the synchronous standby takes the
//     lock and accepts writes (etcd keeps its quorum); loss of etcd quorum (2 of 3 members killed) →
//     the primary stops accepting writes before its lease could have expired, and after quorum returns
//     every acknowledged row is there.
//
// Waits poll for the expected state with generous deadlines; the only time bound asserted is the
// safety rule itself (no write acknowledged later than ttl after the DCS became unreachable).

import Foundation
import XCTest

final class HAFailoverTests: XCTestCase {
    func testAsyncLab() throws {
        try HALab.with(synchronousMode: false) { lab in
            // Bootstrap and list.
            let members = try lab.waitForMembers("a leader and two streaming replicas") { members in
                members.count == 3 && members.filter { $0.role == "Leader" }.count == 1
                    && members.filter { $0.state == "streaming" }.count == 2
            }
            XCTAssertEqual(Set(members.map(\.timeline)).count, 1, "one timeline: \(members)")
            let list = try lab.ctl("list")
            XCTAssertTrue(list.output.hasPrefix("+ Cluster: demo ("), list.output)
            let firstLeader = try XCTUnwrap(members.first { $0.role == "Leader" }).name

            // edit-config → Pending restart on every member → restart of the leader clears it there.
            let edit = try lab.ctl("edit-config", "-p", "max_connections=150", "--force")
            XCTAssertEqual(edit.status, 0, edit.output)
            try lab.waitForMembers("Pending restart on every member") { $0.allSatisfy { $0.pendingRestart } }
            let restart = try lab.ctl("restart", "demo", firstLeader, "--force")
            XCTAssertTrue(restart.output.hasSuffix("Success: restart on member \(firstLeader)\n"), restart.output)
            try lab.waitForMembers("\(firstLeader) restarted, still leader, restart no longer pending") { members in
                members.contains { $0.name == firstLeader && $0.role == "Leader" && $0.state == "running"
                    && !$0.pendingRestart }
            }
            XCTAssertEqual(try lab.sql(lab.port(of: firstLeader), "show max_connections").output, "150\n")

            // Switchover: the candidate leads, writes go through the proxy, the old leader follows.
            let candidate = try XCTUnwrap(members.first { $0.role != "Leader" }).name
            let switchover = try lab.ctl("switchover", "--candidate", candidate, "--force")
            XCTAssertTrue(switchover.output.contains("Successfully switched over to \"\(candidate)\""), switchover.output)
            try lab.waitForMembers("\(candidate) leads, \(firstLeader) streams") { members in
                members.contains { $0.name == candidate && $0.role == "Leader" }
                    && members.contains { $0.name == firstLeader && $0.state == "streaming" }
            }
            try lab.waitUntilWritableThroughProxy("create table t (n int primary key)")

            // SIGKILL of the leader under a writer: a new leader accepts writes.
            let (killed, newLeader, acknowledged, lost) = try lab.killLeaderUnderWriter()
            print("async failover \(killed) → \(newLeader): \(acknowledged) rows acknowledged, "
                  + "\(lost.count) lost \(lost)")

            // The killed node restarted: it rejoins as a replica and holds every row.
            try lab.up()
            try lab.waitForMembers("\(killed) streams again") { members in
                members.contains { $0.name == killed && $0.role == "Replica" && $0.state == "streaming" }
            }
            try lab.waitForRows(try lab.rowCount(on: newLeader), on: killed)

            // Pause, kill the leader: nobody promotes; resume: a new leader.
            XCTAssertEqual(try lab.ctl("pause", "--wait").status, 0)
            let pausedLeader = try lab.killLeader()
            try lab.waitForMembers("the dead leader's key expired") { members in
                !members.contains { $0.name == pausedLeader || $0.role == "Leader" }
            }
            usleep(UInt32(3 * lab.loopWait) * 1_000_000)   // three more HA cycles in which nobody may promote
            XCTAssertTrue(try lab.ctl("list").output.contains("Maintenance mode: on"))
            for member in try lab.members() {
                XCTAssertEqual(try lab.sql(lab.port(of: member.name), "select pg_is_in_recovery()").output, "t\n",
                               "\(member.name) promoted while the cluster was paused")
            }
            XCTAssertEqual(try lab.ctl("resume").status, 0)
            try lab.waitForMembers("a leader after resume") { $0.contains { $0.role == "Leader" } }
            try lab.waitUntilWritableThroughProxy("insert into t values (-1)")
        }
    }

    func testSynchronousLab() throws {
        try HALab.with(synchronousMode: true) { lab in
            try lab.waitForMembers("a leader, a synchronous standby and a replica, all streaming") { members in
                members.filter { $0.role == "Leader" }.count == 1
                    && members.filter { $0.role == "Sync Standby" && $0.state == "streaming" }.count == 1
                    && members.filter { $0.role == "Replica" && $0.state == "streaming" }.count == 1
            }
            try lab.waitUntilWritableThroughProxy("create table t (n int primary key)")

            // SIGKILL of the leader under a writer: nothing acknowledged is lost.
            let (killed, _, _, lost) = try lab.killLeaderUnderWriter()
            XCTAssertEqual(lost, [], "acknowledged rows lost in synchronous mode")

            // The killed node rejoins and holds the rows written after it died.
            try lab.up()
            try lab.waitForMembers("all three stream again") { members in
                members.count == 3 && members.filter { $0.state == "streaming" }.count == 2
                    && members.contains { $0.role == "Sync Standby" }
            }
            try lab.waitForRows(try lab.rowCount(on: try lab.leader()), on: killed)

            // SIGKILL of two nodes (the leader and the asynchronous replica): the synchronous standby,
            // the only member that surely has every acknowledged commit, takes the lock.
            let members = try lab.members()
            let leader = try XCTUnwrap(members.first { $0.role == "Leader" }).name
            let standby = try XCTUnwrap(members.first { $0.role == "Sync Standby" }).name
            let other = try XCTUnwrap(members.first { $0.role == "Replica" }).name
            let before = try lab.rowCount(on: leader)
            try lab.minipg("cluster", "kill", "--dir", lab.directory, leader, other)
            try lab.waitForMembers("\(standby) alone, leading") { members in
                members.count == 1 && members[0].name == standby && members[0].role == "Leader"
            }
            try lab.waitUntilWritableThroughProxy("insert into t values (-1)")
            XCTAssertEqual(try lab.rowCount(on: standby), before + 1)

            // Back to three nodes, then etcd loses its quorum: the primary turns read-only.
            try lab.up()
            try lab.waitForMembers("all three stream again") { members in
                members.count == 3 && members.filter { $0.state == "streaming" }.count == 2
            }
            let primary = try lab.leader()
            let quorumWriter = ProxyWriter(lab: lab, direct: try lab.port(of: primary))
            try quorumWriter.waitForAcknowledgements(20)
            try lab.minipg("cluster", "kill", "--dir", lab.directory, "demo-etcd1", "demo-etcd2")
            let quorumLost = Date()
            var probe = -2
            try lab.waitUntil("\(primary) refuses writes") {
                probe -= 1   // a new row each time: a failure must be the server's refusal, not a duplicate key
                let result = try lab.sql(lab.port(of: primary), "insert into t values (\(probe))")
                return result.status != 0
            }
            let acknowledgedBeforeQuorumReturns = quorumWriter.stop()
            let lastAcknowledged = try XCTUnwrap(quorumWriter.lastAcknowledgementTime)
            print("etcd quorum lost: \(primary) acknowledged its last write "
                  + String(format: "%.1f s later, refused writes %.1f s later (ttl %d s)",
                           lastAcknowledged.timeIntervalSince(quorumLost), Date().timeIntervalSince(quorumLost), lab.ttl))
            XCTAssertLessThanOrEqual(lastAcknowledged.timeIntervalSince(quorumLost), Double(lab.ttl),
                                     "the primary acknowledged a write after its lease could have expired")
            try lab.up()
            try lab.waitForMembers("a leader and two streaming replicas after quorum returned") { members in
                members.count == 3 && members.contains { $0.role == "Leader" }
                    && members.filter { $0.state == "streaming" }.count == 2
            }
            XCTAssertEqual(try lab.missing(acknowledgedBeforeQuorumReturns, on: try lab.leader()), [])
        }
    }
}

/// One row of `ctl list -f json`.
struct ListedMember: CustomStringConvertible {
    var name: String, role: String, state: String, timeline: Int?, pendingRestart: Bool
    var description: String { "\(name) \(role) \(state) TL \(timeline.map(String.init) ?? "-")" }
}

/// A lab made by `minipg cluster up` in a temporary directory on a random port offset, with a short
/// lease so that failovers take seconds. Torn down (`cluster down --volumes`) whatever happens; the
/// agents' logs are printed when the test fails.
final class HALab: @unchecked Sendable {
    let directory: String
    let offset: Int
    let ttl = 8, loopWait = 1, retryTimeout = 3
    private let psql: String
    /// A private copy of minipg: other builds in the same checkout may relink .build/debug/minipg at
    /// any moment ("Text file busy"); `cluster up` starts every service with the binary that ran it.
    private let binary: String

    static func with(synchronousMode: Bool, _ body: (HALab) throws -> Void) throws {
        guard TestEnvironment.tool("etcd") != nil, let psql = TestEnvironment.tool("psql") else {
            throw XCTSkip("etcd or psql is not installed")
        }
        let lab = try HALab(psql: psql)
        do {
            var options = ["--ttl", "\(lab.ttl)", "--loop-wait", "\(lab.loopWait)", "--retry-timeout", "\(lab.retryTimeout)"]
            if synchronousMode { options.append("--synchronous-mode") }
            try lab.minipg(["cluster", "up", "--dir", lab.directory, "--port-offset", "\(lab.offset)"] + options)
            try body(lab)
        } catch {
            print(lab.logs())
            lab.down()
            throw error
        }
        lab.down()
    }

    private init(psql: String) throws {
        self.psql = psql
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("minipg-halab-\(UUID().uuidString.prefix(8))").path
        offset = HALab.freeOffset()
        binary = directory + ".minipg"
        try FileManager.default.copyItem(atPath: TestEnvironment.minipgBinary, toPath: binary)
    }

    /// A port offset whose lab ports (etcd, PostgreSQL, REST, proxy) are all free right now.
    private static func freeOffset() -> Int {
        for _ in 0..<50 {
            let offset = Int.random(in: 1000...9000)
            let ports = [2379, 2380, 2381, 2382, 2383, 2384, 5432, 5433, 5434, 8008, 8009, 8010, 5000, 5001, 7000]
            if ports.allSatisfy({ portIsFree($0 + offset) }) { return offset }
        }
        return Int.random(in: 1000...9000)
    }

    private static func portIsFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        } == 0
    }

    var proxyPort: Int { 5000 + offset }
    func port(of member: String) throws -> Int {
        guard let index = Int(member.dropFirst("patroni".count)) else { throw TestFailure("no member \(member)") }
        return 5432 + index - 1 + offset
    }

    /// `minipg …` without PG* variables in its environment: the lab's servers must not inherit a
    /// PGPASSWORD that would override their replication password (patroni-lab-notes.md §6).
    /// Spawned and reaped here rather than with Foundation's Process: the services `cluster up` starts
    /// inherit the descriptors Process watches for the child's exit, so Process would wait for them too.
    @discardableResult
    func minipg(_ arguments: [String]) throws -> CommandResult {
        let output = directory + ".out"
        defer { try? FileManager.default.removeItem(atPath: output) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([binary] + arguments).map { strdup($0) } + [nil]
        let environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PG") }
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, binary, &actions, nil, argv, envp)
        guard spawned == 0 else { throw TestFailure("cannot run minipg: \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(240)
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() > deadline { kill(pid, SIGKILL) }
            usleep(20_000)
        }
        let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let result = CommandResult(status: exitCode,
                                   output: (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
        guard result.status == 0 || arguments.first == "ctl" else {
            throw TestFailure("minipg \(arguments.joined(separator: " ")) failed:\n\(result.output)")
        }
        return result
    }

    @discardableResult
    func minipg(_ arguments: String...) throws -> CommandResult { try minipg(arguments) }

    func ctl(_ arguments: String...) throws -> CommandResult {
        try minipg(["ctl", "-c", directory + "/minipg-ctl.yml"] + arguments)
    }

    /// `cluster up`: starts whatever is down and waits until the cluster is healthy again.
    func up() throws { try minipg("cluster", "up", "--dir", directory) }

    func members() throws -> [ListedMember] {
        let result = try ctl("list", "-f", "json")
        guard result.status == 0,
              let rows = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [[String: Any]] else {
            throw TestFailure("ctl list -f json: \(result.output)")
        }
        return rows.map {
            ListedMember(name: $0["Member"] as? String ?? "", role: $0["Role"] as? String ?? "",
                         state: $0["State"] as? String ?? "", timeline: $0["TL"] as? Int,
                         pendingRestart: $0["Pending restart"] as? String == "*")
        }
    }

    func leader() throws -> String {
        guard let leader = try members().first(where: { $0.role == "Leader" }) else { throw TestFailure("no leader") }
        return leader.name
    }

    func waitUntil(_ what: String, deadline seconds: Double = 120, _ done: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if (try? done()) == true { return }
            usleep(200_000)
        }
        throw TestFailure("timed out waiting for: \(what)")
    }

    /// Polls `ctl list -f json` until `done` holds.
    @discardableResult
    func waitForMembers(_ what: String, _ done: ([ListedMember]) -> Bool) throws -> [ListedMember] {
        var last: [ListedMember] = []
        do {
            try waitUntil(what) {
                last = try members()
                return done(last)
            }
        } catch {
            throw TestFailure("timed out waiting for: \(what); last list: \(last)")
        }
        return last
    }

    /// SIGKILLs the current leader's agent and server; returns its name.
    func killLeader() throws -> String {
        let leader = try leader()
        try minipg("cluster", "kill", "--dir", directory, leader)
        return leader
    }

    /// With a writer inserting through the proxy: SIGKILL of the leader, then wait for a new leader and
    /// a write it acknowledged. Returns who died, who leads, how many rows were acknowledged, and the
    /// acknowledged rows the new leader does not have.
    func killLeaderUnderWriter() throws -> (killed: String, newLeader: String, acknowledged: Int, lost: [Int]) {
        let writer = ProxyWriter(lab: self)
        try writer.waitForAcknowledgements(20)
        let killed = try killLeader()
        try waitForMembers("a new leader") { $0.contains { $0.role == "Leader" && $0.name != killed } }
        try writer.waitForAcknowledgementAfterNow()
        let acknowledged = writer.stop()
        let newLeader = try leader()
        return (killed, newLeader, acknowledged.count, try missing(acknowledged, on: newLeader))
    }

    func sql(_ port: Int, _ statement: String) throws -> CommandResult {
        try runCommand(psql, ["-h", "127.0.0.1", "-p", "\(port)", "-U", "postgres", "-d", "postgres", "-Atc", statement],
                       environment: ["PGPASSWORD": "postgres", "PGCONNECT_TIMEOUT": "2"], timeoutSeconds: 30)
    }

    /// The proxy routes to a new primary after its health checks pass: retry until it does.
    func waitUntilWritableThroughProxy(_ statement: String) throws {
        try waitUntil("a write through the proxy (\(statement))") { try sql(proxyPort, statement).status == 0 }
    }

    func rowCount(on member: String) throws -> Int {
        let result = try sql(port(of: member), "select count(*) from t")
        guard result.status == 0, let count = Int(result.output.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw TestFailure("count on \(member): \(result.output)")
        }
        return count
    }

    func waitForRows(_ count: Int, on member: String) throws {
        try waitUntil("\(member) holds \(count) rows") { try rowCount(on: member) >= count }
    }

    /// The acknowledged values not present in t on `member`.
    func missing(_ acknowledged: [Int], on member: String) throws -> [Int] {
        let result = try sql(port(of: member), "select n from t")
        guard result.status == 0 else { throw TestFailure("select on \(member): \(result.output)") }
        let present = Set(result.output.split(separator: "\n").compactMap { Int($0) })
        return acknowledged.filter { !present.contains($0) }
    }

    /// The tail of every service's log.
    func logs() -> String {
        let logDirectory = directory + "/logs"
        let files = (try? FileManager.default.contentsOfDirectory(atPath: logDirectory))?.sorted() ?? []
        return files.filter { !$0.contains("etcd") }.map { file in
            let text = (try? String(contentsOfFile: logDirectory + "/" + file, encoding: .utf8)) ?? ""
            return "--- \(file)\n" + text.split(separator: "\n").suffix(150).joined(separator: "\n")
        }.joined(separator: "\n")
    }

    func down() {
        _ = try? minipg("cluster", "down", "--dir", directory, "--volumes")
        try? FileManager.default.removeItem(atPath: directory)
        try? FileManager.default.removeItem(atPath: binary)
    }
}

/// Inserts 1, 2, 3, … into t, one psql per row (a new connection each time, so a failover is simply
/// the next attempt), through the proxy's primary port or straight to one server, remembering which
/// rows were acknowledged and when.
final class ProxyWriter: @unchecked Sendable {
    private let lock = NSLock()
    private var acknowledged: [(n: Int, at: Date)] = []
    private var stopping = false
    private let done = DispatchSemaphore(value: 0)

    init(lab: HALab, direct port: Int? = nil) {
        let target = port ?? lab.proxyPort
        let first = Int.random(in: 1...1_000) * 100_000
        Thread.detachNewThread { [self] in
            var n = first
            while !isStopping {
                if let result = try? lab.sql(target, "insert into t values (\(n))"), result.status == 0 {
                    lock.lock(); acknowledged.append((n, Date())); lock.unlock()
                }
                n += 1
                usleep(10_000)
            }
            done.signal()
        }
    }

    private var isStopping: Bool { lock.lock(); defer { lock.unlock() }; return stopping }
    private var count: Int { lock.lock(); defer { lock.unlock() }; return acknowledged.count }

    var lastAcknowledgementTime: Date? { lock.lock(); defer { lock.unlock() }; return acknowledged.last?.at }

    func waitForAcknowledgements(_ wanted: Int) throws {
        let deadline = Date().addingTimeInterval(60)
        while count < wanted {
            guard Date() < deadline else { throw TestFailure("the writer got no acknowledgements") }
            usleep(100_000)
        }
    }

    /// Waits for a write acknowledged after this call (after a failover: by the new primary).
    func waitForAcknowledgementAfterNow() throws {
        let now = Date()
        let deadline = now.addingTimeInterval(120)
        while (lastAcknowledgementTime ?? .distantPast) <= now {
            guard Date() < deadline else { throw TestFailure("no write acknowledged after the failover") }
            usleep(100_000)
        }
    }

    /// Stops the writer; returns the acknowledged values.
    func stop() -> [Int] {
        lock.lock(); stopping = true; lock.unlock()
        done.wait()
        lock.lock(); defer { lock.unlock() }
        return acknowledged.map(\.n)
    }
}
