// Engine tests of data changes: constraint errors with PostgreSQL's exact texts, serial columns,
// RETURNING, read-only transactions, the Halloween problem, UPDATE/DELETE with indexes.
import Testing
import Storage
@testable import SQLMini

@Suite struct EngineDMLTests {
    @Test func notNullViolationNamesColumnAndRow() throws {
        let db = try EngineHarness()
        try db.run("CREATE TABLE t (id int, name text NOT NULL, note text)")
        let error = db.error("INSERT INTO t (id, note) VALUES (1, 'x')")
        #expect(error?.sqlState == "23502")
        #expect(error?.message == "null value in column \"name\" of relation \"t\" violates not-null constraint")
        #expect(error?.detail == "Failing row contains (1, null, x).")
    }

    @Test func uniqueViolationNamesConstraintAndKey() throws {
        let db = try EngineHarness()
        try db.run("CREATE TABLE t (id int PRIMARY KEY, code text UNIQUE); INSERT INTO t VALUES (1, 'a')")
        let error = db.error("INSERT INTO t VALUES (1, 'b')")
        #expect(error?.sqlState == "23505")
        #expect(error?.message == "duplicate key value violates unique constraint \"t_pkey\"")
        #expect(error?.detail == "Key (id)=(1) already exists.")
        #expect(db.error("INSERT INTO t VALUES (2, 'a')")?.message == "duplicate key value violates unique constraint \"t_code_key\"")
        // NULLs never conflict; a deleted row's key can be reused; an update may keep its own key.
        try db.run("INSERT INTO t VALUES (3, NULL), (4, NULL)")
        try db.run("DELETE FROM t WHERE id = 1")
        try db.run("INSERT INTO t VALUES (1, 'z')")
        #expect(try db.tag("UPDATE t SET code = 'zz' WHERE id = 1") == "UPDATE 1")
        #expect(db.error("UPDATE t SET id = 3 WHERE id = 1")?.sqlState == "23505")
        #expect(try db.text("SELECT id, code FROM t ORDER BY id") == [["1", "zz"], ["3", nil], ["4", nil]])
    }

    @Test func serialColumnsAndReturning() throws {
        let db = try EngineHarness()
        try db.run("CREATE TABLE s (id serial PRIMARY KEY, name text, big bigserial)")
        #expect(try db.text("INSERT INTO s (name) VALUES ('a'), ('b') RETURNING id, name") == [["1", "a"], ["2", "b"]])
        #expect(try db.text("INSERT INTO s (name) VALUES ('c') RETURNING *") == [["3", "c", "3"]])
        #expect(try db.text("UPDATE s SET name = upper(name) WHERE id >= 2 RETURNING id, name") == [["2", "B"], ["3", "C"]])
        #expect(try db.text("DELETE FROM s WHERE id = 1 RETURNING name") == [["a"]])
        #expect(try db.text("SELECT nextval('s_id_seq')") == [["4"]])
    }

    @Test func readOnlyTransactionRefusesWrites() throws {
        let db = try EngineHarness()
        try db.run("CREATE TABLE t (id int)")
        let context = db.begin()
        context.readOnly = true
        #expect(throws: SQLError.self) { try db.run("INSERT INTO t VALUES (1)", in: context) }
        do {
            try db.run("INSERT INTO t VALUES (1)", in: context)
        } catch let error as SQLError {
            #expect(error.sqlState == "25006")
            #expect(error.message == "cannot execute INSERT in a read-only transaction")
        }
        #expect(try db.run("SELECT count(*) FROM t", in: context) == [[.int8(0)]])
        #expect(!context.xid.isValid)
    }

    @Test func insertSelectFromItselfTerminates() throws {
        let db = try EngineHarness()
        try db.run("CREATE TABLE h (v int); INSERT INTO h VALUES (1), (2)")
        #expect(try db.tag("INSERT INTO h SELECT v + 10 FROM h") == "INSERT 0 2")
        #expect(try db.text("SELECT v FROM h ORDER BY v") == [["1"], ["2"], ["11"], ["12"]])
    }

    @Test func updateAndDeleteThroughIndexes() throws {
        let db = try EngineHarness()
        try db.run("CREATE TABLE acc (aid int PRIMARY KEY, bal int); INSERT INTO acc SELECT g, 100 FROM generate_series(1, 1000) g")
        for _ in 0..<3 { try db.run("UPDATE acc SET bal = bal + $1 WHERE aid = $2", parameters: [.int4(-5), .int4(500)]) }
        #expect(try db.text("SELECT bal FROM acc WHERE aid = 500") == [["85"]])
        #expect(try db.tag("DELETE FROM acc WHERE aid > 990") == "DELETE 10")
        #expect(try db.text("SELECT count(*), sum(bal) FROM acc") == [["990", "98985"]])
        #expect(try db.text("SELECT count(*) FROM acc WHERE aid BETWEEN 985 AND 1000") == [["6"]])
    }

    @Test func updateFromDeleteUsingAndShortInserts() throws {
        let db = try EngineHarness()
        try db.run("""
            CREATE TABLE items (id int PRIMARY KEY, price int, note text DEFAULT 'n/a');
            CREATE TABLE changes (item int, delta int);
            INSERT INTO items VALUES (1, 10), (2, 20), (3, 30);
            INSERT INTO changes VALUES (1, 5), (3, -5), (9, 1)
            """)
        #expect(try db.text("SELECT * FROM items WHERE id = 1") == [["1", "10", "n/a"]])
        #expect(try db.text("UPDATE items i SET price = i.price + c.delta FROM changes c WHERE c.item = i.id RETURNING i.id, price, c.delta")
                == [["1", "15", "5"], ["3", "25", "-5"]])
        #expect(try db.tag("DELETE FROM items USING changes WHERE changes.item = items.id AND changes.delta < 0") == "DELETE 1")
        #expect(try db.text("SELECT id, price FROM items ORDER BY id") == [["1", "15"], ["2", "20"]])
    }

    @Test func parameterTypesAreInferred() throws {
        let db = try EngineHarness()
        try db.run("CREATE TABLE p (id int, name text, at timestamp)")
        let context = db.begin()
        context.beginStatement()
        let insert = try Parser.parse("INSERT INTO p VALUES ($1, $2, CURRENT_TIMESTAMP)").first!.statement
        #expect(try db.engine.prepare(insert, parameterTypes: [], context: context).parameterTypes == [.int4, .text])
        let update = try Parser.parse("UPDATE p SET id = id + $1 WHERE name = $2 AND $3::int8 > 0").first!.statement
        #expect(try db.engine.prepare(update, parameterTypes: [], context: context).parameterTypes == [.int4, .text, .int8])
        let untyped = try Parser.parse("SELECT $1").first!.statement
        #expect(try db.engine.prepare(untyped, parameterTypes: [], context: context).parameterTypes == [.text])
    }
}
