// Engine tests: tables, rows, queries end to end over a real (temporary) data directory.
import Testing
import Storage
@testable import SQLMini

@Suite struct EngineBasicTests {
    @Test func createInsertSelect() throws {
        let db = try EngineHarness()
        try db.run("CREATE TABLE t (id int PRIMARY KEY, name text NOT NULL, score numeric(6,2))")
        #expect(try db.tag("INSERT INTO t VALUES (1, 'one', 1.5), (2, 'two', NULL)") == "INSERT 0 2")
        #expect(try db.text("SELECT * FROM t ORDER BY id") == [["1", "one", "1.50"], ["2", "two", nil]])
        #expect(try db.text("SELECT name, id * 10 AS x FROM t WHERE id = 2") == [["two", "20"]])
        #expect(try db.text("SELECT 1 + 1, 'abc'") == [["2", "abc"]])
    }

    @Test func selectWithoutFromAndValues() throws {
        let db = try EngineHarness()
        #expect(try db.text("SELECT 1 AS a, NULL IS NULL, 7 / 2, 'x' || 'y'") == [["1", "t", "3", "xy"]])
        #expect(try db.text("VALUES (1, 'a'), (2, 'b') ORDER BY 1 DESC") == [["2", "b"], ["1", "a"]])
        #expect(try db.text("SELECT * FROM (VALUES (3), (1), (2)) AS v(n) ORDER BY n LIMIT 2 OFFSET 1") == [["2"], ["3"]])
    }
}
