// Test support for Session and SystemCatalog tests: a database in a temporary data directory
// (initdb-style bootstrap), and a QueryOutput that records what a session sends, with scripted
// COPY input.
import Foundation
import Logging
import Storage
@testable import SQLMini

final class TestDatabase {
    let directory: String
    let storage: StorageEngine
    let database: Database
    private var nextProcessID: Int32 = 1000

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("minipg-session-\(UUID().uuidString)").path
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let configuration = StorageConfiguration(sharedBuffers: 256)
        try StorageEngine.create(dataDirectory: directory, configuration: configuration, logger: logger)
        storage = try StorageEngine(dataDirectory: directory, configuration: configuration, logger: logger)
        try Database.bootstrap(storage: storage, superuser: "postgres", passwordVerifier: nil)
        database = try Database(storage: storage, settings: ServerSettings(), logger: logger,
                                passwordHasher: { user, password in "md5-test:\(user):\(password)" })
    }

    func session(user: String = "postgres", database name: String = "postgres") throws -> Session {
        nextProcessID += 1
        return try database.makeSession(user: user, database: name, processID: nextProcessID,
                                        applicationName: "tests")
    }

    deinit {
        try? storage.shutdown()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Everything a session sent, in order, with values decoded as text for easy comparison.
final class RecordingOutput: QueryOutput {
    enum Event: Equatable {
        case rowDescription([String])
        case row([String?])
        case complete(String)
        case emptyQuery
        case notice(String)
        case copyIn
        case copyOut(String)
        case copyOutBegin
        case copyOutEnd
    }

    var events: [Event] = []
    var descriptions: [[ColumnDescription]] = []
    var rawRows: [[[UInt8]?]] = []
    /// The chunks COPY FROM STDIN will read, in order; then CopyDone.
    var copyInput: [[UInt8]] = []
    /// Set to make the client answer CopyFail.
    var copyFailure: String?

    func rowDescription(_ columns: [ColumnDescription]) {
        descriptions.append(columns)
        events.append(.rowDescription(columns.map(\.name)))
    }
    func dataRow(_ values: [[UInt8]?]) {
        rawRows.append(values)
        events.append(.row(values.map { $0.map { String(decoding: $0, as: UTF8.self) } }))
    }
    func commandComplete(_ tag: String) { events.append(.complete(tag)) }
    func emptyQuery() { events.append(.emptyQuery) }
    func notice(_ notice: SQLNotice) { events.append(.notice(notice.message)) }
    func copyIn(format: Int8, columnFormats: [Int16]) throws -> CopyInSource {
        events.append(.copyIn)
        return ScriptedCopySource(chunks: copyInput, failure: copyFailure)
    }
    func copyOutBegin(format: Int8, columnFormats: [Int16]) { events.append(.copyOutBegin) }
    func copyOutData(_ bytes: [UInt8]) { events.append(.copyOut(String(decoding: bytes, as: UTF8.self))) }
    func copyOutEnd() { events.append(.copyOutEnd) }

    var rows: [[String?]] {
        events.compactMap { if case .row(let row) = $0 { return row } else { return nil } }
    }
    var tags: [String] {
        events.compactMap { if case .complete(let tag) = $0 { return tag } else { return nil } }
    }
    var notices: [String] {
        events.compactMap { if case .notice(let message) = $0 { return message } else { return nil } }
    }
}

final class ScriptedCopySource: CopyInSource {
    private var chunks: [[UInt8]]
    private let failure: String?

    init(chunks: [[UInt8]], failure: String?) {
        self.chunks = chunks
        self.failure = failure
    }

    func nextChunk() throws -> [UInt8]? {
        if chunks.isEmpty {
            if let failure { throw SQLError(SQLError.queryCanceled, "COPY from stdin failed: \(failure)") }
            return nil
        }
        return chunks.removeFirst()
    }
}

extension Session {
    /// Runs a Simple Query and returns what it sent, failing the test's expectations on error only
    /// through the returned error.
    func run(_ sql: String) -> (output: RecordingOutput, error: SQLError?) {
        let output = RecordingOutput()
        let error = executeSimpleQuery(sql, output: output)
        return (output, error)
    }

    /// The rows of a query that must succeed.
    func rows(_ sql: String) throws -> [[String?]] {
        let (output, error) = run(sql)
        if let error { throw error }
        return output.rows
    }
}
