// Engine tests of definitions: transactional DDL, DROP ... IF EXISTS notices, TRUNCATE rolled
// back, ALTER TABLE ADD PRIMARY KEY / ADD COLUMN, and a restart keeping tables, rows and indexes.
import Testing
import Storage
@testable import SQLMini

@Suite struct EngineDDLTests {
    @Test func createTableErrorsAndNotices() throws {
        let db = try EngineHarness()
        try db.run("CREATE TABLE t (id int)")
        let duplicate = db.error("CREATE TABLE t (id int)")
        #expect(duplicate?.sqlState == "42P07")
        #expect(duplicate?.message == "relation \"t\" already exists")
        var notices: [String] = []
        try db.run("CREATE TABLE IF NOT EXISTS t (id int)", notices: { notices.append($0.message) })
        try db.run("DROP TABLE IF EXISTS t, missing", notices: { notices.append($0.message) })
        #expect(notices == ["relation \"t\" already exists, skipping", "table \"missing\" does not exist, skipping"])
        let missing = db.error("SELECT * FROM\n t")
        #expect(missing?.sqlState == "42P01")
        #expect(missing?.message == "relation \"t\" does not exist")
        #expect(missing?.position == 16)
        try db.run("CREATE TABLE u (a int)")
        let column = db.error("SELECT b FROM u")
        #expect(column?.sqlState == "42703")
        #expect(column?.message == "column \"b\" does not exist")
        #expect(column?.position == 8)
    }

    @Test func ddlIsTransactional() throws {
        let db = try EngineHarness()
        let context = db.begin()
        try db.run("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)", in: context)
        #expect(try db.run("SELECT count(*) FROM t", in: context) == [[.int8(1)]])
        #expect(db.error("SELECT * FROM t")?.sqlState == "42P01")   // not visible to others yet
        db.abort(context)
        #expect(db.error("SELECT * FROM t")?.sqlState == "42P01")
        try db.run("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (2)")
        #expect(try db.text("SELECT id FROM t") == [["2"]])
    }

    @Test func truncateIsTransactional() throws {
        let db = try EngineHarness()
        try db.run("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t SELECT g FROM generate_series(1, 10) g")
        let context = db.begin()
        try db.run("TRUNCATE t", in: context)
        #expect(try db.run("SELECT count(*) FROM t", in: context) == [[.int8(0)]])
        db.abort(context)
        #expect(try db.text("SELECT count(*) FROM t") == [["10"]])
        #expect(try db.tag("TRUNCATE TABLE t") == "TRUNCATE TABLE")
        #expect(try db.text("SELECT count(*) FROM t") == [["0"]])
        try db.run("INSERT INTO t VALUES (1)")
        #expect(try db.text("SELECT id FROM t WHERE id = 1") == [["1"]])
    }

    @Test func alterTableAddPrimaryKeyAndColumn() throws {
        let db = try EngineHarness()
        try db.run("CREATE TABLE pgbench_branches (bid int NOT NULL, bbalance int, filler char(88)) WITH (fillfactor=100)")
        try db.run("INSERT INTO pgbench_branches (bid, bbalance) VALUES (1, 0), (2, 0)")
        #expect(try db.tag("ALTER TABLE pgbench_branches ADD PRIMARY KEY (bid)") == "ALTER TABLE")
        #expect(try db.explain("SELECT * FROM pgbench_branches WHERE bid = 1").contains("Index Scan using pgbench_branches_pkey"))
        #expect(db.error("INSERT INTO pgbench_branches (bid) VALUES (1)")?.message
                == "duplicate key value violates unique constraint \"pgbench_branches_pkey\"")
        try db.run("CREATE TABLE d (a int); INSERT INTO d VALUES (1), (1)")
        let duplicated = db.error("ALTER TABLE d ADD PRIMARY KEY (a)")
        #expect(duplicated?.message == "could not create unique index \"d_pkey\"")
        #expect(duplicated?.detail == "Key (a)=(1) is duplicated.")
        try db.run("CREATE TABLE n (a int); INSERT INTO n VALUES (NULL)")
        #expect(db.error("ALTER TABLE n ADD PRIMARY KEY (a)")?.message == "column \"a\" of relation \"n\" contains null values")
        try db.run("ALTER TABLE d ADD COLUMN b text DEFAULT 'x'")
        #expect(try db.text("SELECT a, b FROM d") == [["1", "x"], ["1", "x"]])
        try db.run("INSERT INTO d (a) VALUES (2)")
        #expect(try db.text("SELECT b FROM d WHERE a = 2") == [["x"]])
    }

    @Test func dropTableRemovesIndexesAndSequences() throws {
        let db = try EngineHarness()
        try db.run("CREATE TABLE t (id serial PRIMARY KEY, v int UNIQUE); CREATE INDEX t_v_idx2 ON t (v)")
        #expect(db.engine.catalog.relations.count == 5)
        #expect(db.error("DROP INDEX t_pkey")?.sqlState == "2BP01")
        try db.run("DROP INDEX t_v_idx2")
        #expect(try db.tag("DROP TABLE t") == "DROP TABLE")
        #expect(db.engine.catalog.relations.isEmpty)
        #expect(db.engine.catalog.sequences.isEmpty && db.engine.catalog.constraints.isEmpty)
    }

    @Test func restartKeepsTablesRowsAndIndexes() throws {
        let db = try EngineHarness()
        try db.run("CREATE TABLE t (id int PRIMARY KEY, name varchar(10)); INSERT INTO t SELECT g, 'n' || g FROM generate_series(1, 500) g")
        try db.run("CREATE TABLE s (id serial, v text); INSERT INTO s (v) VALUES ('a')")
        try db.restart()
        #expect(try db.text("SELECT count(*) FROM t") == [["500"]])
        #expect(try db.text("SELECT name FROM t WHERE id = 321") == [["n321"]])
        #expect(try db.explain("SELECT name FROM t WHERE id = 321").contains("Index Scan using t_pkey"))
        #expect(try db.text("INSERT INTO s (v) VALUES ('b') RETURNING id") == [["2"]])
        #expect(db.error("INSERT INTO t VALUES (5, 'dup')")?.sqlState == "23505")
    }

    @Test func rolesAreCatalogRows() throws {
        let db = try EngineHarness()
        #expect(db.engine.catalog.role(named: "postgres")?.password == "SCRAM-SHA-256$4096:test")
        let context = db.begin()
        context.passwordHasher = { user, password in "md5" + String(repeating: "0", count: 32) + user + password }
        try db.run("CREATE ROLE app LOGIN PASSWORD 'secret'", in: context)
        try db.commit(context)
        #expect(db.engine.catalog.role(named: "app")?.canLogin == true)
        try db.run("ALTER ROLE app NOLOGIN")
        #expect(db.engine.catalog.role(named: "app")?.canLogin == false)
        try db.run("DROP ROLE app")
        #expect(db.engine.catalog.role(named: "app") == nil)
        #expect(db.engine.catalog.databases.map(\.name).sorted() == ["postgres", "template0", "template1"])
    }
}
