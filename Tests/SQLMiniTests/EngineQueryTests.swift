// Engine tests of queries: generate_series bulk insert, aggregates, index scans chosen by the
// planner, joins, subqueries, set operations, ORDER BY forms.
import Testing
import Storage
@testable import SQLMini

@Suite struct EngineQueryTests {
    @Test func hundredThousandRowsFromGenerateSeries() throws {
        let db = try EngineHarness()
        try db.run("CREATE TABLE big (id int PRIMARY KEY, v int8, filler char(10))")
        #expect(try db.tag("INSERT INTO big (id, v) SELECT g, g * 2 FROM generate_series(1, 100000) AS g") == "INSERT 0 100000")
        #expect(try db.text("SELECT count(*), sum(v), min(id), max(id) FROM big") == [["100000", "10000100000", "1", "100000"]])
        #expect(try db.text("SELECT v FROM big WHERE id = 4321") == [["8642"]])
        #expect(try db.text("SELECT count(*) FROM big WHERE id BETWEEN 10 AND 20") == [["11"]])
    }

    @Test func planUsesIndexForEqualityAndRanges() throws {
        let db = try EngineHarness()
        try db.run("CREATE TABLE accounts (aid int PRIMARY KEY, abalance int); INSERT INTO accounts SELECT g, 0 FROM generate_series(1, 50) g")
        #expect(try db.explain("SELECT * FROM accounts WHERE aid = 5").contains("Index Scan using accounts_pkey on accounts"))
        #expect(try db.explain("SELECT * FROM accounts WHERE aid BETWEEN 10 AND 20").contains("Index Scan using accounts_pkey"))
        #expect(try db.explain("UPDATE accounts SET abalance = abalance + 1 WHERE aid = 7").contains("Index Scan using accounts_pkey"))
        #expect(try db.explain("SELECT * FROM accounts WHERE abalance = 5").contains("Seq Scan on accounts"))
        #expect(try db.text("SELECT aid FROM accounts WHERE aid > $1 ORDER BY aid", parameters: [.int4(47)]) == [["48"], ["49"], ["50"]])
        #expect(try db.text("SELECT aid FROM accounts WHERE aid >= 3 AND aid < 6 ORDER BY aid DESC") == [["5"], ["4"], ["3"]])
        try db.run("CREATE INDEX ON accounts (abalance)")
        #expect(try db.explain("SELECT * FROM accounts WHERE abalance = 5").contains("Index Scan using accounts_abalance_idx"))
        #expect(try db.text("SELECT count(*) FROM accounts WHERE abalance = 0") == [["50"]])
    }

    /// An index scan stops at the successor of its key prefix: the same rows as a filter over
    /// every row, also for keys whose encoding ends in 0xFF bytes (-1) and for ranges on the
    /// second column of a two-column index.
    @Test func indexScansStopAfterTheirKeysAndMissNothing() throws {
        let db = try EngineHarness()
        try db.run("CREATE TABLE t (a int, b int, c text); CREATE INDEX t_a_b ON t (a, b)")
        try db.run("INSERT INTO t SELECT a, b, a || '/' || b FROM generate_series(-3, 3) a, generate_series(-3, 3) b")
        for condition in ["a = -1", "a = 0", "a = 3", "a = -1 AND b = -1", "a = -1 AND b > -2", "a = 0 AND b <= -1",
                          "a = -1 AND b BETWEEN -1 AND 2", "a > -2", "a < 0", "a >= -1 AND a <= 1"] {
            #expect(try db.explain("SELECT c FROM t WHERE \(condition)").contains("Index Scan using t_a_b"))
            let viaIndex = try db.text("SELECT c FROM t WHERE \(condition) ORDER BY c")
            let viaFilter = try db.text("SELECT c FROM t WHERE (\(condition)) OR c IS NULL ORDER BY c")
            #expect(viaIndex == viaFilter, "\(condition)")
            #expect(!viaIndex.isEmpty, "\(condition)")
        }
    }

    @Test func groupByHavingAndAggregates() throws {
        let db = try EngineHarness()
        try db.run("""
            CREATE TABLE sales (region text, amount int, note text);
            INSERT INTO sales VALUES ('n', 10, 'a'), ('n', 20, NULL), ('s', 5, 'b'), ('s', 5, 'b'), ('e', NULL, NULL)
            """)
        #expect(try db.text("SELECT region, count(*), sum(amount), avg(amount), count(DISTINCT amount), count(note) FROM sales GROUP BY region ORDER BY region")
                == [["e", "1", nil, nil, "0", "0"], ["n", "2", "30", "15.0000000000000000", "2", "1"], ["s", "2", "10", "5.0000000000000000", "1", "2"]])
        #expect(try db.text("SELECT region, sum(amount) AS total FROM sales GROUP BY 1 HAVING sum(amount) > 12 ORDER BY total DESC")
                == [["n", "30"]])
        #expect(try db.text("SELECT count(*) FROM sales WHERE amount > 100") == [["0"]])
        #expect(try db.text("SELECT max(region), string_agg(note, ',') FROM sales") == [["s", "a,b,b"]])
        let error = db.error("SELECT region, amount FROM sales GROUP BY region")
        #expect(error?.sqlState == "42803")
        #expect(error?.message == "column \"sales.amount\" must appear in the GROUP BY clause or be used in an aggregate function")
        #expect(try db.text("SELECT DISTINCT region FROM sales ORDER BY 1") == [["e"], ["n"], ["s"]])
    }

    @Test func joins() throws {
        let db = try EngineHarness()
        try db.run("""
            CREATE TABLE dept (id int PRIMARY KEY, name text);
            CREATE TABLE emp (id int PRIMARY KEY, dept_id int, name text);
            INSERT INTO dept VALUES (1, 'eng'), (2, 'ops'), (3, 'empty');
            INSERT INTO emp VALUES (10, 1, 'ann'), (11, 1, 'bob'), (12, 2, 'cid'), (13, NULL, 'dan')
            """)
        #expect(try db.text("SELECT e.name, d.name FROM emp e JOIN dept d ON d.id = e.dept_id ORDER BY e.name")
                == [["ann", "eng"], ["bob", "eng"], ["cid", "ops"]])
        #expect(try db.explain("SELECT e.name, d.name FROM emp e JOIN dept d ON d.id = e.dept_id").contains("Index Scan using dept_pkey"))
        #expect(try db.text("SELECT d.name, e.name FROM dept d LEFT JOIN emp e ON e.dept_id = d.id ORDER BY 1, 2")
                == [["empty", nil], ["eng", "ann"], ["eng", "bob"], ["ops", "cid"]])
        #expect(try db.explain("SELECT d.name, e.name FROM dept d LEFT JOIN emp e ON e.dept_id = d.id").contains("Hash Left Join"))
        #expect(try db.text("SELECT d.name, count(e.id) FROM dept d LEFT JOIN emp e ON e.dept_id = d.id GROUP BY d.name ORDER BY d.name")
                == [["empty", "0"], ["eng", "2"], ["ops", "1"]])
        #expect(try db.text("SELECT e.name FROM emp e, dept d WHERE e.dept_id = d.id AND d.name = 'ops'") == [["cid"]])
        #expect(try db.text("SELECT count(*) FROM emp, dept") == [["12"]])
        let ambiguous = db.error("SELECT name FROM emp, dept")
        #expect(ambiguous?.sqlState == "42702")
        #expect(ambiguous?.message == "column reference \"name\" is ambiguous")
    }

    @Test func subqueries() throws {
        let db = try EngineHarness()
        try db.run("""
            CREATE TABLE a (x int, y text);
            CREATE TABLE b (x int);
            INSERT INTO a VALUES (1, 'one'), (2, 'two'), (3, 'three');
            INSERT INTO b VALUES (2), (3), (3)
            """)
        #expect(try db.text("SELECT x FROM a WHERE x IN (SELECT x FROM b) ORDER BY x") == [["2"], ["3"]])
        #expect(try db.text("SELECT x FROM a WHERE NOT EXISTS (SELECT 1 FROM b WHERE b.x = a.x)") == [["1"]])
        #expect(try db.text("SELECT x, (SELECT count(*) FROM b WHERE b.x = a.x) AS n FROM a ORDER BY x")
                == [["1", "0"], ["2", "1"], ["3", "2"]])
        #expect(try db.text("SELECT (SELECT max(x) FROM b)") == [["3"]])
        try db.run("CREATE TABLE c (id int PRIMARY KEY, label text); INSERT INTO c VALUES (1, 'c1'), (3, 'c3')")
        #expect(try db.explain("SELECT x, (SELECT label FROM c WHERE c.id = a.x) FROM a").contains("Index Scan using c_pkey"))
        #expect(try db.text("SELECT x, (SELECT label FROM c WHERE c.id = a.x) FROM a ORDER BY x")
                == [["1", "c1"], ["2", nil], ["3", "c3"]])
        #expect(try db.text("SELECT ARRAY(SELECT y FROM a ORDER BY x DESC)") == [["{three,two,one}"]])
        #expect(try db.text("SELECT s.total FROM (SELECT sum(x) AS total FROM a) s") == [["6"]])
        #expect(try db.text("SELECT x FROM a WHERE x = ANY(ARRAY[1, 3]) ORDER BY 1") == [["1"], ["3"]])
        #expect(db.error("SELECT (SELECT x FROM b)")?.sqlState == "21000")
        #expect(try db.text("SELECT x, (SELECT count(*) FROM b WHERE b.x = a.x) FROM a GROUP BY x ORDER BY x")
                == [["1", "0"], ["2", "1"], ["3", "2"]])
        #expect(db.error("SELECT count(*), (SELECT y FROM b WHERE b.x = a.x) FROM a")?.sqlState == "42803")
        #expect(try db.text("SELECT o.n FROM a CROSS JOIN LATERAL (SELECT a.x * 10) AS o(n) WHERE a.x > 1 ORDER BY 1")
                == [["20"], ["30"]])
    }

    @Test func unionOrderByAndNulls() throws {
        let db = try EngineHarness()
        try db.run("CREATE TABLE t (v int); INSERT INTO t VALUES (3), (NULL), (1)")
        #expect(try db.text("SELECT v FROM t UNION SELECT 1 UNION SELECT 5 ORDER BY 1") == [["1"], ["3"], ["5"], [nil]])
        #expect(try db.text("SELECT v FROM t UNION ALL SELECT v FROM t ORDER BY 1 NULLS FIRST LIMIT 3") == [[nil], [nil], ["1"]])
        #expect(try db.text("SELECT v AS value FROM t ORDER BY value DESC") == [[nil], ["3"], ["1"]])
        #expect(try db.text("SELECT v FROM t ORDER BY v * -1") == [["3"], ["1"], [nil]])
    }

    @Test func outerJoinsSetOperationsAndDistinctOn() throws {
        let db = try EngineHarness()
        try db.run("""
            CREATE TABLE l (k int, a text); CREATE TABLE r (k int, b text);
            INSERT INTO l VALUES (1, 'l1'), (2, 'l2'), (2, 'l2b');
            INSERT INTO r VALUES (2, 'r2'), (3, 'r3')
            """)
        #expect(try db.text("SELECT l.a, r.b FROM l RIGHT JOIN r ON l.k = r.k ORDER BY 2, 1")
                == [["l2", "r2"], ["l2b", "r2"], [nil, "r3"]])
        #expect(try db.text("SELECT l.a, r.b FROM l FULL JOIN r ON l.k = r.k ORDER BY 1, 2")
                == [["l1", nil], ["l2", "r2"], ["l2b", "r2"], [nil, "r3"]])
        #expect(try db.text("SELECT l.a, r.b FROM l FULL JOIN r ON l.k < r.k AND r.k = 3 ORDER BY 1, 2")
                == [["l1", "r3"], ["l2", "r3"], ["l2b", "r3"], [nil, "r2"]])
        #expect(try db.text("SELECT k FROM l INTERSECT SELECT k FROM r") == [["2"]])
        #expect(try db.text("SELECT k FROM l INTERSECT ALL SELECT k FROM l WHERE a = 'l2b'") == [["2"]])
        #expect(try db.text("SELECT k FROM l EXCEPT SELECT k FROM r") == [["1"]])
        #expect(try db.text("SELECT k FROM l EXCEPT ALL SELECT 2") == [["1"], ["2"]])
        #expect(try db.text("SELECT DISTINCT ON (k) k, a FROM l ORDER BY k, a DESC") == [["1", "l1"], ["2", "l2b"]])
    }

    @Test func generateSeriesAliasNamesTheColumn() throws {
        let db = try EngineHarness()
        let context = db.begin()
        context.beginStatement()
        let statement = try Parser.parse("SELECT * FROM generate_series(1, 3) AS s").first!.statement
        let plan = try db.engine.prepare(statement, parameterTypes: [], context: context)
        #expect(plan.resultColumns?.map(\.name) == ["s"])
        #expect(try db.text("SELECT s FROM generate_series(5, 1, -2) s") == [["5"], ["3"], ["1"]])
    }
}
