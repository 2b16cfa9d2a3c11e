// RowModification: changing (updating, deleting, locking) a row another transaction may be
// changing at the same time, as PostgreSQL's READ COMMITTED does it (EvalPlanQual): if the row is
// being modified, wait for that transaction; if it then committed an update, follow the update
// chain to the newest version, check the WHERE clause again on it, and apply the change there;
// if it deleted the row, skip it. Under REPEATABLE READ a concurrent change is a serialization
// failure (40001).
//
// Invariants: every wait is bounded by lock_timeout / statement_timeout and the cancel flag;
// the operation is retried only on the newest version of the same row.
import Storage
import WAL

struct RowModification {
    let context: EvaluationContext
    let table: CatalogRelation
    let heap: HeapRelation
    let types: [SQLType]
    let xid: TransactionID

    init(context: EvaluationContext, table: CatalogRelation, xid: TransactionID) {
        self.context = context
        self.table = table
        self.heap = context.engine.storage.heap(RelationID(table.fileNode))
        self.types = table.columns.map(\.type)
        self.xid = xid
    }

    /// Runs `operation` on the row at `tid` (whose current contents are `row`), following
    /// concurrent updates. Returns the version it was applied to and the result's new tuple, or
    /// nil when the row is gone or no longer matches `recheck`. A row another transaction is
    /// changing is waited for, or (FOR UPDATE NOWAIT) an error 55P03, or (SKIP LOCKED) skipped.
    func apply(tid startTID: TupleID, row startRow: Row, waitPolicy: RowLockingClause.WaitPolicy = .wait,
               recheck: (Row) throws -> Bool,
               _ operation: (TupleID, Row) throws -> HeapModifyResult) throws -> (tid: TupleID, row: Row, newVersion: TupleID?)? {
        var tid = startTID
        var row = startRow
        let repeatableRead = context.execution.usesTransactionSnapshot
        while true {
            switch try operation(tid, row) {
            case .ok(let newVersion):
                return (tid, row, newVersion)
            case .selfModified, .invisible:
                return nil
            case .deleted:
                if repeatableRead { throw Self.serializationFailure() }
                return nil
            case .updated(let newer):
                if repeatableRead { throw Self.serializationFailure() }
                guard let latest = try heap.fetchLatest(newer) else { return nil }
                let newRow = try RowCodec.decode(latest.data, types: types)
                guard try recheck(newRow) else { return nil }
                tid = newer
                row = newRow
            case .beingModified(let other):
                switch waitPolicy {
                case .wait: try wait(for: other)
                case .skipLocked: return nil
                case .noWait:
                    throw SQLError(SQLError.lockNotAvailable, "could not obtain lock on row in relation \"\(table.name)\"")
                }
            }
        }
    }

    func wait(for other: TransactionID) throws {
        let execution = context.execution
        do {
            try execution.engine.storage.transactions.wait(for: other, by: xid, timeout: execution.lockWaitTimeout,
                                                           isCancelled: execution.isCancelled)
        } catch let error as StorageError {
            throw Self.translate(error, execution)
        }
        try execution.checkInterrupts()
    }

    static func serializationFailure() -> SQLError {
        SQLError(SQLError.serializationFailure, "could not serialize access due to concurrent update")
    }

    /// PostgreSQL's DETAIL of a deadlock, one line per wait: "Process 12 waits for ShareLock on
    /// transaction 7; blocked by process 34." Storage's own text when a backend is unknown.
    static func deadlockDetail(_ error: StorageError, _ execution: ExecutionContext) -> String {
        let cycle = error.waitCycle
        let processes = cycle.compactMap { execution.backendOfTransaction($0) }
        guard cycle.count > 1, processes.count == cycle.count else { return error.message }
        return (0..<cycle.count - 1).map { step in
            "Process \(processes[step]) waits for ShareLock on transaction \(cycle[step + 1].value); "
                + "blocked by process \(processes[step + 1])."
        }.joined(separator: "\n")
    }

    /// Storage's lock-wait errors as PostgreSQL reports them.
    static func translate(_ error: StorageError, _ execution: ExecutionContext) -> SQLError {
        switch error.kind {
        case .lockTimeout:
            if let deadline = execution.deadline, ContinuousClock.now >= deadline {
                return SQLError(SQLError.queryCanceled, "canceling statement due to statement timeout")
            }
            return SQLError(SQLError.lockNotAvailable, "canceling statement due to lock timeout")
        case .deadlock:
            return SQLError(SQLError.deadlockDetected, "deadlock detected", detail: deadlockDetail(error, execution),
                            hint: "See server log for query details.")
        case .cancelled:
            return SQLError(SQLError.queryCanceled, "canceling statement due to user request")
        case .rowTooBig:
            return SQLError(SQLError.programLimitExceeded, error.message)
        default:
            return SQLError(SQLError.internalError, error.message)
        }
    }
}
