// SessionBackend: one client connection's QueryBackend (PGWire) on top of a SQLMini Session.
//
// PGWire calls it on the connection's worker thread, in message order; it forwards each call to
// the session, turns SQLError into PGError, and after every message reports the session's changed
// ParameterStatus values (SET application_name ...) as PostgreSQL does.
// Invariant: the session is used from that one worker thread only (cancel() is the exception and is
// thread-safe in Session).

import PGWire
import SQLMini

final class SessionBackend: QueryBackend {
    private let session: Session
    private let onTerminate: () -> Void

    init(session: Session, onTerminate: @escaping () -> Void) {
        self.session = session
        self.onTerminate = onTerminate
    }

    var transactionState: TransactionState { Self.state(session.transactionStatus) }

    func simpleQuery(_ sql: String, _ out: BackendOutput) {
        let output = QueryOutputAdapter(out)
        if let error = session.executeSimpleQuery(sql, output: output) {
            out.error(PGError(error))
        }
        reportParameterChanges(out)
    }

    func parse(name: String, query: String, parameterTypes: [UInt32]) throws(PGError) {
        try translating { try session.parse(statement: name, query: query, parameterTypes: parameterTypes) }
    }

    func bind(portal: String, statement: String, parameterFormats: [Int16], parameters: [[UInt8]?],
              resultFormats: [Int16]) throws(PGError) {
        try translating {
            try session.bind(portal: portal, statement: statement, parameterFormats: parameterFormats,
                             parameters: parameters, resultFormats: resultFormats)
        }
    }

    func describeStatement(_ name: String) throws(PGError) -> (parameterTypes: [UInt32], fields: [FieldDescription]?) {
        let description = try translating { try session.describeStatement(name) }
        return (description.parameterTypes, description.columns.map { $0.map(FieldDescription.init) })
    }

    func describePortal(_ name: String) throws(PGError) -> [FieldDescription]? {
        try translating { try session.describePortal(name) }.map { $0.map(FieldDescription.init) }
    }

    func execute(portal: String, maxRows: Int32, _ out: BackendOutput) throws(PGError) -> Bool {
        let output = QueryOutputAdapter(out)
        defer { reportParameterChanges(out) }
        return try translating { try session.execute(portal: portal, maxRows: Int(maxRows), output: output) }
    }

    func close(statement: String) { session.closeStatement(statement) }
    func close(portal: String) { session.closePortal(portal) }

    func sync() -> TransactionState {
        session.sync()
        return transactionState
    }

    func terminate() {
        session.terminate()
        onTerminate()
    }

    func cancel() { session.cancel() }

    private func reportParameterChanges(_ out: BackendOutput) {
        for (name, value) in session.parameterStatusChanges {
            out.parameterStatus(name, value)
        }
    }

    private func translating<T>(_ body: () throws -> T) throws(PGError) -> T {
        do {
            return try body()
        } catch let error as SQLError {
            throw PGError(error)
        } catch {
            throw PGError(severity: .error, sqlState: SQLError.internalError, message: String(describing: error))
        }
    }

    private static func state(_ status: TransactionBlockStatus) -> TransactionState {
        switch status {
        case .idle: return .idle
        case .inTransaction: return .inTransaction
        case .failed: return .failed
        }
    }
}

extension PGError {
    init(_ error: SQLError) {
        self.init(severity: PGError.Severity(rawValue: error.severity.rawValue) ?? .error,
                  sqlState: error.sqlState, message: error.message, detail: error.detail,
                  hint: error.hint, position: error.position, context: error.context)
    }
}

extension FieldDescription {
    init(_ column: ColumnDescription) {
        self.init(name: column.name, tableOID: column.tableOID, columnNumber: column.columnNumber,
                  typeOID: column.typeOID, typeSize: column.typeSize, typeModifier: column.typeModifier,
                  format: column.format)
    }
}
