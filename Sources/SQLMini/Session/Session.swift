// Session: one client's session — its transaction block, prepared statements and portals, settings,
// and the statement it is running. Created by Database.makeSession for each connection.
//
// Threading: used by one thread at a time (the connection's worker); only `cancel()` may be called
// from another thread (it sets an atomic flag that running statements poll). The open transaction
// is an ExecutionContext: created when a transaction starts (BEGIN, or the first statement outside
// a block), committed or aborted by the session through the TransactionManager, never shared.
//
// The files next to this one add the Simple Query path (Session+SimpleQuery), the extended
// protocol (Session+Extended), statement dispatch (Session+Statements), transactions
// (Session+Transactions), SET/SHOW (Session+Settings) and COPY (Session+Copy).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import Storage
import Synchronization
import WAL

public final class Session: @unchecked Sendable {
    let database: Database
    let role: CatalogRole
    let databaseName: String
    public let processID: Int32
    let logger: Logger

    var block = TransactionBlock()
    /// The open transaction (implicit or explicit, or failed inside a savepoint); nil when idle
    /// and in a failed block.
    var transaction: ExecutionContext?
    var settings: SessionSettings
    var preparedStatements: [String: PreparedStatement] = [:]
    var portals: [String: Portal] = [:]
    /// Statements run in the open transaction (SET TRANSACTION must come first).
    var statementsInTransaction = 0
    /// When the current statement must end (statement_timeout), nil without a timeout.
    var statementDeadline: ContinuousClock.Instant?
    private let cancelRequested = Atomic<Bool>(false)
    /// Standby replay removed row versions this transaction's snapshot may need: its running
    /// statement, or else its next one, fails with 40001. Survives clearInterrupts.
    let recoveryConflictPending = Atomic<Bool>(false)
    /// The values of the GUC_REPORT settings as the client last heard them.
    private var reportedParameters: [String: String]
    /// settings.reportedParameters when last compared: while it is the same, nothing changed.
    private var lastReportedList: [(String, String)] = []
    /// The generation of the Database's settings that `settings.server` holds (see adoptReloadedSettings).
    private var serverSettingsGeneration = -1

    init(database: Database, role: CatalogRole, databaseName: String, processID: Int32,
         settings: SessionSettings, logger: Logger) {
        self.database = database
        self.role = role
        self.databaseName = databaseName
        self.processID = processID
        self.settings = settings
        self.logger = logger
        self.reportedParameters = Dictionary(settings.reportedParameters, uniquingKeysWith: { _, last in last })
    }

    /// Called as each statement starts: after a reload (SIGHUP, pg_reload_conf) the session takes the
    /// server's new values under its own SET, as a PostgreSQL backend does on its next command.
    func adoptReloadedSettings() {
        guard let (server, generation) = database.settings(changedSince: serverSettingsGeneration) else { return }
        settings.adoptReloadedServerSettings(server)
        serverSettingsGeneration = generation
    }

    /// ReadyForQuery's status: 'I' idle, 'T' in a transaction block, 'E' in a failed block.
    public var transactionStatus: TransactionBlockStatus { block.status }

    /// The reported settings (application_name, DateStyle, TimeZone, ...) whose value changed since
    /// the last read, for ParameterStatus messages. Reading drains them: the server reads after
    /// each message. A SET rolled back with its transaction is reported again with the old value.
    public var parameterStatusChanges: [(String, String)] {
        get {
            // Read after every message: the usual answer, nothing changed, costs one comparison.
            let list = settings.reportedParameters
            if list.elementsEqual(lastReportedList, by: ==) { return [] }
            lastReportedList = list
            let current = reportedSettingValues
            var changes: [(String, String)] = []
            for (name, value) in current.sorted(by: { $0.key < $1.key }) where reportedParameters[name] != value {
                changes.append((name, value))
            }
            reportedParameters = current
            return changes
        }
        set {
            lastReportedList = []
            for (name, value) in newValue { reportedParameters[name] = value }
        }
    }

    /// Thread-safe: the running statement (if any) fails with 57014 `canceling statement due to
    /// user request` at its next check.
    public func cancel() {
        cancelRequested.store(true, ordering: .releasing)
    }

    /// Thread-safe (called by standby replay): fails the running or next statement with 40001
    /// `canceling statement due to conflict with recovery`.
    func cancelForRecoveryConflict() {
        recoveryConflictPending.store(true, ordering: .releasing)
    }

    /// The connection closed: roll back whatever is open and forget everything.
    public func terminate() {
        let action = block.terminate()
        if action.transaction == .abort { abortTransaction() }
        portals.removeAll()
        preparedStatements.removeAll()
        database.registry.unregister(processID: processID)
    }

    // MARK: Interrupts

    /// Called when a new client request starts: a cancel that arrived while idle is dropped.
    func clearInterrupts() {
        cancelRequested.store(false, ordering: .relaxed)
    }

    var isCancelRequested: Bool {
        cancelRequested.load(ordering: .acquiring) || recoveryConflictPending.load(ordering: .acquiring)
    }

    var isPastDeadline: Bool {
        guard let statementDeadline else { return false }
        return ContinuousClock.now >= statementDeadline
    }

    /// Throws 57014 when the statement was cancelled or ran past statement_timeout, 40001 on a
    /// recovery conflict.
    func checkInterrupts() throws {
        if let conflict = takeRecoveryConflict() { throw conflict }
        if isCancelRequested { throw Self.userCancelError }
        if isPastDeadline { throw Self.timeoutError }
    }

    static let userCancelError = SQLError(SQLError.queryCanceled, "canceling statement due to user request")
    static let timeoutError = SQLError(SQLError.queryCanceled, "canceling statement due to statement timeout")
    static let recoveryConflictError = SQLError(SQLError.serializationFailure, "canceling statement due to conflict with recovery",
                                                detail: "User query might have needed to see row versions that must be removed.")

    /// The 40001 error of a pending recovery conflict, once (the failed statement ends it).
    func takeRecoveryConflict() -> SQLError? {
        recoveryConflictPending.exchange(false, ordering: .acquiringAndReleasing) ? Self.recoveryConflictError : nil
    }

    /// Any error a statement threw, as the SQLError the client gets. A cancellation reported by
    /// the engine or the storage layer is named after its cause (user request or timeout).
    func sqlError(from error: any Error) -> SQLError {
        if let error = error as? SQLError {
            guard error.sqlState == SQLError.queryCanceled else { return error }
            if let conflict = takeRecoveryConflict() { return conflict }
            if isCancelRequested { return Self.userCancelError }
            if isPastDeadline { return Self.timeoutError }
            return error
        }
        if let error = error as? StorageError {
            switch error.kind {
            case .cancelled:
                if let conflict = takeRecoveryConflict() { return conflict }
                return isPastDeadline && !isCancelRequested ? Self.timeoutError : Self.userCancelError
            case .lockTimeout:
                if isPastDeadline { return Self.timeoutError }
                return SQLError(SQLError.lockNotAvailable, "canceling statement due to lock timeout")
            case .deadlock:
                return SQLError(SQLError.deadlockDetected, "deadlock detected", detail: error.message)
            case .corruptPage:
                return SQLError(SQLError.dataCorrupted, error.message)
            case .io:
                return SQLError(SQLError.ioError, error.message)
            case .noFreeBuffers:
                return SQLError(SQLError.insufficientResources, error.message)
            default:
                return SQLError(SQLError.internalError, error.message)
            }
        }
        return SQLError(SQLError.internalError, String(describing: error))
    }

    // MARK: pg_stat_activity

    func publishActivity(state: String, query: String? = nil) {
        let now = PostgresTimestamp.now()
        let transactionStart = transactionStartTime
        let applicationName = settings.applicationName
        let xid = transaction.flatMap { $0.topLevelXid.isValid ? $0.topLevelXid.value : nil }
        database.registry.update(processID: processID) { activity in
            activity.applicationName = applicationName
            activity.backendXID = xid
            if let query {
                activity.query = query
                activity.queryStart = now
            }
            if activity.state != state { activity.stateChange = now }
            activity.state = state
            activity.transactionStart = transactionStart
        }
    }

    /// The idle state pg_stat_activity shows between requests.
    var idleStateName: String {
        switch block.status {
        case .idle: return "idle"
        case .inTransaction: return "idle in transaction"
        case .failed: return "idle in transaction (aborted)"
        }
    }

    var transactionStartTime: Int64?
}
