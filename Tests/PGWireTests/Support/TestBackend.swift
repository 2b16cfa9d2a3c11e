// A tiny QueryBackend for protocol tests: it knows a handful of fixed statements (no SQL here,
// this tests the protocol): `select 1` (one int4 column), an empty string, begin/commit (the
// transaction state byte), `notice`, `fatal` (a FATAL error), `copy t from stdin` (counts the lines
// it receives), `copy t to stdout`, `select many` (a result far larger than the output buffer),
// `wait for cancel` (runs until TestFactory.cancel), and for the extended protocol `select 1` and
// `select generate_series` (5 rows, for Execute with maxRows); anything else is a 42601 error.

import Foundation
import PGWire
import Synchronization

/// What the backends of a test did, in order (thread-safe).
final class EventLog: Sendable {
    private let entries = Mutex<[String]>([])
    func append(_ entry: String) { entries.withLock { $0.append(entry) } }
    var all: [String] { entries.withLock { $0 } }
}

/// A session's cancel flag, set by TestFactory.cancel from any thread.
final class CancelFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func set() { flag.store(true, ordering: .releasing) }
    var isSet: Bool { flag.load(ordering: .acquiring) }
}

final class TestBackend: QueryBackend {
    let cancelFlag = CancelFlag()
    /// `wait for cancel` gives up after this many polls (so a broken test ends instead of hanging).
    static let cancelPollLimit = 10_000
    static let cancelPollMicroseconds: UInt32 = 1_000
    private(set) var state: TransactionState = .idle
    private var statements: [String: String] = [:]
    private var portals: [String: (query: String, rowsSent: Int)] = [:]
    let events: EventLog
    static let int4OID: UInt32 = 23
    static let int4Field = FieldDescription(name: "?column?", typeOID: int4OID, typeSize: 4)
    static let seriesRowCount = 5
    static let manyRowCount = 20_000
    static let manyRowBytes = 100

    init(events: EventLog) {
        self.events = events
    }

    private func record(_ event: String) { events.append(event) }

    static func syntaxError(_ query: String) -> PGError {
        PGError(sqlState: "42601", message: "syntax error at or near \"\(query.split(separator: " ").first ?? "")\"", position: 1)
    }

    func simpleQuery(_ sql: String, _ out: BackendOutput) {
        record("simpleQuery \(sql)")
        let query = sql.trimmingCharacters(in: .init(charactersIn: " ;\n"))
        switch query.lowercased() {
        case "":
            out.emptyQueryResponse()
        case "select 1":
            out.rowDescription([Self.int4Field])
            out.dataRow([Array("1".utf8)])
            out.commandComplete("SELECT 1")
        case "begin":
            state = .inTransaction
            out.commandComplete("BEGIN")
        case "commit":
            state = .idle
            out.commandComplete("COMMIT")
        case "notice":
            out.notice(PGError(severity: .notice, sqlState: "00000", message: "hello"))
            out.commandComplete("DO")
        case "fatal":
            out.error(PGError(severity: .fatal, sqlState: "57P01", message: "goodbye"))
        case "copy t from stdin":
            out.copyInResponse(format: 0, columnFormats: [0])
            var bytes: [UInt8] = []
            while true {
                switch out.readCopyMessage() {
                case .data(let chunk): bytes += chunk
                case .done:
                    out.commandComplete("COPY \(bytes.filter { $0 == UInt8(ascii: "\n") }.count)")
                    return
                case .fail(let reason):
                    out.error(PGError(sqlState: "57014", message: "COPY from stdin failed: \(reason)"))
                    return
                }
            }
        case "select many":
            // Far more than the 64 KiB output buffer: the worker must stream it.
            out.rowDescription([Self.int4Field])
            let row = [Array(String(repeating: "x", count: Self.manyRowBytes).utf8)]
            for _ in 0..<Self.manyRowCount { out.dataRow(row) }
            out.commandComplete("SELECT \(Self.manyRowCount)")
        case "wait for cancel":
            // Runs until cancelled, like a long statement checking for interrupts.
            var polls = 0
            while !cancelFlag.isSet && polls < Self.cancelPollLimit {
                usleep(Self.cancelPollMicroseconds)
                polls += 1
            }
            out.error(PGError(sqlState: "57014", message: "canceling statement due to user request"))
        case "copy t to stdout":
            out.copyOutResponse(format: 0, columnFormats: [0])
            out.copyData(Array("1\n".utf8))
            out.copyDone()
            out.commandComplete("COPY 1")
        default:
            if state == .inTransaction { state = .failed }
            out.error(Self.syntaxError(query))
        }
    }

    func parse(name: String, query: String, parameterTypes: [UInt32]) throws(PGError) {
        record("parse \(name)")
        let query = query.trimmingCharacters(in: .init(charactersIn: " ;\n")).lowercased()
        guard query == "select 1" || query == "select generate_series" else { throw Self.syntaxError(query) }
        statements[name] = query
    }

    func bind(portal: String, statement: String, parameterFormats: [Int16], parameters: [[UInt8]?],
              resultFormats: [Int16]) throws(PGError) {
        record("bind \(portal)")
        guard let query = statements[statement] else {
            throw PGError(sqlState: "26000", message: "prepared statement \"\(statement)\" does not exist")
        }
        portals[portal] = (query, 0)
    }

    func describeStatement(_ name: String) throws(PGError) -> (parameterTypes: [UInt32], fields: [FieldDescription]?) {
        guard statements[name] != nil else {
            throw PGError(sqlState: "26000", message: "prepared statement \"\(name)\" does not exist")
        }
        return ([], [Self.int4Field])
    }

    func describePortal(_ name: String) throws(PGError) -> [FieldDescription]? {
        guard portals[name] != nil else { throw PGError(sqlState: "34000", message: "portal \"\(name)\" does not exist") }
        return [Self.int4Field]
    }

    func execute(portal: String, maxRows: Int32, _ out: BackendOutput) throws(PGError) -> Bool {
        record("execute \(portal)")
        guard var entry = portals[portal] else { throw PGError(sqlState: "34000", message: "portal \"\(portal)\" does not exist") }
        let total = entry.query == "select 1" ? 1 : Self.seriesRowCount
        let limit = maxRows == 0 ? total : min(total, entry.rowsSent + Int(maxRows))
        while entry.rowsSent < limit {
            entry.rowsSent += 1
            out.dataRow([Array(String(entry.rowsSent).utf8)])
        }
        portals[portal] = entry
        if entry.rowsSent < total { return false }
        out.commandComplete("SELECT \(total)")
        return true
    }

    func close(statement: String) { statements[statement] = nil }
    func close(portal: String) { portals[portal] = nil }
    func sync() -> TransactionState { record("sync"); return state }
    var transactionState: TransactionState { state }
    func terminate() { record("terminate") }
}

/// A BackendFactory whose authentication method is fixed per test.
final class TestFactory: BackendFactory {
    let method: Result<AuthenticationMethod, PGError>
    let maxConnections: Int
    let events = EventLog()
    private let sessions = Mutex<[Int32: (secretKey: Int32, flag: CancelFlag)]>([:])

    init(method: Result<AuthenticationMethod, PGError> = .success(.trust), maxConnections: Int = 10) {
        self.method = method
        self.maxConnections = maxConnections
    }

    func authenticationMethod(for startup: StartupInfo) -> Result<AuthenticationMethod, PGError> { method }

    func makeBackend(for startup: StartupInfo, processID: Int32, secretKey: Int32) throws(PGError) -> QueryBackend {
        if startup.database == "nosuchdb" {
            throw PGError(severity: .fatal, sqlState: "3D000", message: "database \"nosuchdb\" does not exist")
        }
        let backend = TestBackend(events: events)
        sessions.withLock { $0[processID] = (secretKey, backend.cancelFlag) }
        return backend
    }

    /// Records the request; cancels the session if the key matches (as the server does).
    func cancel(processID: Int32, secretKey: Int32) {
        events.append("cancel \(processID) \(secretKey)")
        let flag = sessions.withLock { $0[processID].flatMap { $0.secretKey == secretKey ? $0.flag : nil } }
        flag?.set()
    }

    var parameterStatus: [(String, String)] {
        [("server_version", "15.0"), ("client_encoding", "UTF8"), ("DateStyle", "ISO, MDY"),
         ("standard_conforming_strings", "on"), ("integer_datetimes", "on")]
    }
}
