// WALSenderTests: the primary side of streaming replication through the real minipg binary and the
// real PostgreSQL 15 tools — psql on a `replication=database` connection, and pg_receivewal 15
// (unmodified) streaming with and without a slot, whose segment files must be byte-identical to
// the primary's pg_wal.
//
// Waits are "until a condition holds" with a generous deadline for failure, never a timing
// threshold: a slow machine makes these tests slower, not red.

import Foundation
import XCTest

final class WALSenderTests: XCTestCase {
    /// 30000 rows of 200 bytes: about 9 MiB of WAL per batch.
    private let batch = "insert into t select g, repeat('x', 200) from generate_series(1, 30000) g;\n"

    func testIdentifySystemOnAReplicationConnection() throws {
        let instance = try MiniPGInstance()
        defer { instance.cleanUp() }
        try instance.start()
        let result = try replicationPsql(instance, "replication=database dbname=postgres", "IDENTIFY_SYSTEM;")
        let fields = result.output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|").map(String.init)
        XCTAssertEqual(fields.count, 4, result.output)
        XCTAssertNotNil(UInt64(fields[0]), result.output)
        XCTAssertEqual(fields[1], "1")
        XCTAssertTrue(fields[2].contains("/"), result.output)
        XCTAssertEqual(fields[3], "postgres")
        let physical = try replicationPsql(instance, "replication=true", "SHOW wal_segment_size;")
        XCTAssertEqual(physical.output.trimmingCharacters(in: .whitespacesAndNewlines), "16MB", physical.output)
        let sql = try replicationPsql(instance, "replication=true", "select 1;")
        XCTAssertTrue(sql.output.contains("cannot execute SQL commands in WAL sender for physical replication"), sql.output)
    }

    func testPgReceivewalWithoutSlotWritesTheSameSegments() throws {
        let instance = try MiniPGInstance()
        defer { instance.cleanUp() }
        try instance.start()
        let target = instance.directory.appendingPathComponent("received").path
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        let receiver = try startReceivewal(instance, ["-D", target, "--no-loop", "--synchronous"])
        defer { stopReceivewal(receiver) }
        try waitFor("pg_stat_replication shows pg_receivewal streaming") {
            let result = try instance.psql("select application_name, state from pg_stat_replication;\n", extraArguments: ["-At"])
            return result.output.contains("pg_receivewal|streaming")
        }
        XCTAssertEqual(try instance.psql("create table t (id int, v text);\n" + batch + batch + batch).status, 0)
        let end = try currentLSN(instance)
        // --synchronous makes pg_receivewal report its flush position: pg_stat_replication shows it.
        try waitFor("pg_receivewal reports the WAL end as flushed") {
            let result = try instance.psql("select flush_lsn >= '\(end)' from pg_stat_replication;\n", extraArguments: ["-At"])
            return result.output.contains("t")
        }
        stopReceivewal(receiver)
        try assertSegmentsIdentical(primary: instance.dataDirectory + "/pg_wal", received: target, upTo: end)
    }

    func testPgReceivewalWithSlotAdvancesItAndResumes() throws {
        let instance = try MiniPGInstance()
        defer { instance.cleanUp() }
        try instance.start()
        let target = instance.directory.appendingPathComponent("received").path
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        let create = try runReceivewal(instance, ["--create-slot", "-S", "capslot"])
        XCTAssertEqual(create.status, 0, create.output)
        let slot = try instance.psql("select slot_name, slot_type, active from pg_replication_slots;\n", extraArguments: ["-At"])
        XCTAssertEqual(slot.output.trimmingCharacters(in: .whitespacesAndNewlines), "capslot|physical|f", slot.output)

        var receiver = try startReceivewal(instance, ["-D", target, "-S", "capslot", "--no-loop", "-s", "1"])
        XCTAssertEqual(try instance.psql("create table t (id int, v text);\n" + batch + batch).status, 0)
        let firstEnd = try currentLSN(instance)
        // With a slot, pg_receivewal reports flush positions; restart_lsn follows them.
        try waitFor("the slot's restart_lsn advances") {
            let result = try instance.psql("select restart_lsn >= '0/2000000' and active from pg_replication_slots;\n", extraArguments: ["-At"])
            return result.output.contains("t")
        }
        stopReceivewal(receiver)

        // Resume from the .partial file: the server starts where the client asks.
        receiver = try startReceivewal(instance, ["-D", target, "-S", "capslot", "--no-loop", "-s", "1", "--synchronous"])
        defer { stopReceivewal(receiver) }
        XCTAssertEqual(try instance.psql(batch).status, 0)
        let end = try currentLSN(instance)
        XCTAssertGreaterThan(end, firstEnd)
        try waitFor("pg_receivewal reports the WAL end as flushed") {
            let result = try instance.psql("select flush_lsn >= '\(end)' from pg_stat_replication;\n", extraArguments: ["-At"])
            return result.output.contains("t")
        }
        stopReceivewal(receiver)
        try assertSegmentsIdentical(primary: instance.dataDirectory + "/pg_wal", received: target, upTo: end)

        let read = try replicationPsql(instance, "replication=database dbname=postgres", "READ_REPLICATION_SLOT capslot;")
        XCTAssertTrue(read.output.hasPrefix("physical|"), read.output)
        let drop = try runReceivewal(instance, ["--drop-slot", "-S", "capslot"])
        XCTAssertEqual(drop.status, 0, drop.output)
        let none = try instance.psql("select count(*) from pg_replication_slots;\n", extraArguments: ["-At"])
        XCTAssertEqual(none.output.trimmingCharacters(in: .whitespacesAndNewlines), "0")
    }

    /// The real pg_basebackup 15 clones a primary that takes writes meanwhile; pg_verifybackup
    /// accepts the manifest; the clone starts and holds every row committed before the backup
    /// ended (its WAL end point).
    func testPgBasebackupClonesARunningPrimary() throws {
        guard let basebackup = TestEnvironment.tool("pg_basebackup") else { throw XCTSkip("pg_basebackup is not installed") }
        let instance = try MiniPGInstance()
        defer { instance.cleanUp() }
        try instance.start()
        XCTAssertEqual(try instance.psql("create table t (id int, v text);\n" + batch).status, 0)
        let writer = try startWriter(instance)
        let target = instance.directory.appendingPathComponent("clone").path
        let backup = try runCommand(basebackup, ["-h", "127.0.0.1", "-p", String(instance.port), "-U", "postgres",
                                                 "-D", target, "-Fp", "-X", "stream", "-c", "fast", "-v"],
                                    environment: ["PGPASSWORD": instance.password])
        writer.waitUntilExit()
        XCTAssertEqual(backup.status, 0, backup.output)
        XCTAssertTrue(backup.output.contains("base backup completed"), backup.output)
        if let verify = TestEnvironment.tool("pg_verifybackup") {
            let verified = try runCommand(verify, ["-n", target])
            XCTAssertEqual(verified.status, 0, verified.output)
        }
        // The clone: its own port, no postmaster.pid was copied.
        let clonePort = TestEnvironment.freePort()
        let clone = Process()
        clone.executableURL = URL(fileURLWithPath: TestEnvironment.minipgBinary)
        clone.arguments = ["server", "-D", target, "-p", String(clonePort), "-h", "127.0.0.1"]
        let log = FileHandle(forWritingAtPath: "/dev/null")
        clone.standardOutput = log
        clone.standardError = log
        try clone.run()
        defer { clone.interrupt(); clone.waitUntilExit() }
        guard let psql = TestEnvironment.tool("psql") else { throw XCTSkip("psql is not installed") }
        var count: String?
        try waitFor("the clone accepts connections") {
            let result = try runCommand(psql, ["-X", "-At", "-h", "127.0.0.1", "-p", String(clonePort), "-U", "postgres",
                                               "-c", "select count(*) from t"],
                                        environment: ["PGPASSWORD": instance.password, "PGCONNECT_TIMEOUT": "2"])
            if result.status == 0 { count = result.output.trimmingCharacters(in: .whitespacesAndNewlines) }
            return result.status == 0
        }
        // Everything committed before the backup started is there; rows from concurrent commits may be too.
        XCTAssertGreaterThanOrEqual(Int(count ?? "") ?? 0, 30000, count ?? "")
    }

    /// synchronous_standby_names = 'pg_receivewal': with pg_receivewal --synchronous (it reports its
    /// flush position) commits are acknowledged and pg_stat_replication says `sync`; without it a
    /// commit waits, and cancelling the wait (psql's Ctrl-C: a CancelRequest) gives PostgreSQL's
    /// warning while the row stays committed.
    func testSynchronousCommitWaitsForTheSynchronousStandby() throws {
        guard let psql = TestEnvironment.tool("psql") else { throw XCTSkip("psql is not installed") }
        let instance = try MiniPGInstance(extraSettings: ["synchronous_standby_names=pg_receivewal"])
        defer { instance.cleanUp() }
        try instance.start()
        let target = instance.directory.appendingPathComponent("received").path
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        let receiver = try startReceivewal(instance, ["-D", target, "--no-loop", "--synchronous"])
        try waitFor("pg_receivewal is the synchronous standby") {
            let result = try instance.psql("select sync_priority, sync_state from pg_stat_replication;\n", extraArguments: ["-At"])
            return result.output.contains("1|sync")
        }
        XCTAssertEqual(try instance.psql("create table s (id int); insert into s values (1);\n").status, 0)
        stopReceivewal(receiver)

        let waiter = Process()
        waiter.executableURL = URL(fileURLWithPath: psql)
        waiter.arguments = ["-X", "-h", "127.0.0.1", "-p", String(instance.port), "-U", "postgres", "-c", "insert into s values (2)"]
        var environment = ProcessInfo.processInfo.environment
        environment["PGPASSWORD"] = instance.password
        waiter.environment = environment
        let output = Pipe()
        waiter.standardOutput = output
        waiter.standardError = output
        let collector = OutputCollector(output.fileHandleForReading)
        try waiter.run()
        // The row is committed locally (visible) while its acknowledgement waits for a standby.
        try waitFor("the waiting commit is visible locally") {
            try instance.psql("select count(*) from s where id = 2;\n", extraArguments: ["-At"]).output.contains("1")
        }
        XCTAssertTrue(waiter.isRunning, "the commit returned without a synchronous standby")
        waiter.interrupt()
        waiter.waitUntilExit()
        let text = collector.finish()
        XCTAssertTrue(text.contains("WARNING:  canceling wait for synchronous replication due to user request"), text)
        XCTAssertTrue(text.contains("DETAIL:  The transaction has already committed locally, but might not have been replicated to the standby."), text)
        XCTAssertTrue(text.contains("INSERT 0 1"), text)
    }

    /// A standby cloned with pg_basebackup -R streams from the primary (pg_stat_replication shows it),
    /// is promoted to timeline 2, and pg_receivewal — holding a partial segment of timeline 1 —
    /// follows the switch: the server ends timeline 1 at the switch point (CopyDone, next_tli),
    /// sends 00000002.history, and streaming goes on on timeline 2.
    func testPgReceivewalFollowsAPromotionToTheNextTimeline() throws {
        guard let basebackup = TestEnvironment.tool("pg_basebackup") else { throw XCTSkip("pg_basebackup is not installed") }
        let primary = try MiniPGInstance()
        defer { primary.cleanUp() }
        try primary.start()
        XCTAssertEqual(try primary.psql("create table t (id int, v text);\n" + batch).status, 0)
        let standbyDirectory = primary.directory.appendingPathComponent("standby").path
        let backup = try runCommand(basebackup, ["-h", "127.0.0.1", "-p", String(primary.port), "-U", "postgres",
                                                 "-D", standbyDirectory, "-X", "stream", "-c", "fast", "-R"],
                                    environment: ["PGPASSWORD": primary.password])
        XCTAssertEqual(backup.status, 0, backup.output)
        let standbyPort = TestEnvironment.freePort()
        let standby = Process()
        standby.executableURL = URL(fileURLWithPath: TestEnvironment.minipgBinary)
        standby.arguments = ["server", "-D", standbyDirectory, "-p", String(standbyPort), "-h", "127.0.0.1",
                             "-c", "primary_conninfo=host=127.0.0.1 port=\(primary.port) user=postgres password=\(primary.password) application_name=standby1"]
        let log = FileHandle(forWritingAtPath: "/dev/null")
        standby.standardOutput = log
        standby.standardError = log
        try standby.run()
        defer { standby.interrupt(); standby.waitUntilExit() }
        try waitFor("the standby streams from the primary") {
            let result = try primary.psql("select application_name, state from pg_stat_replication;\n", extraArguments: ["-At"])
            return result.output.contains("standby1|streaming")
        }
        XCTAssertEqual(try primary.psql(batch).status, 0)
        let end = try currentLSN(primary)
        try waitFor("the standby replayed the primary's WAL") {
            let result = try primary.psql("select replay_lsn >= '\(end)' from pg_stat_replication;\n", extraArguments: ["-At"])
            return result.output.contains("t")
        }
        // A partial timeline-1 segment, as a pg_receivewal that followed the old primary would hold.
        let target = primary.directory.appendingPathComponent("received").path
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        let first = try startReceivewal(primary, ["-D", target, "--no-loop", "--synchronous"])
        try waitFor("pg_receivewal reached the primary's end") {
            let result = try primary.psql("select flush_lsn >= '\(end)' from pg_stat_replication where application_name = 'pg_receivewal';\n",
                                          extraArguments: ["-At"])
            return result.output.contains("t")
        }
        stopReceivewal(first)

        let promote = try runCommand(TestEnvironment.minipgBinary, ["promote", "-D", standbyDirectory])
        XCTAssertEqual(promote.status, 0, promote.output)
        let follow = try runCommand(try receivewalTool(), ["-h", "127.0.0.1", "-p", String(standbyPort), "-U", "postgres",
                                                           "-D", target, "--no-loop", "-v"],
                                    environment: ["PGPASSWORD": primary.password], timeoutSeconds: 10)
        XCTAssertTrue(follow.output.contains("switched to timeline 2 at"), follow.output)
        let history = try String(contentsOfFile: target + "/00000002.history", encoding: .utf8)
        XCTAssertEqual(history, try String(contentsOfFile: standbyDirectory + "/pg_wal/00000002.history", encoding: .utf8))
        XCTAssertTrue(try FileManager.default.contentsOfDirectory(atPath: target).contains { $0.hasPrefix("00000002") && $0.hasSuffix(".partial") })
    }

    // MARK: helpers

    /// psql inserting rows in many small transactions while a test does something else.
    private func startWriter(_ instance: MiniPGInstance) throws -> Process {
        guard let psql = TestEnvironment.tool("psql") else { throw XCTSkip("psql is not installed") }
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: psql)
        // Each -c is its own transaction.
        let inserts = (0..<200).flatMap { _ in ["-c", "insert into t select g, 'w' from generate_series(1, 100) g"] }
        writer.arguments = ["-X", "-q", "-h", "127.0.0.1", "-p", String(instance.port), "-U", "postgres"] + inserts
        var environment = ProcessInfo.processInfo.environment
        environment["PGPASSWORD"] = instance.password
        writer.environment = environment
        let log = FileHandle(forWritingAtPath: "/dev/null")
        writer.standardOutput = log
        writer.standardError = log
        try writer.run()
        return writer
    }

    private func replicationPsql(_ instance: MiniPGInstance, _ options: String, _ command: String) throws -> CommandResult {
        guard let psql = TestEnvironment.tool("psql") else { throw XCTSkip("psql is not installed") }
        return try runCommand(psql, ["-X", "-At", "-c", command,
                                     "host=127.0.0.1 port=\(instance.port) user=postgres \(options)"],
                              environment: ["PGPASSWORD": instance.password, "PGCONNECT_TIMEOUT": "10"])
    }

    private func receivewalTool() throws -> String {
        guard let tool = TestEnvironment.tool("pg_receivewal") else { throw XCTSkip("pg_receivewal is not installed") }
        return tool
    }

    private func runReceivewal(_ instance: MiniPGInstance, _ arguments: [String]) throws -> CommandResult {
        try runCommand(try receivewalTool(), ["-h", "127.0.0.1", "-p", String(instance.port), "-U", "postgres"] + arguments,
                       environment: ["PGPASSWORD": instance.password])
    }

    private func startReceivewal(_ instance: MiniPGInstance, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try receivewalTool())
        process.arguments = ["-h", "127.0.0.1", "-p", String(instance.port), "-U", "postgres", "-v"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["PGPASSWORD"] = instance.password
        process.environment = environment
        let log = FileHandle(forWritingAtPath: "/dev/null")
        process.standardOutput = log
        process.standardError = log
        try process.run()
        return process
    }

    /// SIGINT: pg_receivewal ends the stream with CopyDone and exits.
    private func stopReceivewal(_ process: Process) {
        guard process.isRunning else { return }
        process.interrupt()
        process.waitUntilExit()
    }

    private func currentLSN(_ instance: MiniPGInstance) throws -> String {
        let result = try instance.psql("select pg_current_wal_lsn();\n", extraArguments: ["-At"])
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func waitFor(_ what: String, deadlineSeconds: Double = 120, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(deadlineSeconds)
        while Date() < deadline {
            if try condition() { return }
            usleep(100_000)
        }
        throw TestFailure("gave up waiting until \(what)")
    }

    /// Every complete segment pg_receivewal wrote equals the primary's file; the `.partial` one
    /// equals it up to `end`.
    private func assertSegmentsIdentical(primary: String, received: String, upTo end: String) throws {
        let halves = end.split(separator: "/").compactMap { UInt64($0, radix: 16) }
        let endPosition = halves[0] << 32 | halves[1]
        let segmentSize: UInt64 = 16 * 1024 * 1024
        let files = try FileManager.default.contentsOfDirectory(atPath: received).sorted()
        var complete = 0
        for file in files where file.count == 24 || file.hasSuffix(".partial") {
            let name = String(file.prefix(24))
            let mine = try Data(contentsOf: URL(fileURLWithPath: received + "/" + file))
            let theirs = try Data(contentsOf: URL(fileURLWithPath: primary + "/" + name))
            if file.hasSuffix(".partial") {
                let segmentStart = UInt64(name.suffix(8), radix: 16)! * segmentSize
                let length = Int(min(endPosition - segmentStart, segmentSize))
                XCTAssertEqual(mine.prefix(length), theirs.prefix(length), "\(file) differs before \(end)")
            } else {
                XCTAssertEqual(mine, theirs, "\(file) differs from the primary's")
                complete += 1
            }
        }
        XCTAssertGreaterThan(complete, 0, "no complete segment was received: \(files)")
    }
}
