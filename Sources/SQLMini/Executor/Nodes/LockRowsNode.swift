// LockRowsNode: SELECT ... FOR UPDATE on one table. Its input is the table's scan with the hidden
// ctid column; each row is locked (xmax = this transaction, lock-only) before it is produced,
// waiting for and re-checking rows that concurrent transactions are changing (RowModification) —
// or, with NOWAIT, failing at once (55P03), or, with SKIP LOCKED, leaving such rows out.
// The produced rows are the locked versions, without the ctid.

final class LockRowsNode: PlanNode, @unchecked Sendable {
    let child: PlanNode
    let table: CatalogRelation
    /// The WHERE clause over the table's row, re-checked on a concurrently updated version.
    let recheck: BoundExpression?
    let waitPolicy: RowLockingClause.WaitPolicy
    let columns: [PlanColumn]
    var children: [PlanNode] { [child] }
    var explainLine: String { "LockRows" }

    init(child: PlanNode, table: CatalogRelation, recheck: BoundExpression?, waitPolicy: RowLockingClause.WaitPolicy) {
        self.child = child
        self.table = table
        self.recheck = recheck
        self.waitPolicy = waitPolicy
        self.columns = Array(child.columns.dropLast())
    }

    func run(_ context: EvaluationContext, _ consume: (Row) throws -> Bool) throws -> Bool {
        let xid = try context.execution.writableTransaction(for: "SELECT FOR UPDATE")
        let modification = RowModification(context: context, table: table, xid: xid)
        let rows = try child.collect(context)
        let snapshot = context.execution.snapshot
        for var row in rows {
            guard let last = row.popLast(), let tid = TableColumns.tupleID(last) else { continue }
            let locked = try modification.apply(tid: tid, row: row, waitPolicy: waitPolicy, recheck: { try recheck?.isSatisfied($0, context) ?? true }) { tid, _ in
                try modification.heap.lockTuple(tid, xid: xid, snapshot: snapshot)
            }
            guard let locked else { continue }
            if try !consume(locked.row) { return false }
        }
        return true
    }
}
