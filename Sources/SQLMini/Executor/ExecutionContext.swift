// ExecutionContext: one transaction's world as the engine sees it — its transaction id (assigned
// lazily at the first write, so read-only transactions never write WAL), the command counter and
// MVCC snapshot of the current statement, the session's settings that change results (user,
// search_path), and the statement's bounds (statement_timeout, lock_timeout, cancel).
//
// The session creates one per transaction, calls `beginStatement()` before every statement, and
// ends the transaction itself (TransactionManager.commit/abort of `xid` when it is valid).
//
// The first snapshot is registered with Storage's SnapshotRegistry for the life of the context
// (the transaction), so pruning and VACUUM keep every row version this transaction may still see.
//
// Invariants: READ COMMITTED takes a new snapshot per statement; REPEATABLE READ (and
// SERIALIZABLE, treated alike) keeps the first one; each statement has its own command id, so it
// sees the changes of earlier statements of its transaction but not its own (Halloween).
// Savepoints (SubtransactionStack): writes inside a savepoint level carry that level's subxid;
// the snapshot's own-transaction set is the top-level xid plus the live subxids, and loses a
// subxid the moment it is rolled back.
import Foundation
import Storage
import WAL

public final class ExecutionContext {
    public let engine: Engine
    public let isolation: IsolationLevel
    /// READ ONLY transactions and standbys refuse writes with 25006.
    public var readOnly: Bool
    /// The transaction's own (top-level) xid, assigned at its first write.
    public private(set) var topLevelXid: TransactionID = .invalid
    /// The xid writes are stamped with now: the innermost savepoint level's subxid, else the
    /// top-level xid (.invalid before the first write at that level).
    public var xid: TransactionID { savepoints.innermostXid ?? topLevelXid }
    /// The open savepoint levels and their subtransactions.
    private(set) var savepoints = SubtransactionStack()
    public private(set) var commandID = CommandID(0)
    public private(set) var snapshot: Snapshot
    /// Holds the oldest xmin back to this transaction's first snapshot until the context goes.
    private let snapshotRegistration: SnapshotRegistration
    private var statementsStarted = 0

    /// lock_timeout: the longest a row-lock wait may take (nil = forever).
    public var lockTimeout: Duration?
    /// statement_timeout's end for the running statement (nil = none).
    public var deadline: ContinuousClock.Instant?
    /// Polled during long scans and lock waits: the session's cancel flag.
    public var isCancelled: () -> Bool = { false }
    /// The backend process id running a transaction, if known (a deadlock's DETAIL names them).
    public var backendOfTransaction: (TransactionID) -> Int32? = { _ in nil }
    /// NOTICEs and WARNINGs for the client (`table "x" does not exist, skipping`).
    public var notice: (SQLNotice) -> Void = { _ in }

    public var user: String
    public var databaseName: String
    public var searchPath: [String]
    /// When the transaction and the current statement started, in microseconds since 2000-01-01
    /// (now() / CURRENT_TIMESTAMP and statement_timestamp()).
    public private(set) var transactionTimestamp: Int64
    public private(set) var statementTimestamp: Int64

    /// Built-in functions' access to session state (settings, backend pid); set by the session.
    public var functionContext: FunctionContext?

    /// Makes a password verifier (SCRAM-SHA-256 or md5) from (role name, password) for
    /// CREATE/ALTER ROLE ... PASSWORD; supplied by the session (the hashing lives in PGWire).
    public var passwordHasher: ((String, String) -> String)?

    /// The catalog as this transaction's own DDL left it (nil: it ran none).
    var ownCatalog: Catalog?
    /// The last value nextval() returned per sequence in this session (currval).
    public var lastSequenceValues: [UInt32: Int64] = [:]

    public init(engine: Engine, isolation: IsolationLevel = .readCommitted, readOnly: Bool = false,
                user: String = "postgres", databaseName: String = "postgres", searchPath: [String] = ["$user", "public"]) {
        self.engine = engine
        self.isolation = isolation
        self.readOnly = readOnly
        self.user = user
        self.databaseName = databaseName
        self.searchPath = searchPath
        (snapshot, snapshotRegistration) = engine.storage.snapshots.registeredSnapshot(for: .invalid, command: CommandID(0))
        let now = ExecutionContext.currentTimestamp()
        transactionTimestamp = now
        statementTimestamp = now
    }

    /// Hot standby: `handler` runs (on the replay thread) when replay must remove row versions this
    /// transaction's registered snapshot may still need.
    public func onRecoveryConflict(_ handler: @escaping @Sendable () -> Void) {
        snapshotRegistration.onRecoveryConflict(handler)
    }

    /// Starts the next statement: a new command id and, under READ COMMITTED, a new snapshot.
    public func beginStatement() {
        if statementsStarted > 0 { commandID = CommandID(commandID.value &+ 1) }
        statementsStarted += 1
        if isolation == .readCommitted || isolation == .readUncommitted || statementsStarted == 1 {
            snapshot = engine.storage.transactions.snapshot(for: topLevelXid, command: commandID)
        } else {
            snapshot.currentCommand = commandID
        }
        statementTimestamp = ExecutionContext.currentTimestamp()
    }

    var usesTransactionSnapshot: Bool { isolation == .repeatableRead || isolation == .serializable }

    /// The xid to stamp a write with, assigned now if this is the first write of the transaction
    /// (top-level xid) or of the innermost savepoint level (subxid, after the top-level one).
    func writableTransaction(for command: String) throws -> TransactionID {
        try writableTopLevelTransaction(for: command)
        if savepoints.innermostNeedsXid {
            let subxid = try engine.storage.transactions.assignSubtransactionID(of: topLevelXid)
            savepoints.assignInnermost(subxid)
            snapshot.subtransactions.append(subxid)
        }
        return xid
    }

    /// The top-level xid, assigned now if the transaction has none yet (txid_current()).
    @discardableResult
    func writableTopLevelTransaction(for command: String) throws -> TransactionID {
        if readOnly {
            throw SQLError(SQLError.readOnlySQLTransaction, "cannot execute \(command) in a read-only transaction")
        }
        if !topLevelXid.isValid {
            topLevelXid = try engine.storage.transactions.assignTransactionID()
            snapshot.currentTransaction = topLevelXid
        }
        return topLevelXid
    }

    /// A snapshot that also sees what the current command itself wrote (catalog reloads after DDL).
    func snapshotIncludingCurrentCommand() -> Snapshot {
        var seeing = snapshot
        seeing.currentTransaction = topLevelXid
        seeing.currentCommand = CommandID(commandID.value &+ 1)
        return seeing
    }

    /// A fresh snapshot for re-checking a row a concurrent transaction changed (READ COMMITTED).
    func freshSnapshot() -> Snapshot {
        engine.storage.transactions.snapshot(for: topLevelXid, command: commandID)
    }

    // MARK: Savepoints

    /// SAVEPOINT: a new level; its subxid comes with its first write. `settings` are what ROLLBACK
    /// TO it gives back.
    public func defineSavepoint(_ name: String, settings: SessionSettings.SavepointValues) {
        savepoints.push(savepoint: name, settings: settings)
    }

    /// The innermost savepoint level called `name`, if any.
    public func savepointLevel(named name: String) -> Int? { savepoints.level(named: name) }

    /// RELEASE SAVEPOINT: the level and those above merge into the level below.
    public func releaseSavepoint(at level: Int) { savepoints.release(from: level) }

    /// ROLLBACK TO SAVEPOINT: everything the level and those above did is undone; the level stays.
    /// Returns the session settings as they were at the SAVEPOINT.
    public func rollbackToSavepoint(at level: Int) throws -> SessionSettings.SavepointValues {
        let (aborted, settings) = savepoints.rollback(to: level)
        try abortSubtransactions(aborted)
        return settings
    }

    /// An error inside the innermost savepoint level: its subtransaction is aborted now, so its
    /// row locks go at once, as PostgreSQL's AbortSubTransaction does.
    public func abortInnermostSavepointLevel() throws {
        try abortSubtransactions(savepoints.abortInnermost())
    }

    private func abortSubtransactions(_ subxids: [TransactionID]) throws {
        guard !subxids.isEmpty else { return }
        engine.storage.transactions.abortSubtransactions(subxids)
        snapshot.subtransactions.removeAll { subxids.contains($0) }
        // DDL of the rolled-back levels is gone: the transaction's own catalog is read again.
        if ownCatalog != nil { try engine.catalogChanged(by: self) }
    }

    /// Throws 57014 when the statement was cancelled or ran past statement_timeout.
    public func checkInterrupts() throws {
        if isCancelled() { throw SQLError(SQLError.queryCanceled, "canceling statement due to user request") }
        if let deadline, ContinuousClock.now >= deadline {
            throw SQLError(SQLError.queryCanceled, "canceling statement due to statement timeout")
        }
    }

    /// The wait bound for a row lock: the shorter of lock_timeout and what statement_timeout leaves.
    var lockWaitTimeout: Duration? {
        let statementLeft = deadline.map { $0 - ContinuousClock.now }
        switch (lockTimeout, statementLeft) {
        case (nil, nil): return nil
        case (let a?, nil): return a
        case (nil, let b?): return max(b, .zero)
        case (let a?, let b?): return min(a, max(b, .zero))
        }
    }

    static func currentTimestamp() -> Int64 {
        let seconds = Date().timeIntervalSince1970
        let unixMicroseconds = Int64((seconds * 1_000_000).rounded())
        return unixMicroseconds - DateTime.unixEpochToPostgresEpochDays * DateTime.microsecondsPerDay
    }
}
