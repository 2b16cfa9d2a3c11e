// Test support for the engine core: a bootstrapped database in a temporary data directory, and
// helpers that parse and run SQL through Engine.prepare/execute inside explicit transactions,
// returning rows as Values or as PostgreSQL's text output.
import Foundation
import Logging
import Storage
import WAL
@testable import SQLMini

final class EngineHarness {
    let directory: String
    let configuration = StorageConfiguration(sharedBuffers: 512)
    private(set) var storage: StorageEngine
    private(set) var engine: Engine
    let logger: Logger

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("minipg-engine-\(UUID().uuidString)").path
        var logger = Logger(label: "engine-test")
        logger.logLevel = .warning
        self.logger = logger
        try StorageEngine.create(dataDirectory: directory, configuration: configuration, logger: logger)
        storage = try StorageEngine(dataDirectory: directory, configuration: configuration, logger: logger)
        try Engine.bootstrap(storage: storage, superuser: "postgres", passwordVerifier: "SCRAM-SHA-256$4096:test")
        engine = try Engine(storage: storage, logger: logger)
    }

    /// Closes the storage engine cleanly and opens the data directory again.
    func restart() throws {
        try storage.shutdown()
        storage = try StorageEngine(dataDirectory: directory, configuration: configuration, logger: logger)
        engine = try Engine(storage: storage, logger: logger)
    }

    deinit {
        try? storage.shutdown()
        try? FileManager.default.removeItem(atPath: directory)
    }

    func begin(_ isolation: IsolationLevel = .readCommitted) -> ExecutionContext {
        ExecutionContext(engine: engine, isolation: isolation)
    }

    func commit(_ context: ExecutionContext) throws {
        if context.xid.isValid { try storage.transactions.commit(context.xid) }
    }

    func abort(_ context: ExecutionContext) {
        if context.xid.isValid { storage.transactions.abort(context.xid) }
    }

    /// Runs every statement of `sql` in `context`; returns the rows of the last one.
    @discardableResult
    func run(_ sql: String, in context: ExecutionContext, parameters: [Value] = [], notices: ((SQLNotice) -> Void)? = nil) throws -> [[Value]] {
        var rows: [[Value]] = []
        if let notices { context.notice = notices }
        for parsed in try Parser.parse(sql) {
            context.beginStatement()
            let plan = try engine.prepare(parsed.statement, parameterTypes: [], context: context)
            rows = []
            _ = try engine.execute(plan, parameters: parameters, context: context) { rows.append($0); return true }
        }
        return rows
    }

    /// Runs `sql` in its own transaction, committed on success and rolled back on error.
    @discardableResult
    func run(_ sql: String, parameters: [Value] = [], notices: ((SQLNotice) -> Void)? = nil) throws -> [[Value]] {
        let context = begin()
        do {
            let rows = try run(sql, in: context, parameters: parameters, notices: notices)
            try commit(context)
            return rows
        } catch {
            abort(context)
            throw error
        }
    }

    /// The rows as PostgreSQL's text output (NULL as nil).
    func text(_ sql: String, parameters: [Value] = []) throws -> [[String?]] {
        let context = begin()
        defer { try? commit(context) }
        var result: [[String?]] = []
        for parsed in try Parser.parse(sql) {
            context.beginStatement()
            let plan = try engine.prepare(parsed.statement, parameterTypes: [], context: context)
            let types = plan.resultColumns?.map(\.type) ?? []
            result = []
            _ = try engine.execute(plan, parameters: parameters, context: context) { row in
                result.append(zip(row, types).map { $0.text(as: $1) })
                return true
            }
        }
        return result
    }

    /// The result tag of a single statement run in its own transaction.
    func tag(_ sql: String) throws -> String {
        let context = begin()
        context.beginStatement()
        guard let parsed = try Parser.parse(sql).first else { return "" }
        let plan = try engine.prepare(parsed.statement, parameterTypes: [], context: context)
        let result = try engine.execute(plan, parameters: [], context: context) { _ in true }
        try commit(context)
        return result.tag
    }

    func explain(_ sql: String) throws -> String {
        try text("EXPLAIN " + sql).map { $0.first.flatMap { $0 } ?? "" }.joined(separator: "\n")
    }

    /// The SQLError `sql` fails with (nil if it succeeds).
    func error(_ sql: String) -> SQLError? {
        do {
            try run(sql)
            return nil
        } catch let error as SQLError {
            return error
        } catch {
            return SQLError(SQLError.internalError, "\(error)")
        }
    }
}
