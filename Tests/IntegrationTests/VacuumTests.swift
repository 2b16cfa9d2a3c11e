// VacuumTests: space is reclaimed under the real pgbench. A TPC-B run updates pgbench's single
// branch row and ten teller rows thousands of times; with pruning, simple deletion in the indexes
// and autovacuum (naptime 1s here) the tables and indexes stay close to their size after
// `pgbench -i`, VACUUM afterwards succeeds, and the TPC-B invariant still holds.
// Sizes are compared with generous bounds (a few pages, or 2x), never timings.

import Foundation
import XCTest

final class VacuumTests: XCTestCase {
    func testTPCBRunLeavesTablesAndIndexesNearTheirLoadedSize() throws {
        guard let pgbench = Pgbench.binary else { throw XCTSkip("pgbench (package postgresql-15) is not installed") }
        let server = try MiniPGInstance(extraSettings: ["autovacuum_naptime=1", "log_autovacuum_min_duration=0"])
        defer { server.cleanUp() }
        try server.start()
        let bench = Pgbench(executable: pgbench, server: server)
        try bench.initialize(["-s", "1"])
        let loaded = try sizes(bench)

        let transactions = try bench.run(["-c", "4", "-j", "2", "-T", "10"])
        _ = try bench.psql("vacuum")       // fails the test if VACUUM fails
        let sums = try bench.sums()
        XCTAssertEqual(sums.history, transactions, "pgbench_history rows")
        XCTAssertTrue(sums.abalance == sums.tbalance && sums.tbalance == sums.bbalance && sums.bbalance == sums.delta,
                      "TPC-B invariant after VACUUM: \(sums)")

        let after = try sizes(bench)
        for table in ["pgbench_branches", "pgbench_tellers", "pgbench_branches_pkey", "pgbench_tellers_pkey"] {
            // Each of the thousands of updates left a dead version and an index entry behind.
            XCTAssertLessThanOrEqual(after[table] ?? .max, 8 * 8192, "\(table): \(after) (after pgbench -i: \(loaded))")
        }
        for relation in ["pgbench_accounts", "pgbench_accounts_pkey"] {
            XCTAssertLessThanOrEqual(after[relation] ?? .max, 2 * (loaded[relation] ?? 0), "\(relation): \(after) (after pgbench -i: \(loaded))")
        }
        let vacuumed = try bench.psql("select count(*) from pg_stat_user_tables where relname like 'pgbench%' and vacuum_count > 0")
        XCTAssertEqual(vacuumed, "4", "VACUUM visited the four pgbench tables")
        XCTAssertTrue(server.log().contains("automatic vacuum of table \"public.pgbench_branches\""), "no autovacuum line in the log")
    }

    /// pg_relation_size of each pgbench table and index.
    private func sizes(_ bench: Pgbench) throws -> [String: Int] {
        let rows = try bench.psql("select relname, pg_relation_size(oid) from pg_class where relname like 'pgbench%'")
        var sizes: [String: Int] = [:]
        for row in rows.split(separator: "\n") {
            let fields = row.split(separator: "|")
            if fields.count == 2, let size = Int(fields[1]) { sizes[String(fields[0])] = size }
        }
        return sizes
    }
}
