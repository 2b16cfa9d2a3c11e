// Session tests over a real database: transaction blocks and their statuses, the failed-block
// rule, the Simple Query implicit transaction, visibility between two sessions.
import Testing
@testable import SQLMini

@Suite struct SessionTransactionTests {
    @Test func beginCommitRollbackStatuses() throws {
        let db = try TestDatabase()
        let session = try db.session()
        #expect(session.run("CREATE TABLE t (id int)").error == nil)
        #expect(session.transactionStatus == .idle)
        #expect(session.run("BEGIN").output.tags == ["BEGIN"])
        #expect(session.transactionStatus == .inTransaction)
        #expect(session.run("INSERT INTO t VALUES (1)").output.tags == ["INSERT 0 1"])
        #expect(session.run("END").output.tags == ["COMMIT"])
        #expect(session.transactionStatus == .idle)
        _ = session.run("BEGIN")
        _ = session.run("INSERT INTO t VALUES (2)")
        #expect(session.run("ROLLBACK").output.tags == ["ROLLBACK"])
        #expect(try session.rows("SELECT id FROM t") == [["1"]])
    }

    @Test func warningsForNestedBeginAndStrayCommit() throws {
        let db = try TestDatabase()
        let session = try db.session()
        #expect(session.run("COMMIT").output.notices == ["there is no transaction in progress"])
        _ = session.run("BEGIN")
        let nested = session.run("BEGIN").output
        #expect(nested.notices == ["there is already a transaction in progress"])
        #expect(nested.tags == ["BEGIN"])
        #expect(session.run("ROLLBACK").error == nil)
        #expect(session.run("ABORT").output.notices == ["there is no transaction in progress"])
    }

    @Test func failedBlockRefusesUntilRollback() throws {
        let db = try TestDatabase()
        let session = try db.session()
        _ = session.run("CREATE TABLE t (id int primary key)")
        _ = session.run("BEGIN")
        _ = session.run("INSERT INTO t VALUES (1)")
        #expect(session.run("SELECT * FROM missing").error?.sqlState == "42P01")
        #expect(session.transactionStatus == .failed)
        let refused = session.run("SELECT 1").error
        #expect(refused?.sqlState == "25P02")
        #expect(refused?.message == "current transaction is aborted, commands ignored until end of transaction block")
        #expect(session.run("COMMIT").output.tags == ["ROLLBACK"])
        #expect(session.transactionStatus == .idle)
        #expect(try session.rows("SELECT count(*) FROM t") == [["0"]])
    }

    @Test func multiStatementStringIsOneImplicitTransaction() throws {
        let db = try TestDatabase()
        let session = try db.session()
        _ = session.run("CREATE TABLE t (id int primary key)")
        let (output, error) = session.run("INSERT INTO t VALUES (1); INSERT INTO t VALUES (2); INSERT INTO t VALUES (1)")
        #expect(error?.sqlState == "23505")
        #expect(output.tags == ["INSERT 0 1", "INSERT 0 1"])
        #expect(session.transactionStatus == .idle)
        #expect(try session.rows("SELECT count(*) FROM t") == [["0"]])
    }

    @Test func commitInsideStringSplitsIt() throws {
        let db = try TestDatabase()
        let session = try db.session()
        _ = session.run("CREATE TABLE t (id int primary key)")
        let (_, error) = session.run("BEGIN; INSERT INTO t VALUES (1); COMMIT; INSERT INTO t VALUES (2); SELECT 1/0")
        #expect(error?.sqlState == "22012")
        #expect(try session.rows("SELECT id FROM t ORDER BY id") == [["1"]])
        // Statements before BEGIN belong to the block that BEGIN opens.
        #expect(session.run("INSERT INTO t VALUES (5); BEGIN; INSERT INTO t VALUES (6)").error == nil)
        #expect(session.transactionStatus == .inTransaction)
        _ = session.run("ROLLBACK")
        #expect(try session.rows("SELECT id FROM t ORDER BY id") == [["1"]])
    }

    @Test func uncommittedRowsAreInvisibleToOthers() throws {
        let db = try TestDatabase()
        let writer = try db.session()
        let reader = try db.session()
        _ = writer.run("CREATE TABLE t (id int)")
        _ = writer.run("BEGIN; INSERT INTO t VALUES (1)")
        #expect(try reader.rows("SELECT count(*) FROM t") == [["0"]])
        _ = writer.run("COMMIT")
        #expect(try reader.rows("SELECT count(*) FROM t") == [["1"]])
    }

    @Test func repeatableReadKeepsOneSnapshot() throws {
        let db = try TestDatabase()
        let writer = try db.session()
        let reader = try db.session()
        _ = writer.run("CREATE TABLE t (id int)")
        _ = reader.run("BEGIN ISOLATION LEVEL REPEATABLE READ")
        #expect(try reader.rows("SELECT count(*) FROM t") == [["0"]])
        _ = writer.run("INSERT INTO t VALUES (1)")
        #expect(try reader.rows("SELECT count(*) FROM t") == [["0"]])
        #expect(try reader.rows("SHOW transaction_isolation") == [["repeatable read"]])
        _ = reader.run("COMMIT")
        #expect(try reader.rows("SELECT count(*) FROM t") == [["1"]])
    }

    @Test func emptyQueryAndVacuum() throws {
        let db = try TestDatabase()
        let session = try db.session()
        #expect(session.run("").output.events == [.emptyQuery])
        _ = session.run("CREATE TABLE t (id int)")
        #expect(session.run("VACUUM ANALYZE t").output.tags == ["VACUUM"])
        #expect(session.run("ANALYZE").output.tags == ["ANALYZE"])
        #expect(session.run("VACUUM missing").error?.message == "relation \"missing\" does not exist")
        _ = session.run("BEGIN")
        #expect(session.run("VACUUM t").error?.sqlState == "25001")
        _ = session.run("ROLLBACK")
        #expect(session.run("CHECKPOINT").output.tags == ["CHECKPOINT"])
    }

    @Test func unknownDatabaseAndRole() throws {
        let db = try TestDatabase()
        #expect(throws: SQLError.self) { try db.session(database: "nope") }
        do {
            _ = try db.session(database: "nope")
        } catch let error as SQLError {
            #expect(error.sqlState == "3D000")
            #expect(error.message == "database \"nope\" does not exist")
        }
        #expect(db.database.role(named: "postgres")?.superuser == true)
        #expect(db.database.databaseExists("postgres"))
        #expect(!db.database.databaseExists("nope"))
    }

    @Test func readOnlyTransactionsRefuseWrites() throws {
        let db = try TestDatabase()
        let session = try db.session()
        _ = session.run("CREATE TABLE t (id int)")
        _ = session.run("BEGIN READ ONLY")
        #expect(try session.rows("SHOW transaction_read_only") == [["on"]])
        let error = session.run("INSERT INTO t VALUES (1)").error
        #expect(error?.sqlState == "25006")
        #expect(error?.message == "cannot execute INSERT in a read-only transaction")
        _ = session.run("ROLLBACK")
        _ = session.run("SET default_transaction_read_only = on")
        #expect(session.run("INSERT INTO t VALUES (1)").error?.sqlState == "25006")
        _ = session.run("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE")
        #expect(session.run("INSERT INTO t VALUES (1)").error == nil)
    }

    /// Every transaction starts from the session's defaults, kept up to date as they are SET
    /// (not looked up by name per transaction); SET LOCAL of the characteristics ends with it.
    @Test func eachTransactionStartsFromTheCurrentDefaults() throws {
        let db = try TestDatabase()
        let session = try db.session()
        #expect(try session.rows("SHOW transaction_isolation") == [["read committed"]])
        _ = session.run("SET default_transaction_isolation = 'repeatable read'")
        #expect(try session.rows("SHOW transaction_isolation") == [["repeatable read"]])
        _ = session.run("BEGIN")
        _ = session.run("SET LOCAL transaction_read_only = on")
        #expect(try session.rows("SHOW transaction_read_only") == [["on"]])
        _ = session.run("COMMIT")
        #expect(try session.rows("SHOW transaction_read_only") == [["off"]])
        _ = session.run("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE READ ONLY")
        #expect(try session.rows("SHOW transaction_isolation") == [["serializable"]])
        #expect(try session.rows("SHOW transaction_read_only") == [["on"]])
        _ = session.run("RESET default_transaction_isolation")
        _ = session.run("RESET default_transaction_read_only")
        #expect(try session.rows("SHOW transaction_isolation") == [["read committed"]])
        #expect(try session.rows("SHOW transaction_read_only") == [["off"]])
        _ = session.run("SET synchronous_commit = remote_apply")
        #expect(session.settings.synchronousCommitLevel == .remoteApply)
        _ = session.run("SET synchronous_commit = off")
        #expect(session.settings.synchronousCommitLevel == .off)
    }

    @Test func setTransactionIsolationBeforeTheFirstQuery() throws {
        let db = try TestDatabase()
        let session = try db.session()
        _ = session.run("BEGIN")
        #expect(session.run("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE").error == nil)
        #expect(try session.rows("SHOW transaction_isolation") == [["serializable"]])
        #expect(session.run("SET TRANSACTION ISOLATION LEVEL READ COMMITTED").error?.sqlState == "25001")
        _ = session.run("ROLLBACK")
        #expect(try session.rows("SHOW transaction_isolation") == [["read committed"]])
    }
}

