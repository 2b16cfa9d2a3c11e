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
// Savepoints are subtransactions, as in PostgreSQL: the levels live in the ExecutionContext
// (SubtransactionStack), each writing level gets its own subxid, ROLLBACK TO aborts the subxids of
// the level and those above (and keeps the savepoint), RELEASE merges them into the level below,
// and the top-level COMMIT commits them all in one commit record. An error inside a savepoint level
// aborts that level's subtransaction at once and leaves the block failed until ROLLBACK TO.
// ROLLBACK TO also gives back the settings (SET, SET LOCAL) as they were at the SAVEPOINT.
// nextval() is not undone by any of it (sequences are not transactional).

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
        case .abortSubtransaction: abortInnermostSavepointLevel()
        }
        if let warning = action.warning { output?.notice(warning) }
    }

    /// Opens the storage transaction (an ExecutionContext) with the session's defaults or `modes`.
    func startTransaction(_ modes: TransactionModes) {
        let requested = modes.isolationLevel ?? defaultIsolation
        let readOnly = modes.readOnly ?? settings.defaultTransactionReadOnly
        settings.transactionStarted()
        openContext(isolation: requested, readOnly: readOnly)
        transactionStartTime = PostgresTimestamp.now()
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
        recoveryConflictPending.store(false, ordering: .relaxed)   // it was about the previous transaction
        if database.isInRecovery { context.onRecoveryConflict { [weak self] in self?.cancelForRecoveryConflict() } }
        context.backendOfTransaction = { [unowned self] xid in self.backendProcess(of: xid) }
        configureFunctions(for: context)
        transaction = context
        statementsInTransaction = 0
        // SHOW transaction_isolation / transaction_read_only answer for this transaction.
        settings.setTransactionCharacteristics(isolation: requested, readOnly: context.readOnly)
    }

    /// Commits the open transaction; the WAL is flushed before this returns.
    func commitTransaction() throws {
        guard let context = transaction else { return }
        let level = settings.synchronousCommitLevel
        endTransaction()
        _ = settings.transactionEnded(committed: true)
        let xid = context.topLevelXid
        guard xid.isValid else { return }
        do {
            try database.storage.transactions.commit(xid)
        } catch {
            database.storage.transactions.abort(xid)
            logger.error("commit failed", metadata: ["xid": "\(xid.value)", "error": "\(error)"])
            throw sqlError(from: error)
        }
        // Committed locally; synchronous replication holds back only the acknowledgement.
        if let waiter = database.synchronousReplication,
           !waiter.waitForStandbys(level: level, isCancelled: { [unowned self] in self.isCancelRequested }) {
            clearInterrupts()
            context.notice(.synchronousReplicationCancelled)
        }
    }

    /// Rolls back the open transaction (nothing it wrote will ever be visible).
    func abortTransaction() {
        guard let context = transaction else { return }
        endTransaction()
        _ = settings.transactionEnded(committed: false)
        if context.topLevelXid.isValid {
            database.storage.transactions.abort(context.topLevelXid)    // and its live subtransactions
        }
    }

    /// What ends with every transaction: its portals (its savepoints go with its context).
    private func endTransaction() {
        transaction = nil
        portals.removeAll()
        transactionStartTime = nil
    }

    /// The statement failed: an implicit transaction is rolled back, an explicit block becomes
    /// failed — all of it, or (inside a savepoint) only the innermost level's subtransaction.
    func failStatement() {
        let inSavepoint = !(transaction?.savepoints.isEmpty ?? true)
        switch block.statementFailed(inSavepoint: inSavepoint).transaction {
        case .abort:
            abortTransaction()
        case .abortSubtransaction:
            abortInnermostSavepointLevel()
        case .none, .start, .commit:
            break
        }
    }

    /// Before an ordinary statement: opens the implicit transaction if none is open, or refuses the
    /// statement in a failed block (25P02).
    func enterStatement(output: QueryOutput?) throws {
        let action = block.beforeStatement()
        if let refusal = action.refusal { throw refusal }
        try perform(action, output: output)
        // A recovery conflict that came while the transaction sat idle fails this statement.
        if let conflict = takeRecoveryConflict() { throw conflict }
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
            let context = try requireBlock(for: "SAVEPOINT")
            context.defineSavepoint(name, settings: settings.savepointValues)
            output.commandComplete("SAVEPOINT")
            return
        case .release(let name):
            let context = try requireBlock(for: "RELEASE SAVEPOINT")
            guard let level = context.savepointLevel(named: name) else { throw Self.noSuchSavepoint(name) }
            context.releaseSavepoint(at: level)
            output.commandComplete("RELEASE")
            return
        case .rollbackTo(let name):
            try rollbackToSavepoint(name)
            output.commandComplete("ROLLBACK")
            return
        }
        if let refusal = action.refusal { throw refusal }
        try perform(action, modes: modes, output: output)
        if let tag = action.tag { output.commandComplete(tag) }
    }

    /// ROLLBACK TO SAVEPOINT: allowed in a usable block and in one failed inside a savepoint. A
    /// block whose whole transaction failed has no savepoints left (3B001, as PostgreSQL says).
    private func rollbackToSavepoint(_ name: String) throws {
        switch block.state {
        case .explicit, .failedSubtransaction:
            guard let context = transaction, let level = context.savepointLevel(named: name) else {
                throw Self.noSuchSavepoint(name)
            }
            do {
                settings.rollback(to: try context.rollbackToSavepoint(at: level))
            } catch {
                abortAfterFailedSavepointRollback(error)
                throw error
            }
            // Portals bound inside the rolled-back levels go with them, as in PostgreSQL.
            portals = portals.filter { $0.value.savepointDepth <= level }
            block.rolledBackToSavepoint()
        case .failed:
            throw Self.noSuchSavepoint(name)
        case .idle, .implicit:
            throw Self.outsideBlock("ROLLBACK TO SAVEPOINT")
        }
    }

    /// An error inside a savepoint: its level's subtransaction is aborted, the transaction goes on.
    private func abortInnermostSavepointLevel() {
        do {
            try transaction?.abortInnermostSavepointLevel()
        } catch {
            abortAfterFailedSavepointRollback(error)
        }
    }

    /// The subtransactions were aborted but the transaction's own catalog could not be read again
    /// (an I/O error): without a catalog to trust, the whole transaction is rolled back.
    private func abortAfterFailedSavepointRollback(_ error: any Error) {
        logger.error("rolling back to a savepoint failed; aborting the transaction", metadata: ["error": "\(error)"])
        abortTransaction()
        block.savepointRollbackFailed()
    }

    /// The explicit block's transaction, for SAVEPOINT and RELEASE.
    private func requireBlock(for command: String) throws -> ExecutionContext {
        switch block.state {
        case .explicit:
            guard let context = transaction else { throw Self.outsideBlock(command) }
            return context
        case .failed, .failedSubtransaction: throw TransactionBlock.abortedBlockError
        case .idle, .implicit: throw Self.outsideBlock(command)
        }
    }

    private static func outsideBlock(_ command: String) -> SQLError {
        SQLError(SQLError.noActiveSQLTransaction, "\(command) can only be used in transaction blocks")
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
