// Session+Transactions: carrying out the transaction block's actions on the storage transaction,
// and the transaction-control statements (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE, ROLLBACK TO).
//
// A transaction is an ExecutionContext. Its xid is assigned by the engine at the first write, so a
// read-only transaction never writes WAL; committing one without an xid is a no-op. Commit goes
// through TransactionManager.commit, which returns once the commit record is flushed (group commit),
// so the client hears COMMIT only after its transaction is durable.
//
// Isolation: READ COMMITTED takes a snapshot per statement, REPEATABLE READ one per transaction.
// SERIALIZABLE runs as REPEATABLE READ (snapshot isolation, no serializable-conflict detection),
// READ UNCOMMITTED as READ COMMITTED (as PostgreSQL does).
//
// Savepoints: there are no subtransactions yet. SAVEPOINT and RELEASE are accepted and tracked (so
// nested transactions that succeed work), ROLLBACK TO SAVEPOINT fails with 0A000.

import Storage
import WAL

extension Session {
    /// Runs what a TransactionBlock event asked for: start, commit or abort, then the warning.
    func perform(_ action: TransactionBlock.Action, modes: TransactionModes = TransactionModes(),
                 output: QueryOutput?) throws {
        switch action.transaction {
        case .none: break
        case .start: startTransaction(modes)
        case .commit: try commitTransaction()
        case .abort: abortTransaction()
        }
        if let warning = action.warning { output?.notice(warning) }
    }

    /// Opens the storage transaction (an ExecutionContext) with the session's defaults or `modes`.
    func startTransaction(_ modes: TransactionModes) {
        let requested = modes.isolationLevel ?? defaultIsolation
        let readOnly = modes.readOnly ?? settings.defaultTransactionReadOnly
        settings.transactionStarted()
        openContext(isolation: requested, readOnly: readOnly)
        transactionStartTime = Self.timestampNow()
    }

    /// Replaces the transaction's context before its first query (SET TRANSACTION ISOLATION LEVEL).
    func restartTransaction(isolation: IsolationLevel, readOnly: Bool) {
        openContext(isolation: isolation, readOnly: readOnly)
    }

    private func openContext(isolation requested: IsolationLevel, readOnly: Bool) {
        let context = ExecutionContext(engine: database.engine, isolation: Self.effectiveIsolation(requested),
                                       readOnly: readOnly || database.isInRecovery, user: role.name,
                                       databaseName: databaseName, searchPath: settings.searchPath)
        // The engine checks statement_timeout itself (context.deadline); this is the cancel flag.
        context.isCancelled = { [unowned self] in self.isCancelRequested }
        context.backendOfTransaction = { [unowned self] xid in self.backendProcess(of: xid) }
        configureFunctions(for: context)
        transaction = context
        statementsInTransaction = 0
        // SHOW transaction_isolation / transaction_read_only answer for this transaction.
        _ = try? settings.set("transaction_isolation", to: requested.rawValue, isLocal: true)
        _ = try? settings.set("transaction_read_only", to: context.readOnly ? "on" : "off", isLocal: true)
    }

    /// Commits the open transaction; the WAL is flushed before this returns.
    func commitTransaction() throws {
        guard let context = transaction else { return }
        endTransaction()
        _ = settings.transactionEnded(committed: true)
        guard context.xid.isValid else { return }
        do {
            try database.storage.transactions.commit(context.xid)
        } catch {
            database.storage.transactions.abort(context.xid)
            logger.error("commit failed", metadata: ["xid": "\(context.xid.value)", "error": "\(error)"])
            throw sqlError(from: error)
        }
    }

    /// Rolls back the open transaction (nothing it wrote will ever be visible).
    func abortTransaction() {
        guard let context = transaction else { return }
        endTransaction()
        _ = settings.transactionEnded(committed: false)
        if context.xid.isValid {
            database.storage.transactions.abort(context.xid)
        }
    }

    /// What ends with every transaction: its portals and savepoints.
    private func endTransaction() {
        transaction = nil
        portals.removeAll()
        savepoints.removeAll()
        transactionStartTime = nil
    }

    /// The statement failed: an implicit transaction is rolled back, an explicit block becomes failed.
    func failStatement() {
        let action = block.statementFailed()
        if action.transaction == .abort { abortTransaction() }
    }

    /// Before an ordinary statement: opens the implicit transaction if none is open, or refuses the
    /// statement in a failed block (25P02).
    func enterStatement(output: QueryOutput?) throws {
        let action = block.beforeStatement()
        if let refusal = action.refusal { throw refusal }
        try perform(action, output: output)
    }

    /// BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE, ROLLBACK TO.
    func runTransactionControl(_ statement: TransactionStatement, output: QueryOutput) throws {
        let action: TransactionBlock.Action
        var modes = TransactionModes()
        switch statement {
        case .begin(let requested), .startTransaction(let requested):
            modes = requested
            let wasImplicit = block.state == .implicit
            action = block.begin(tag: statement == .startTransaction(requested) ? "START TRANSACTION" : "BEGIN")
            if wasImplicit, let readOnly = requested.readOnly { transaction?.readOnly = readOnly }
        case .commit:
            action = block.commit()
        case .rollback:
            action = block.rollback()
        case .savepoint(let name):
            try requireBlock(for: "SAVEPOINT")
            savepoints.append(name)
            output.commandComplete("SAVEPOINT")
            return
        case .release(let name):
            try requireBlock(for: "RELEASE SAVEPOINT")
            guard let index = savepoints.lastIndex(of: name) else { throw Self.noSuchSavepoint(name) }
            savepoints.removeSubrange(index...)
            output.commandComplete("RELEASE")
            return
        case .rollbackTo(let name):
            if block.state != .failed { try requireBlock(for: "ROLLBACK TO SAVEPOINT") }
            guard savepoints.contains(name) else { throw Self.noSuchSavepoint(name) }
            throw SQLError(SQLError.featureNotSupported, "ROLLBACK TO SAVEPOINT is not supported",
                           detail: "minipg has no subtransactions yet; roll back the whole transaction.")
        }
        if let refusal = action.refusal { throw refusal }
        try perform(action, modes: modes, output: output)
        if let tag = action.tag { output.commandComplete(tag) }
    }

    private func requireBlock(for command: String) throws {
        switch block.state {
        case .explicit: return
        case .failed: throw TransactionBlock.abortedBlockError
        case .idle, .implicit:
            throw SQLError(SQLError.noActiveSQLTransaction, "\(command) can only be used in transaction blocks")
        }
    }

    private static func noSuchSavepoint(_ name: String) -> SQLError {
        SQLError(SQLError.invalidSavepointSpecification, "savepoint \"\(name)\" does not exist")
    }

    /// The isolation the engine runs: SERIALIZABLE as REPEATABLE READ, READ UNCOMMITTED as READ COMMITTED.
    static func effectiveIsolation(_ level: IsolationLevel) -> IsolationLevel {
        switch level {
        case .readUncommitted, .readCommitted: return .readCommitted
        case .repeatableRead, .serializable: return .repeatableRead
        }
    }
}
