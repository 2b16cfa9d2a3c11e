// Session tests of the extended query protocol: named and unnamed statements, parameter types
// declared and inferred, text and binary parameters and results, Describe, Execute with a row
// limit (PortalSuspended), Sync and the implicit transaction, errors.
import Testing
@testable import SQLMini

@Suite struct SessionExtendedProtocolTests {
    private func int4(_ value: Int32) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }
    private func int8(_ value: Int64) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }

    @Test func parseBindExecuteWithTextParameters() throws {
        let db = try TestDatabase()
        let session = try db.session()
        _ = session.run("CREATE TABLE t (id int primary key, name text)")
        try session.parse(statement: "ins", query: "INSERT INTO t VALUES ($1, $2)", parameterTypes: [])
        let described = try session.describeStatement("ins")
        #expect(described.parameterTypes == [23, 25])
        #expect(described.columns == nil)
        for id in 1...3 {
            try session.bind(portal: "", statement: "ins", parameterFormats: [0],
                             parameters: [Array("\(id)".utf8), Array("n\(id)".utf8)], resultFormats: [])
            let output = RecordingOutput()
            #expect(try session.execute(portal: "", maxRows: 0, output: output))
            #expect(output.tags == ["INSERT 0 1"])
        }
        session.sync()
        #expect(session.transactionStatus == .idle)
        #expect(try session.rows("SELECT count(*) FROM t") == [["3"]])
    }

    @Test func binaryParametersAndResults() throws {
        let db = try TestDatabase()
        let session = try db.session()
        _ = session.run("CREATE TABLE t (id int primary key, big bigint)")
        try session.parse(statement: "", query: "INSERT INTO t VALUES ($1, $2)", parameterTypes: [23, 20])
        try session.bind(portal: "", statement: "", parameterFormats: [1], parameters: [int4(7), int8(1 << 40)],
                         resultFormats: [])
        _ = try session.execute(portal: "", maxRows: 0, output: RecordingOutput())
        try session.parse(statement: "", query: "SELECT id, big FROM t WHERE id = $1", parameterTypes: [])
        try session.bind(portal: "", statement: "", parameterFormats: [1], parameters: [int4(7)], resultFormats: [1])
        let columns = try session.describePortal("")
        #expect(columns?.map(\.name) == ["id", "big"])
        #expect(columns?.map(\.format) == [1, 1])
        #expect(columns?.map(\.typeOID) == [23, 20])
        let output = RecordingOutput()
        _ = try session.execute(portal: "", maxRows: 0, output: output)
        #expect(output.rawRows == [[int4(7), int8(1 << 40)]])
        session.sync()
    }

    @Test func rowLimitSuspendsThePortal() throws {
        let db = try TestDatabase()
        let session = try db.session()
        try session.parse(statement: "s", query: "SELECT g FROM generate_series(1, 5) AS g", parameterTypes: [])
        try session.bind(portal: "p", statement: "s", parameterFormats: [], parameters: [], resultFormats: [])
        let first = RecordingOutput()
        #expect(try session.execute(portal: "p", maxRows: 2, output: first) == false)
        #expect(first.rows == [["1"], ["2"]])
        #expect(first.tags.isEmpty)
        let second = RecordingOutput()
        #expect(try session.execute(portal: "p", maxRows: 2, output: second) == false)
        #expect(second.rows == [["3"], ["4"]])
        let third = RecordingOutput()
        #expect(try session.execute(portal: "p", maxRows: 2, output: third))
        #expect(third.rows == [["5"]])
        #expect(third.tags == ["SELECT 1"])
        session.sync()
        // The portal ended with the transaction; the statement lives on.
        #expect(throws: SQLError.self) { try session.execute(portal: "p", maxRows: 0, output: RecordingOutput()) }
        try session.bind(portal: "p", statement: "s", parameterFormats: [], parameters: [], resultFormats: [])
        session.closePortal("p")
        session.closeStatement("s")
        #expect(throws: SQLError.self) { try session.describeStatement("s") }
    }

    @Test func explicitBlockAcrossSyncs() throws {
        let db = try TestDatabase()
        let session = try db.session()
        _ = session.run("CREATE TABLE t (id int)")
        for query in ["BEGIN", "INSERT INTO t VALUES (1)"] {
            try session.parse(statement: "", query: query, parameterTypes: [])
            try session.bind(portal: "", statement: "", parameterFormats: [], parameters: [], resultFormats: [])
            _ = try session.execute(portal: "", maxRows: 0, output: RecordingOutput())
            session.sync()
        }
        #expect(session.transactionStatus == .inTransaction)
        #expect(throws: SQLError.self) { try session.parse(statement: "", query: "SELECT nope FROM t", parameterTypes: []) }
        session.sync()
        #expect(session.transactionStatus == .failed)
        #expect(throws: SQLError.self) { try session.parse(statement: "", query: "SELECT 1", parameterTypes: []) }
        try session.parse(statement: "", query: "ROLLBACK", parameterTypes: [])
        try session.bind(portal: "", statement: "", parameterFormats: [], parameters: [], resultFormats: [])
        let output = RecordingOutput()
        _ = try session.execute(portal: "", maxRows: 0, output: output)
        #expect(output.tags == ["ROLLBACK"])
        session.sync()
        #expect(session.transactionStatus == .idle)
        #expect(try session.rows("SELECT count(*) FROM t") == [["0"]])
    }

    @Test func errorsNameTheMissingObjects() throws {
        let db = try TestDatabase()
        let session = try db.session()
        do {
            try session.bind(portal: "", statement: "nope", parameterFormats: [], parameters: [], resultFormats: [])
            Issue.record("bind of a missing statement succeeded")
        } catch let error as SQLError {
            #expect(error.sqlState == "26000")
            #expect(error.message == "prepared statement \"nope\" does not exist")
        }
        session.sync()
        try session.parse(statement: "two", query: "SELECT $1::int + $2::int", parameterTypes: [])
        do {
            try session.bind(portal: "", statement: "two", parameterFormats: [], parameters: [Array("1".utf8)],
                             resultFormats: [])
            Issue.record("bind with too few parameters succeeded")
        } catch let error as SQLError {
            #expect(error.sqlState == "08P01")
            #expect(error.message == "bind message supplies 1 parameters, but prepared statement \"two\" requires 2")
        }
        session.sync()
        #expect(throws: SQLError.self) {
            try session.parse(statement: "", query: "SELECT 1; SELECT 2", parameterTypes: [])
        }
        session.sync()
        #expect(session.transactionStatus == .idle)
    }

    @Test func describeNamesTheSourceColumns() throws {
        let db = try TestDatabase()
        let session = try db.session()
        _ = session.run("CREATE TABLE t (id int, filler char(84))")
        let oid = try session.rows("SELECT oid FROM pg_class WHERE relname = 't'").first?.first ?? nil
        try session.parse(statement: "d", query: "SELECT filler, id, id + 1 FROM t", parameterTypes: [])
        let columns = try #require(try session.describeStatement("d").columns)
        #expect(columns.map(\.name) == ["filler", "id", "?column?"])
        #expect(columns.map { String($0.tableOID) } == [oid, oid, "0"])
        #expect(columns.map(\.columnNumber) == [2, 1, 0])
        #expect(columns.map(\.typeOID) == [1042, 23, 23])
        #expect(columns.map(\.typeSize) == [-1, 4, 4])
        #expect(columns.map(\.typeModifier) == [88, -1, -1])
        #expect(columns.map(\.format) == [0, 0, 0])
        session.sync()
    }

    @Test func deallocateDropsNamedPreparedStatements() throws {
        let db = try TestDatabase()
        let session = try db.session()
        for name in ["a", "b", ""] {
            try session.parse(statement: name, query: "SELECT 1", parameterTypes: [])
        }
        #expect(session.run("DEALLOCATE a").output.tags == ["DEALLOCATE"])
        #expect(throws: SQLError.self) { try session.describeStatement("a") }
        let missing = session.run("DEALLOCATE PREPARE a").error
        #expect(missing?.sqlState == "26000")
        #expect(missing?.message == "prepared statement \"a\" does not exist")
        // psycopg 3 sends DEALLOCATE ALL after DDL; the unnamed statement is not a named one.
        #expect(session.run("DEALLOCATE ALL").output.tags == ["DEALLOCATE ALL"])
        #expect(throws: SQLError.self) { try session.describeStatement("b") }
        #expect(try session.describeStatement("").columns?.count == 1)
    }
}