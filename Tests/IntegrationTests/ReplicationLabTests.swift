// ReplicationLabTests: the three-node lab of issue 4 through the real binary and real clients — a
// primary and hot standbys cloned with `minipg basebackup -R`, written to by pgbench and psql.
//
//   * Asynchronous: pgbench -c 8 -j 2 runs on the primary while two standbys stream; once each
//     standby has replayed up to the primary's final pg_current_wal_lsn(), every pgbench table has
//     the same contents (row count and an md5 over all rows in key order) on all three servers.
//   * Synchronous (synchronous_standby_names = '*', synchronous_commit = on): psql sessions insert
//     rows and print each id only after its COMMIT was acknowledged; the primary is SIGKILLed under
//     that load, the standby is promoted, and every acknowledged id is on it.
// Waits are bounded by a generous deadline, never asserted as a duration.

import Foundation
import XCTest

final class ReplicationLabTests: XCTestCase {
    func testTwoStandbysMatchThePrimaryAfterPgbench() throws {
        guard let pgbenchBinary = Pgbench.binary else { throw XCTSkip("pgbench (package postgresql-15) is not installed") }
        let primary = try MiniPGInstance()
        defer { primary.cleanUp() }
        try primary.start()
        let standbys = try (0..<2).map { _ in try cloneStandby(of: primary) }
        defer { standbys.forEach { $0.cleanUp() } }
        for standby in standbys { try standby.start() }
        try waitFor("two WAL senders are streaming", on: primary) {
            try query(primary, "select count(*) from pg_stat_replication where state = 'streaming'") == "2"
        }

        let bench = Pgbench(executable: pgbenchBinary, server: primary)
        try bench.initialize(["-s", "1"])
        let transactions = try bench.run(["-c", "8", "-j", "2", "-T", "10"])
        let sums = try bench.sums()
        XCTAssertEqual(sums.history, transactions, "pgbench_history rows on the primary")

        let lsn = try query(primary, "select pg_current_wal_lsn()")
        for standby in standbys {
            try waitFor("the standby replayed up to \(lsn)", on: standby) {
                try query(standby, "select pg_last_wal_replay_lsn() >= '\(lsn)'::pg_lsn") == "t"
            }
        }
        for table in Self.pgbenchTables {
            let expected = try checksum(table, on: primary)
            for standby in standbys {
                XCTAssertEqual(try checksum(table, on: standby), expected, "\(table) on the standby\n\(standby.log().suffix(3000))")
            }
        }
    }

    func testAcknowledgedSynchronousCommitsSurviveKillingThePrimary() throws {
        let primary = try MiniPGInstance(extraSettings: ["synchronous_standby_names=*", "synchronous_commit=on"])
        defer { primary.cleanUp() }
        try primary.start()
        let standby = try cloneStandby(of: primary)
        defer { standby.cleanUp() }
        try standby.start()
        try waitFor("the standby is a synchronous standby", on: primary) {
            try query(primary, "select sync_state from pg_stat_replication") == "sync"
        }
        _ = try query(primary, "create table acked (id int primary key)")

        let writers = try (0..<4).map { try AcknowledgingWriter(primary, firstID: $0 * 1_000_000, count: 100_000) }
        try waitFor("the standby holds a few hundred of the load's rows", on: standby) {
            (Int(try query(standby, "select count(*) from acked")) ?? 0) >= 300
        }
        primary.stop(signal: SIGKILL)
        let acknowledged = writers.flatMap { $0.acknowledgedIDs() }
        XCTAssertGreaterThanOrEqual(acknowledged.count, 300)

        let promote = try runCommand(TestEnvironment.minipgBinary, ["promote", "-D", standby.dataDirectory])
        XCTAssertEqual(promote.status, 0, promote.output + standby.log().suffix(3000))
        let onStandby = Set(try query(standby, "select id from acked").split(separator: "\n").compactMap { Int($0) })
        let missing = acknowledged.filter { !onStandby.contains($0) }
        XCTAssertTrue(missing.isEmpty, "\(missing.count) of \(acknowledged.count) acknowledged rows are not on the promoted standby, e.g. \(missing.prefix(10))")
        XCTAssertEqual(try query(standby, "select pg_is_in_recovery()"), "f")
    }

    // MARK: Helpers

    /// The four pgbench tables with the ORDER BY that lists their rows deterministically.
    private static let pgbenchTables = [
        ("pgbench_accounts", "aid"), ("pgbench_tellers", "tid"), ("pgbench_branches", "bid"),
        ("pgbench_history", "tid, bid, aid, delta, mtime"),
    ]

    /// Row count and md5 over every column of every row, in key order.
    private func checksum(_ table: (name: String, order: String), on instance: MiniPGInstance) throws -> String {
        let columns: [String: String] = [
            "pgbench_accounts": "aid::text || ',' || bid || ',' || abalance || ',' || coalesce(filler, '')",
            "pgbench_tellers": "tid::text || ',' || bid || ',' || tbalance || ',' || coalesce(filler, '')",
            "pgbench_branches": "bid::text || ',' || bbalance || ',' || coalesce(filler, '')",
            "pgbench_history": "tid::text || ',' || bid || ',' || aid || ',' || delta || ',' || mtime || ',' || coalesce(filler, '')",
        ]
        return try query(instance, "select count(*), md5(string_agg(\(columns[table.name] ?? "''"), '|' order by \(table.order))) from \(table.name)")
    }

    /// A standby (started by the caller) made by `minipg basebackup -R` from the running `primary`.
    private func cloneStandby(of primary: MiniPGInstance) throws -> MiniPGInstance {
        let standby = try MiniPGInstance()
        try FileManager.default.removeItem(atPath: standby.dataDirectory)
        let backup = try runCommand(TestEnvironment.minipgBinary,
                                    ["basebackup", "-h", "127.0.0.1", "-p", String(primary.port), "-U", "postgres",
                                     "-D", standby.dataDirectory, "-R"], environment: ["PGPASSWORD": primary.password])
        guard backup.status == 0 else { throw TestFailure("minipg basebackup -R failed:\n\(backup.output)") }
        return standby
    }

    private func query(_ instance: MiniPGInstance, _ sql: String) throws -> String {
        let result = try instance.psql(sql + ";\n", extraArguments: ["-At", "-v", "ON_ERROR_STOP=1"])
        guard result.status == 0 else { throw TestFailure("psql failed on \(sql):\n\(result.output)") }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func waitFor(_ what: String, on instance: MiniPGInstance, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(300)
        while Date() < deadline {
            if (try? condition()) == true { return }
            usleep(100_000)
        }
        throw TestFailure("gave up waiting until \(what)\n\(instance.log().suffix(3000))")
    }
}

/// One psql session inserting `count` ids into table acked, one autocommit INSERT each; the id is
/// echoed only after the server acknowledged its commit, and ON_ERROR_STOP ends the session at the
/// first failure (the primary going away).
private final class AcknowledgingWriter: @unchecked Sendable {
    private let process = Process()
    private let collector: OutputCollector

    init(_ server: MiniPGInstance, firstID: Int, count: Int) throws {
        guard let psql = TestEnvironment.tool("psql") else { throw XCTSkip("psql is not installed") }
        let script = (firstID..<firstID + count).map { "insert into acked values (\($0));\n\\echo ack \($0)\n" }.joined()
        let scriptFile = server.directory.appendingPathComponent("writer-\(firstID).sql")
        try script.write(to: scriptFile, atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: psql)
        process.arguments = ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String(server.port),
                             "-U", "postgres", "-f", scriptFile.path]
        var environment = ProcessInfo.processInfo.environment
        environment["PGPASSWORD"] = server.password
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        collector = OutputCollector(pipe.fileHandleForReading)
        try process.run()
    }

    /// Waits for the session to end and returns the ids whose commit was acknowledged.
    func acknowledgedIDs() -> [Int] {
        process.waitUntilExit()
        return collector.finish().split(separator: "\n").compactMap { line in
            line.hasPrefix("ack ") ? Int(line.dropFirst(4)) : nil
        }
    }
}
