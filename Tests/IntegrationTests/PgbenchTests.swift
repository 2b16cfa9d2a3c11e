// PgbenchTests: the real, unmodified pgbench against minipg — its loader (client-side COPY and
// server-side generate_series, VACUUM, ALTER TABLE ... ADD PRIMARY KEY) and its three workloads
// (TPC-B-like, select-only, simple-update) in all three query protocols, with concurrent clients.
//
// What is checked is what a pgbench user relies on, never how fast it went:
//   * every run ends with exit status 0 and "number of failed transactions: 0";
//   * the TPC-B invariant: each transaction adds one delta to one account, one teller and one
//     branch and logs it in pgbench_history, so sum(abalance) = sum(tbalance) = sum(bbalance) =
//     sum(delta), and pgbench_history has one row per transaction pgbench reported.
// pgbench truncates pgbench_history before a run unless given -n, so only the first run after a
// load omits -n; later runs accumulate. Runs last a few seconds (-T), scale is 1.

import Foundation
import XCTest

final class PgbenchTests: XCTestCase {
    /// Rows per scale unit in pgbench's tables (pgbench.c: naccounts, ntellers, nbranches).
    static let accountsPerScale = 100_000, tellersPerScale = 10, branchesPerScale = 1
    /// Length of each short run.
    static let runSeconds = 2

    func testDefaultLoadThenAllProtocolsKeepTheInvariant() throws {
        let (server, bench) = try startServer()
        defer { server.cleanUp() }
        try bench.initialize(["-s", "1"])
        try bench.expectLoaded(scale: 1)

        // TPC-B-like in each protocol; the first run truncates pgbench_history, later ones add to it.
        var transactions = 0
        var truncate = true
        for mode in ["simple", "extended", "prepared"] {
            var arguments = ["-M", mode, "-c", "4", "-j", "2", "-T", String(Self.runSeconds)]
            if !truncate { arguments.append("-n") }
            transactions += try bench.run(arguments)
            truncate = false
            let sums = try bench.sums()
            XCTAssertEqual(sums.history, transactions, "pgbench_history rows after -M \(mode)")
            XCTAssertTrue(sums.abalance == sums.tbalance && sums.tbalance == sums.bbalance && sums.bbalance == sums.delta,
                          "TPC-B invariant after -M \(mode): \(sums)")
        }

        // Select-only changes nothing.
        let before = try bench.sums()
        _ = try bench.run(["-S", "-c", "4", "-j", "2", "-T", String(Self.runSeconds), "-n"])
        XCTAssertEqual(try bench.sums(), before, "a select-only run changed the tables")

        // Simple-update: account and history only, so tellers and branches keep their sums.
        transactions += try bench.run(["-N", "-M", "prepared", "-c", "4", "-j", "2", "-T", String(Self.runSeconds), "-n"])
        let after = try bench.sums()
        XCTAssertEqual(after.history, transactions, "pgbench_history rows after -N")
        XCTAssertEqual(after.abalance, after.delta, "sum(abalance) = sum(delta) after -N: \(after)")
        XCTAssertEqual(after.tbalance, before.tbalance, "-N changed pgbench_tellers")
        XCTAssertEqual(after.bbalance, before.bbalance, "-N changed pgbench_branches")
    }

    func testServerSideLoadThenThirtyTwoClientsOnOneBranch() throws {
        let (server, bench) = try startServer()
        defer { server.cleanUp() }
        try bench.initialize(["-I", "dtGvp", "-s", "1"])
        try bench.expectLoaded(scale: 1)

        // Scale 1 has one branch row: every transaction updates it, so 32 clients queue on its row
        // lock, and each waiter must re-check the committed row version (READ COMMITTED).
        let transactions = try bench.run(["-c", "32", "-j", "2", "-T", "5"])
        let sums = try bench.sums()
        XCTAssertEqual(sums.history, transactions, "pgbench_history rows")
        XCTAssertTrue(sums.abalance == sums.tbalance && sums.tbalance == sums.bbalance && sums.bbalance == sums.delta,
                      "TPC-B invariant: \(sums)")
    }

    // MARK: Helpers

    private func startServer() throws -> (MiniPGInstance, Pgbench) {
        guard let pgbench = Pgbench.binary else { throw XCTSkip("pgbench (package postgresql-15) is not installed") }
        let server = try MiniPGInstance()
        do {
            try server.start()
        } catch {
            server.cleanUp()
            throw error
        }
        return (server, Pgbench(executable: pgbench, server: server))
    }
}

/// The four sums of the TPC-B invariant and the number of history rows.
struct PgbenchSums: Equatable, CustomStringConvertible {
    var abalance, tbalance, bbalance, delta, history: Int

    var description: String {
        "sum(abalance)=\(abalance) sum(tbalance)=\(tbalance) sum(bbalance)=\(bbalance) sum(delta)=\(delta) history rows=\(history)"
    }
}

/// Runs pgbench and psql against one minipg server and reads back what they report.
struct Pgbench {
    let executable: String
    let server: MiniPGInstance

    /// PostgreSQL 15's pgbench (/usr/bin/pgbench is a wrapper that needs it installed).
    static var binary: String? {
        let path = "/usr/lib/postgresql/15/bin/pgbench"
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    private var connection: [String] { ["-h", "127.0.0.1", "-p", String(server.port), "-U", "postgres"] }

    private func pgbench(_ arguments: [String]) throws -> CommandResult {
        try runCommand(executable, arguments + connection + ["postgres"],
                       environment: ["PGPASSWORD": server.password, "PGCONNECT_TIMEOUT": "10"], timeoutSeconds: 120)
    }

    /// `pgbench -i ...`: must finish with "done in" and exit status 0.
    func initialize(_ arguments: [String]) throws {
        let result = try pgbench(["-i"] + arguments)
        guard result.status == 0, result.output.contains("done in") else {
            throw TestFailure("pgbench -i \(arguments.joined(separator: " ")) failed (\(result.status)):\n\(result.output)\n\(server.log().suffix(3000))")
        }
    }

    /// Runs a benchmark; fails unless it ended cleanly with no failed transaction. Returns the
    /// number of transactions pgbench reports as processed.
    func run(_ arguments: [String]) throws -> Int {
        let result = try pgbench(arguments)
        let what = "pgbench \(arguments.joined(separator: " "))"
        guard result.status == 0, !result.output.contains("error:") else {
            throw TestFailure("\(what) failed (\(result.status)):\n\(result.output)\n\(server.log().suffix(3000))")
        }
        guard let processed = Self.reported("number of transactions actually processed:", in: result.output),
              let failed = Self.reported("number of failed transactions:", in: result.output) else {
            throw TestFailure("\(what): no transaction counts in its report:\n\(result.output)")
        }
        XCTAssertEqual(failed, 0, "\(what) had failed transactions:\n\(result.output)")
        XCTAssertGreaterThan(processed, 0, "\(what) processed no transaction:\n\(result.output)")
        return processed
    }

    /// The integer after `label` on its line ("... processed: 331" or "... processed: 400/400").
    static func reported(_ label: String, in output: String) -> Int? {
        for line in output.split(separator: "\n") where line.hasPrefix(label) {
            let value = line.dropFirst(label.count).drop { $0 == " " }.prefix { $0.isNumber }
            return Int(value)
        }
        return nil
    }

    func psql(_ sql: String) throws -> String {
        let result = try server.psql(sql + "\n", extraArguments: ["-At", "-v", "ON_ERROR_STOP=1"])
        guard result.status == 0 else { throw TestFailure("psql failed (\(result.status)) on \(sql):\n\(result.output)") }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func expectLoaded(scale: Int) throws {
        let counts = try psql("""
            select (select count(*) from pgbench_accounts), (select count(*) from pgbench_tellers),
                   (select count(*) from pgbench_branches), (select count(*) from pgbench_history);
            """)
        let expected = [scale * PgbenchTests.accountsPerScale, scale * PgbenchTests.tellersPerScale,
                        scale * PgbenchTests.branchesPerScale, 0].map(String.init).joined(separator: "|")
        XCTAssertEqual(counts, expected, "row counts after pgbench -i (accounts|tellers|branches|history)")
        // The p step made real primary keys: a duplicate is refused.
        let duplicate = try server.psql("insert into pgbench_branches (bid, bbalance) values (1, 0);\n")
        XCTAssertTrue(duplicate.output.contains("duplicate key value violates unique constraint \"pgbench_branches_pkey\""),
                      duplicate.output)
    }

    func sums() throws -> PgbenchSums {
        let row = try psql("""
            select (select coalesce(sum(abalance), 0) from pgbench_accounts), (select coalesce(sum(tbalance), 0) from pgbench_tellers),
                   (select coalesce(sum(bbalance), 0) from pgbench_branches), (select coalesce(sum(delta), 0) from pgbench_history),
                   (select count(*) from pgbench_history);
            """)
        let values = row.split(separator: "|").compactMap { Int($0) }
        guard values.count == 5 else { throw TestFailure("unexpected sums row: \(row)") }
        return PgbenchSums(abalance: values[0], tbalance: values[1], bbalance: values[2], delta: values[3], history: values[4])
    }
}
