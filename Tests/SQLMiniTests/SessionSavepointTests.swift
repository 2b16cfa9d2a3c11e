// Session tests of savepoints (subtransactions) over a real database: ROLLBACK TO undoes the
// inserts, updates, deletes, row locks and DDL of its levels and keeps the savepoint; RELEASE
// merges into the parent; an error inside a savepoint fails the block until ROLLBACK TO; the
// errors PostgreSQL gives; sequences are not rolled back; the extended protocol.
import Foundation
import Testing
@testable import SQLMini

@Suite struct SessionSavepointTests {
    private func table(_ db: TestDatabase) throws -> Session {
        let session = try db.session()
        #expect(session.run("CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'a'), (2, 'b')").error == nil)
        return session
    }

    @Test func rollbackToUndoesItsLevelAndKeepsTheSavepoint() throws {
        let db = try TestDatabase()
        let session = try table(db)
        #expect(session.run("BEGIN; INSERT INTO t VALUES (3, 'c'); SAVEPOINT s").output.tags == ["BEGIN", "INSERT 0 1", "SAVEPOINT"])
        #expect(session.run("INSERT INTO t VALUES (4, 'd'); UPDATE t SET v = 'x' WHERE id = 1; DELETE FROM t WHERE id = 2").error == nil)
        #expect(try session.rows("SELECT id, v FROM t ORDER BY id") == [["1", "x"], ["3", "c"], ["4", "d"]])
        #expect(session.run("ROLLBACK TO SAVEPOINT s").output.tags == ["ROLLBACK"])
        #expect(session.transactionStatus == .inTransaction)
        #expect(try session.rows("SELECT id, v FROM t ORDER BY id") == [["1", "a"], ["2", "b"], ["3", "c"]])
        // The savepoint is still there: the key 4 is free again, and a second rollback undoes it.
        #expect(session.run("INSERT INTO t VALUES (4, 'e'); UPDATE t SET v = 'y' WHERE id = 2").error == nil)
        #expect(session.run("ROLLBACK TO s").error == nil)
        #expect(session.run("COMMIT").output.tags == ["COMMIT"])
        #expect(try session.rows("SELECT id, v FROM t ORDER BY id") == [["1", "a"], ["2", "b"], ["3", "c"]])
    }

    @Test func releaseMergesIntoTheParentAndCommitsWithIt() throws {
        let db = try TestDatabase()
        let session = try table(db)
        let other = try db.session()
        _ = session.run("BEGIN; SAVEPOINT a; INSERT INTO t VALUES (3, 'a'); SAVEPOINT b; INSERT INTO t VALUES (4, 'b')")
        #expect(session.run("RELEASE b").output.tags == ["RELEASE"])
        _ = session.run("SAVEPOINT c; INSERT INTO t VALUES (5, 'c'); DELETE FROM t WHERE id = 1")
        #expect(session.run("ROLLBACK TO c").error == nil)
        #expect(session.run("RELEASE SAVEPOINT a").error == nil)
        // Released levels are gone, their rows stay the transaction's own, unseen by others.
        #expect(session.run("RELEASE c").error?.message == "savepoint \"c\" does not exist")
        _ = session.run("ROLLBACK")
        _ = session.run("BEGIN; SAVEPOINT a; INSERT INTO t VALUES (3, 'a'); SAVEPOINT b; INSERT INTO t VALUES (4, 'b'); RELEASE a")
        #expect(try session.rows("SELECT id FROM t ORDER BY id") == [["1"], ["2"], ["3"], ["4"]])
        #expect(try other.rows("SELECT id FROM t ORDER BY id") == [["1"], ["2"]])
        #expect(session.run("COMMIT").error == nil)
        #expect(try other.rows("SELECT id FROM t ORDER BY id") == [["1"], ["2"], ["3"], ["4"]])
    }

    @Test func rollbackToAnOuterSavepointEndsTheInnerOnes() throws {
        let db = try TestDatabase()
        let session = try table(db)
        _ = session.run("BEGIN; SAVEPOINT a; INSERT INTO t VALUES (3, 'a'); SAVEPOINT b; INSERT INTO t VALUES (4, 'b')")
        _ = session.run("SAVEPOINT a; INSERT INTO t VALUES (5, 'a2')")
        // ROLLBACK TO names the innermost "a".
        #expect(session.run("ROLLBACK TO a").error == nil)
        #expect(try session.rows("SELECT id FROM t ORDER BY id") == [["1"], ["2"], ["3"], ["4"]])
        #expect(session.run("RELEASE a").error == nil)     // the inner a
        #expect(session.run("ROLLBACK TO a").error == nil) // the outer a: b goes with it
        #expect(session.run("RELEASE b").error?.sqlState == "3B001")
        _ = session.run("ROLLBACK")
        _ = session.run("BEGIN; SAVEPOINT a")
        _ = session.run("ROLLBACK TO a")
        _ = session.run("COMMIT")
        #expect(try session.rows("SELECT id FROM t ORDER BY id") == [["1"], ["2"]])
    }

    @Test func errorInsideSavepointFailsTheBlockUntilRollbackTo() throws {
        let db = try TestDatabase()
        let session = try table(db)
        _ = session.run("BEGIN; INSERT INTO t VALUES (3, 'c'); SAVEPOINT s; INSERT INTO t VALUES (4, 'd')")
        #expect(session.run("INSERT INTO t VALUES (1, 'dup')").error?.sqlState == "23505")
        #expect(session.transactionStatus == .failed)
        #expect(session.run("SELECT 1").error?.sqlState == "25P02")
        #expect(session.run("RELEASE s").error?.sqlState == "25P02")
        #expect(session.run("SAVEPOINT t").error?.sqlState == "25P02")
        #expect(session.run("ROLLBACK TO nosuch").error?.sqlState == "3B001")
        #expect(session.transactionStatus == .failed)
        #expect(session.run("ROLLBACK TO s").output.tags == ["ROLLBACK"])
        #expect(session.transactionStatus == .inTransaction)
        #expect(session.run("INSERT INTO t VALUES (4, 'again')").error == nil)
        #expect(session.run("COMMIT").output.tags == ["COMMIT"])
        #expect(try session.rows("SELECT id, v FROM t ORDER BY id") == [["1", "a"], ["2", "b"], ["3", "c"], ["4", "again"]])
        // COMMIT of a block failed inside a savepoint answers ROLLBACK and keeps nothing.
        _ = session.run("BEGIN; INSERT INTO t VALUES (5, 'e'); SAVEPOINT s; SELECT 1/0")
        #expect(session.run("COMMIT").output.tags == ["ROLLBACK"])
        #expect(try session.rows("SELECT count(*) FROM t") == [["4"]])
    }

    @Test func savepointErrorsAsPostgreSQLWordsThem() throws {
        let db = try TestDatabase()
        let session = try db.session()
        for (sql, command) in [("SAVEPOINT a", "SAVEPOINT"), ("RELEASE a", "RELEASE SAVEPOINT"),
                               ("ROLLBACK TO a", "ROLLBACK TO SAVEPOINT")] {
            let error = session.run(sql).error
            #expect(error?.sqlState == "25P01")
            #expect(error?.message == "\(command) can only be used in transaction blocks")
        }
        _ = session.run("BEGIN")
        let missing = session.run("ROLLBACK TO SAVEPOINT x").error
        #expect(missing?.sqlState == "3B001")
        #expect(missing?.message == "savepoint \"x\" does not exist")
        // The error happened outside any savepoint: the whole transaction failed, and a failed
        // transaction has no savepoints to roll back to.
        #expect(session.run("ROLLBACK TO x").error?.sqlState == "3B001")
        #expect(session.run("ROLLBACK").output.tags == ["ROLLBACK"])
    }

    @Test func ddlAndSequencesInsideASavepoint() throws {
        let db = try TestDatabase()
        let session = try db.session()
        _ = session.run("CREATE TABLE s (id serial)")
        _ = session.run("BEGIN; CREATE TABLE kept (id int); SAVEPOINT s; CREATE TABLE gone (id int); INSERT INTO gone VALUES (1)")
        #expect(try session.rows("SELECT nextval('s_id_seq')") == [["1"]])
        _ = session.run("ROLLBACK TO s")
        #expect(try session.rows("SELECT relname FROM pg_class WHERE relname IN ('kept', 'gone')") == [["kept"]])
        #expect(session.run("INSERT INTO kept VALUES (1)").error == nil)
        // Sequences are not transactional: the value handed out before ROLLBACK TO stays used.
        #expect(try session.rows("SELECT nextval('s_id_seq')") == [["2"]])
        _ = session.run("COMMIT")
        #expect(try session.rows("SELECT count(*) FROM kept") == [["1"]])
        #expect(session.run("SELECT * FROM gone").error?.sqlState == "42P01")
    }

    @Test func txidCurrentIsTheTopLevelTransaction() throws {
        let db = try TestDatabase()
        let session = try table(db)
        _ = session.run("BEGIN")
        let top = try session.rows("SELECT txid_current()")
        _ = session.run("SAVEPOINT s; INSERT INTO t VALUES (3, 'c')")
        #expect(try session.rows("SELECT txid_current()") == top)
        _ = session.run("ROLLBACK TO s")
        #expect(try session.rows("SELECT txid_current()") == top)
        _ = session.run("COMMIT")
    }

    @Test func repeatableReadSeesItsOwnSubtransactionsOnly() throws {
        let db = try TestDatabase()
        let session = try table(db)
        _ = session.run("BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT 1; SAVEPOINT s; INSERT INTO t VALUES (3, 'c')")
        #expect(try session.rows("SELECT count(*) FROM t") == [["3"]])
        _ = session.run("ROLLBACK TO s")
        #expect(try session.rows("SELECT count(*) FROM t") == [["2"]])
        _ = session.run("COMMIT")
    }

    @Test func rowLockOfARolledBackSavepointIsReleasedAtOnce() throws {
        let db = try TestDatabase()
        let holder = try table(db)
        let waiter = try db.session()
        _ = holder.run("BEGIN; SAVEPOINT s")
        #expect(try holder.rows("SELECT id FROM t WHERE id = 1 FOR UPDATE") == [["1"]])
        // NOWAIT proves the row is locked by the subtransaction ...
        #expect(waiter.run("SELECT id FROM t WHERE id = 1 FOR UPDATE NOWAIT").error?.sqlState == "55P03")
        _ = holder.run("ROLLBACK TO s")
        // ... and free once it is rolled back, while the holder's transaction goes on.
        #expect(try waiter.rows("SELECT id FROM t WHERE id = 1 FOR UPDATE NOWAIT") == [["1"]])
        #expect(holder.transactionStatus == .inTransaction)
        // A released level's lock is the transaction's: held until it ends.
        _ = holder.run("SAVEPOINT r; UPDATE t SET v = 'h' WHERE id = 2; RELEASE r")
        #expect(waiter.run("SELECT id FROM t WHERE id = 2 FOR UPDATE NOWAIT").error?.sqlState == "55P03")
        _ = holder.run("COMMIT")
        #expect(try waiter.rows("SELECT v FROM t WHERE id = 2 FOR UPDATE NOWAIT") == [["h"]])
    }

    @Test func aWaiterProceedsWhenTheSavepointIsRolledBack() throws {
        let db = try TestDatabase()
        let holder = try table(db)
        let waiter = try db.session()
        _ = holder.run("BEGIN; SAVEPOINT s; UPDATE t SET v = 'holder' WHERE id = 1")
        var result: (output: RecordingOutput, error: SQLError?)?
        let blocked = Background { result = waiter.run("UPDATE t SET v = v || '+waiter' WHERE id = 1") }
        Thread.sleep(forTimeInterval: 0.2)
        #expect(!blocked.isFinished)
        _ = holder.run("ROLLBACK TO s")
        try blocked.wait()
        #expect(result?.error == nil)
        #expect(result?.output.tags == ["UPDATE 1"])
        _ = holder.run("COMMIT")
        #expect(try waiter.rows("SELECT v FROM t WHERE id = 1") == [["a+waiter"]])
    }

    @Test func extendedProtocolSavepoints() throws {
        let db = try TestDatabase()
        let session = try table(db)
        func execute(_ sql: String) throws -> [String] {
            try session.parse(statement: "", query: sql, parameterTypes: [])
            try session.bind(portal: "", statement: "", parameterFormats: [], parameters: [], resultFormats: [])
            let output = RecordingOutput()
            _ = try session.execute(portal: "", maxRows: 0, output: output)
            return output.tags
        }
        #expect(try execute("BEGIN") == ["BEGIN"])
        #expect(try execute("SAVEPOINT \"_pg3_2\"") == ["SAVEPOINT"])
        #expect(try execute("INSERT INTO t VALUES (3, 'c')") == ["INSERT 0 1"])
        #expect(throws: SQLError.self) { try execute("INSERT INTO t VALUES (1, 'dup')") }
        session.sync()
        #expect(session.transactionStatus == .failed)
        #expect(try execute("ROLLBACK TO SAVEPOINT \"_pg3_2\"") == ["ROLLBACK"])
        // A portal bound inside a savepoint is dropped when the savepoint is rolled back to.
        try session.parse(statement: "rows", query: "SELECT g FROM generate_series(1, 3) AS g", parameterTypes: [])
        try session.bind(portal: "outer", statement: "rows", parameterFormats: [], parameters: [], resultFormats: [])
        _ = try execute("SAVEPOINT nested")
        try session.bind(portal: "inner", statement: "rows", parameterFormats: [], parameters: [], resultFormats: [])
        #expect(try session.execute(portal: "inner", maxRows: 1, output: RecordingOutput()) == false)
        _ = try execute("ROLLBACK TO nested")
        #expect(throws: SQLError.self) { try session.execute(portal: "inner", maxRows: 1, output: RecordingOutput()) }
        session.sync()
        #expect(session.transactionStatus == .failed)
        _ = try execute("ROLLBACK TO nested")
        #expect(try session.execute(portal: "outer", maxRows: 0, output: RecordingOutput()))
        #expect(try execute("RELEASE \"_pg3_2\"") == ["RELEASE"])
        #expect(try execute("COMMIT") == ["COMMIT"])
        session.sync()
        #expect(try session.rows("SELECT count(*) FROM t") == [["2"]])
    }

    @Test func rollbackToRestoresSettings() throws {
        let db = try TestDatabase()
        let session = try db.session()
        _ = session.run("SET work_mem = '8MB'; BEGIN; SET LOCAL statement_timeout = '5s'; SAVEPOINT s")
        _ = session.run("SET work_mem = '16MB'; SET LOCAL statement_timeout = '7s'")
        #expect(try session.rows("SHOW work_mem") == [["16MB"]])
        _ = session.run("ROLLBACK TO s")
        #expect(try session.rows("SHOW work_mem") == [["8MB"]])
        #expect(try session.rows("SHOW statement_timeout") == [["5s"]])
        _ = session.run("SET work_mem = '32MB'; RELEASE s; COMMIT")
        #expect(try session.rows("SHOW work_mem") == [["32MB"]])
        #expect(try session.rows("SHOW statement_timeout") == [["0"]])
    }
}