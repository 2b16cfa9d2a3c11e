// VACUUM and ANALYZE through a session: a row updated ten thousand times stays in a few pages,
// VACUUM frees what pruning left and the sizes say so, and the counters show in
// pg_stat_user_tables and pg_class.reltuples.
import Testing
@testable import SQLMini

@Suite struct SessionVacuumTests {
    @Test func aRowUpdatedTenThousandTimesStaysInAFewPages() throws {
        let db = try TestDatabase()
        let session = try db.session()
        _ = session.run("CREATE TABLE counter (id int PRIMARY KEY, n int, pad text)")
        _ = session.run("INSERT INTO counter VALUES (1, 0, repeat('x', 100)), (2, 0, 'other')")
        for _ in 0..<10_000 {
            if let error = session.run("UPDATE counter SET n = n + 1 WHERE id = 1").error { throw error }
        }
        #expect(try session.rows("SELECT id, n FROM counter ORDER BY id") == [["1", "10000"], ["2", "0"]])
        // Pruning keeps the heap small even before VACUUM: ten thousand 150-byte versions are 1.5 MB.
        let before = try session.rows("SELECT pg_relation_size('counter') / 8192, pg_relation_size('counter_pkey') / 8192")
        #expect(Int(before[0][0] ?? "") ?? 999 <= 8)
        #expect(Int(before[0][1] ?? "") ?? 999 <= 8)

        #expect(session.run("VACUUM counter").output.tags == ["VACUUM"])
        for _ in 0..<10_000 {
            if let error = session.run("UPDATE counter SET n = n + 1 WHERE id = 1").error { throw error }
        }
        // The second ten thousand reused the space VACUUM freed: no growth.
        let after = try session.rows("SELECT pg_relation_size('counter') / 8192, pg_total_relation_size('counter') / 8192")
        #expect(after[0][0] == before[0][0])
        #expect(Int(after[0][1] ?? "") ?? 999 <= 16)
        #expect(try session.rows("SELECT n FROM counter WHERE id = 1") == [["20000"]])
    }

    @Test func vacuumVerboseAnalyzeAndTheStatistics() throws {
        let db = try TestDatabase()
        let session = try db.session()
        _ = session.run("CREATE TABLE t (id int PRIMARY KEY, v text)")
        _ = session.run("INSERT INTO t SELECT g, 'v' FROM generate_series(1, 100) g")
        _ = session.run("DELETE FROM t WHERE id <= 40")
        #expect(try session.rows("SELECT reltuples FROM pg_class WHERE relname = 't'") == [["-1"]])
        #expect(try session.rows("SELECT n_tup_ins, n_tup_del, n_dead_tup, vacuum_count FROM pg_stat_user_tables WHERE relname = 't'")
                == [["100", "40", "40", "0"]])

        let (output, error) = session.run("VACUUM (VERBOSE, ANALYZE) t")
        #expect(error == nil)
        #expect(output.tags == ["VACUUM"])
        #expect(output.notices.first == "vacuuming \"postgres.public.t\"")
        #expect(output.notices.last?.contains("tuples: 40 removed, 60 remain, 0 are dead but not yet removable") == true)
        #expect(try session.rows("SELECT reltuples FROM pg_class WHERE relname = 't'") == [["60"]])
        #expect(try session.rows("""
            SELECT n_live_tup, n_dead_tup, vacuum_count, analyze_count, last_vacuum IS NOT NULL
            FROM pg_stat_user_tables WHERE relname = 't'
            """) == [["60", "0", "1", "1", "t"]])
        // The index lost its 40 entries: an index scan and a count agree.
        #expect(try session.rows("SELECT count(*) FROM t WHERE id BETWEEN 1 AND 100") == [["60"]])

        // VACUUM without names covers every table; a non-table is skipped with a warning.
        #expect(session.run("VACUUM").output.tags == ["VACUUM"])
        let skipped = session.run("VACUUM t_pkey").output
        #expect(skipped.notices == ["skipping \"t_pkey\" --- cannot vacuum non-tables or special system tables"])
        #expect(session.run("ANALYZE t").output.tags == ["ANALYZE"])
    }
}
