// TransactionBlock: the transaction-block state machine of one session (PostgreSQL's TBlockState,
// reduced to the states a client can observe). A pure value: every event returns the action the
// session must run (start, commit or abort the storage transaction; send a warning); it does no I/O.
//
//            BEGIN                         error
//   idle ───────────────► explicit ───────────────────► failed
//    │ ▲ ◄──── COMMIT/ROLLBACK ─┘ ▲                       │
//    │ │                         │ BEGIN                 │ COMMIT (answers ROLLBACK) / ROLLBACK
//    │ └── end of query / Sync ─ implicit ◄─ statement ── idle       ▼
//    └──────────── statement ──────►┘  (error: abort, back to idle)  idle
//
// - `implicit`: statements outside BEGIN run in one transaction that ends with the Simple Query
//   string, or at Sync in the extended protocol. A BEGIN inside it turns it into the explicit block
//   (the statements before BEGIN belong to it), as PostgreSQL does.
// - `failed`: an explicit block after an error. The storage transaction is already aborted; only
//   ROLLBACK (or COMMIT, which then answers ROLLBACK) leaves it. Everything else gets 25P02.
// - `failedSubtransaction` (PostgreSQL's TBLOCK_SUBABORT): an error inside a savepoint level. Only
//   the innermost subtransaction is aborted; the block reports failed ('E') and refuses statements
//   like `failed`, but ROLLBACK TO SAVEPOINT brings it back to `explicit` (psql's
//   ON_ERROR_ROLLBACK and drivers' nested transactions rely on that). ROLLBACK / COMMIT end it all.
//
//   explicit ── error inside a savepoint ──► failedSubtransaction ── ROLLBACK TO ──► explicit

struct TransactionBlock: Equatable {
    enum State: Equatable {
        case idle
        case implicit
        case explicit
        case failed
        case failedSubtransaction
    }

    /// What the session must do for an event, in order: first `transaction`, then `warning`.
    struct Action: Equatable {
        enum TransactionAction: Equatable {
            case none
            case start
            case commit
            case abort
            /// Abort the innermost savepoint level's subtransaction; the transaction goes on.
            case abortSubtransaction
        }
        var transaction: TransactionAction = .none
        var warning: SQLNotice? = nil
        /// The statement must not run: answer this error instead.
        var refusal: SQLError? = nil
        /// The command tag to answer (COMMIT answers ROLLBACK in a failed block).
        var tag: String? = nil
    }

    private(set) var state: State = .idle

    var status: TransactionBlockStatus {
        switch state {
        case .idle, .implicit: return .idle
        case .explicit: return .inTransaction
        case .failed, .failedSubtransaction: return .failed
        }
    }

    /// True while a storage transaction is open (the failed state has already aborted its own).
    var hasOpenTransaction: Bool { state == .implicit || state == .explicit || state == .failedSubtransaction }

    /// After an error: only statements that end the block (or roll back to a savepoint) may run.
    var isFailed: Bool { state == .failed || state == .failedSubtransaction }

    /// An ordinary statement is about to run.
    mutating func beforeStatement() -> Action {
        switch state {
        case .idle:
            state = .implicit
            return Action(transaction: .start)
        case .implicit, .explicit:
            return Action()
        case .failed, .failedSubtransaction:
            return Action(refusal: Self.abortedBlockError)
        }
    }

    /// BEGIN / START TRANSACTION (answered with `tag`).
    mutating func begin(tag: String = "BEGIN") -> Action {
        switch state {
        case .idle:
            state = .explicit
            return Action(transaction: .start, tag: tag)
        case .implicit:
            state = .explicit
            return Action(tag: tag)
        case .explicit:
            return Action(warning: SQLNotice(SQLError.activeSQLTransaction,
                                             "there is already a transaction in progress",
                                             severity: .warning),
                          tag: tag)
        case .failed, .failedSubtransaction:
            return Action(refusal: Self.abortedBlockError)
        }
    }

    /// COMMIT / END.
    mutating func commit() -> Action {
        switch state {
        case .idle:
            return Action(warning: Self.noTransactionWarning, tag: "COMMIT")
        case .implicit:
            state = .idle
            return Action(transaction: .commit, warning: Self.noTransactionWarning, tag: "COMMIT")
        case .explicit:
            state = .idle
            return Action(transaction: .commit, tag: "COMMIT")
        case .failed:
            state = .idle
            return Action(tag: "ROLLBACK")
        case .failedSubtransaction:
            state = .idle
            return Action(transaction: .abort, tag: "ROLLBACK")
        }
    }

    /// ROLLBACK / ABORT.
    mutating func rollback() -> Action {
        switch state {
        case .idle:
            return Action(warning: Self.noTransactionWarning, tag: "ROLLBACK")
        case .implicit:
            state = .idle
            return Action(transaction: .abort, warning: Self.noTransactionWarning, tag: "ROLLBACK")
        case .explicit:
            state = .idle
            return Action(transaction: .abort, tag: "ROLLBACK")
        case .failed:
            state = .idle
            return Action(tag: "ROLLBACK")
        case .failedSubtransaction:
            state = .idle
            return Action(transaction: .abort, tag: "ROLLBACK")
        }
    }

    /// ROLLBACK TO SAVEPOINT succeeded (the session found the savepoint and rolled back to it):
    /// the block is usable again.
    mutating func rolledBackToSavepoint() {
        precondition(state == .explicit || state == .failedSubtransaction, "ROLLBACK TO SAVEPOINT in state \(state)")
        state = .explicit
    }

    /// Rolling back savepoint levels failed half-way: the session aborted the whole transaction.
    mutating func savepointRollbackFailed() {
        precondition(state == .explicit || state == .failedSubtransaction, "savepoint rollback in state \(state)")
        state = .failed
    }

    /// A statement failed (or a COMMIT failed to commit). `inSavepoint`: the explicit block has
    /// savepoint levels, so only the innermost one's subtransaction is aborted.
    mutating func statementFailed(inSavepoint: Bool) -> Action {
        switch state {
        case .idle:
            return Action()
        case .implicit:
            state = .idle
            return Action(transaction: .abort)
        case .explicit where inSavepoint:
            state = .failedSubtransaction
            return Action(transaction: .abortSubtransaction)
        case .explicit:
            state = .failed
            return Action(transaction: .abort)
        case .failed, .failedSubtransaction:
            return Action()
        }
    }

    /// The end of a Simple Query string, or Sync: the implicit transaction commits.
    mutating func endOfImplicitScope() -> Action {
        switch state {
        case .implicit:
            state = .idle
            return Action(transaction: .commit)
        case .idle, .explicit, .failed, .failedSubtransaction:
            return Action()
        }
    }

    /// The connection is closing: whatever is open is rolled back.
    mutating func terminate() -> Action {
        let open = hasOpenTransaction
        state = .idle
        return Action(transaction: open ? .abort : .none)
    }

    static let abortedBlockError = SQLError(
        SQLError.inFailedSQLTransaction,
        "current transaction is aborted, commands ignored until end of transaction block")
    static let noTransactionWarning = SQLNotice(
        SQLError.noActiveSQLTransaction, "there is no transaction in progress", severity: .warning)
}
