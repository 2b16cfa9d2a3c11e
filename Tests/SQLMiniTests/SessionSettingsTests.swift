// Session tests of SET / SET LOCAL / RESET / SHOW, ParameterStatus reporting, statement_timeout
// and cancel.
import Foundation
import Synchronization
import Testing
@testable import SQLMini

@Suite struct SessionSettingsTests {
    @Test func setShowReset() throws {
        let db = try TestDatabase()
        let session = try db.session()
        let show = session.run("SHOW work_mem").output
        #expect(show.events == [.rowDescription(["work_mem"]), .row(["4MB"]), .complete("SHOW")])
        #expect(session.run("SET work_mem = '8MB'").output.tags == ["SET"])
        #expect(try session.rows("SHOW work_mem") == [["8MB"]])
        #expect(session.run("RESET work_mem").output.tags == ["RESET"])
        #expect(try session.rows("SHOW work_mem") == [["4MB"]])
        #expect(try session.rows("SHOW timezone") == [["UTC"]])
        #expect(session.run("SHOW TimeZone").output.events.first == .rowDescription(["TimeZone"]))
        #expect(session.run("SET search_path TO \"$user\", public").error == nil)
        #expect(try session.rows("SHOW search_path") == [["\"$user\", public"]])
        let unknown = session.run("SHOW nonsense").error
        #expect(unknown?.sqlState == "42704")
        #expect(unknown?.message == "unrecognized configuration parameter \"nonsense\"")
        #expect(session.run("SET shared_buffers = '1GB'").error?.sqlState == "55P02")
        #expect(try session.rows("SHOW ALL").count > 50)
    }

    @Test func setIsTransactionalAndSetLocalEndsWithTheTransaction() throws {
        let db = try TestDatabase()
        let session = try db.session()
        _ = session.run("BEGIN; SET work_mem = '8MB'; ROLLBACK")
        #expect(try session.rows("SHOW work_mem") == [["4MB"]])
        _ = session.run("BEGIN; SET LOCAL work_mem = '16MB'")
        #expect(try session.rows("SHOW work_mem") == [["16MB"]])
        _ = session.run("COMMIT")
        #expect(try session.rows("SHOW work_mem") == [["4MB"]])
        #expect(session.run("SET LOCAL work_mem = '16MB'").output.notices
                == ["SET LOCAL can only be used in transaction blocks"])
    }

    @Test func reportedSettingsBecomeParameterStatus() throws {
        let db = try TestDatabase()
        let session = try db.session()
        _ = session.parameterStatusChanges
        _ = session.run("SET application_name = 'bench'")
        #expect(session.parameterStatusChanges.map(\.0) == ["application_name"])
        #expect(session.parameterStatusChanges.isEmpty)
        _ = session.run("SET work_mem = '8MB'")
        #expect(session.parameterStatusChanges.isEmpty)
        _ = session.run("BEGIN; SET application_name = 'inner'; ROLLBACK")
        #expect(session.parameterStatusChanges.isEmpty)     // back where the client last heard it
        #expect(try session.rows("SELECT application_name FROM pg_stat_activity") == [["bench"]])
    }

    @Test func statementTimeoutCancelsALongStatement() throws {
        let db = try TestDatabase()
        let session = try db.session()
        _ = session.run("SET statement_timeout = 1")
        let error = session.run("SELECT count(*) FROM generate_series(1, 100000000)").error
        #expect(error?.sqlState == "57014")
        #expect(error?.message == "canceling statement due to statement timeout")
        _ = session.run("SET statement_timeout = 0")
        #expect(try session.rows("SELECT 1") == [["1"]])
    }

    @Test func cancelFromAnotherThread() throws {
        let db = try TestDatabase()
        let session = try db.session()
        let finished = StopFlag()
        let stopped = DispatchSemaphore(value: 0)
        let canceller = Thread {
            // Keep cancelling until the statement ends (a cancel arriving before it starts is dropped).
            while !finished.isSet {
                session.cancel()
                usleep(1000)
            }
            stopped.signal()
        }
        canceller.start()
        let error = session.run("SELECT count(*) FROM generate_series(1, 1000000000)").error
        finished.set()
        stopped.wait()
        #expect(error?.sqlState == "57014")
        #expect(error?.message == "canceling statement due to user request")
    }
}

final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .acquiring) }
    func set() { flag.store(true, ordering: .releasing) }
}
