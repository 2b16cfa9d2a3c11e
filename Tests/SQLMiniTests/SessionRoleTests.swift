// Session tests of CREATE ROLE / CREATE USER / ALTER ROLE ... PASSWORD / DROP ROLE and what
// authentication then sees through Database.role(named:).
import Testing
@testable import SQLMini

@Suite struct SessionRoleTests {
    @Test func createAlterDropRole() throws {
        let db = try TestDatabase()
        let session = try db.session()
        #expect(session.run("CREATE USER reader PASSWORD 'secret'").output.tags == ["CREATE ROLE"])
        let reader = db.database.role(named: "reader")
        #expect(reader?.canLogin == true)
        #expect(reader?.superuser == false)
        #expect(reader?.passwordVerifier == "md5-test:reader:secret")
        #expect(session.run("CREATE ROLE reader").error?.message == "role \"reader\" already exists")
        #expect(session.run("ALTER ROLE reader WITH PASSWORD 'other' SUPERUSER").output.tags == ["ALTER ROLE"])
        #expect(db.database.role(named: "reader")?.passwordVerifier == "md5-test:reader:other")
        #expect(db.database.role(named: "reader")?.superuser == true)
        #expect(try session.rows("SELECT rolname, rolsuper, rolcanlogin FROM pg_roles WHERE rolname = 'reader'")
                == [["reader", "t", "t"]])
        let login = try db.session(user: "reader")
        #expect(try login.rows("SELECT current_user") == [["reader"]])
        login.terminate()
        #expect(session.run("DROP ROLE reader").output.tags == ["DROP ROLE"])
        #expect(db.database.role(named: "reader") == nil)
        #expect(session.run("DROP ROLE IF EXISTS reader").output.notices == ["role \"reader\" does not exist, skipping"])
        #expect(session.run("DROP ROLE postgres").error != nil)
    }

    @Test func roleDDLIsTransactional() throws {
        let db = try TestDatabase()
        let session = try db.session()
        _ = session.run("BEGIN; CREATE ROLE ghost")
        #expect(db.database.role(named: "ghost") == nil)
        _ = session.run("ROLLBACK")
        #expect(db.database.role(named: "ghost") == nil)
        #expect(try session.rows("SELECT count(*) FROM pg_roles WHERE rolname = 'ghost'") == [["0"]])
        #expect(throws: SQLError.self) { try db.session(user: "ghost") }
        _ = session.run("CREATE ROLE nologin")
        do {
            _ = try db.session(user: "nologin")
            Issue.record("a NOLOGIN role logged in")
        } catch let error as SQLError {
            #expect(error.message == "role \"nologin\" is not permitted to log in")
        }
    }

    @Test func sessionsAppearInPgStatActivity() throws {
        let db = try TestDatabase()
        let first = try db.session()
        let second = try db.session()
        _ = second.run("BEGIN")
        let rows = try first.rows("SELECT pid, state FROM pg_stat_activity ORDER BY pid")
        #expect(rows == [[String(first.processID), "active"], [String(second.processID), "idle in transaction"]])
        #expect(db.database.sessionCount == 2)
        second.terminate()
        #expect(db.database.sessionCount == 1)
        #expect(db.database.session(processID: first.processID) === first)
    }
}
