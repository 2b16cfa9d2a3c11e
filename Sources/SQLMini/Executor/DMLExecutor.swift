// DMLExecutor: runs INSERT, UPDATE and DELETE plans. The rows to change are collected first and
// changed afterwards, so a statement never sees its own changes (`INSERT INTO t SELECT * FROM t`
// ends) and no page lock is held while another page is written. Each new tuple version gets its
// index entries; RETURNING rows are produced as the rows are changed.
//
// Invariants: all changes carry the transaction's xid and the statement's command id; NOT NULL is
// checked before the heap is touched; a unique violation or any other error leaves the work done
// so far to be undone by the transaction's abort.
import Storage

enum DMLExecutor {
    static func insert(_ plan: InsertPlan, _ context: EvaluationContext, emit: (Row) throws -> Bool) throws -> Int {
        let xid = try context.execution.writableTransaction(for: "INSERT")
        let rows = try plan.source.collect(context)
        let table = plan.table
        let heap = context.engine.storage.heap(RelationID(table.fileNode))
        let indexes = IndexMaintenance(context: context, table: table, xid: xid)
        let types = table.columns.map(\.type)
        let command = context.execution.commandID
        var emitting = true
        for row in rows {
            try context.checkInterrupts()
            try ConstraintChecks.checkNotNull(row, table, context)
            let tid = try storing { try heap.insert(try RowCodec.encode(row, types: types), xid: xid, command: command) }
            try indexes.insertEntries(row, at: tid)
            if emitting, let returning = plan.returning {
                emitting = try emit(try returning.expressions.map { try $0.evaluate(row, context) })
            }
        }
        return rows.count
    }

    static func update(_ plan: UpdatePlan, _ context: EvaluationContext, emit: (Row) throws -> Bool) throws -> Int {
        let xid = try context.execution.writableTransaction(for: "UPDATE")
        let targets = try plan.source.collect(context)
        let table = plan.table
        let width = table.columns.count
        let modification = RowModification(context: context, table: table, xid: xid)
        let indexes = IndexMaintenance(context: context, table: table, xid: xid)
        let types = table.columns.map(\.type)
        let command = context.execution.commandID
        let snapshot = context.execution.snapshot
        var count = 0
        var emitting = true
        for source in targets {
            try context.checkInterrupts()
            guard let tid = TableColumns.tupleID(source[width]) else { continue }
            var written: Row = []
            var replaced: Row = []
            var changed = source
            let done = try modification.apply(tid: tid, row: Array(source[0..<width]), recheck: { version in
                try plan.recheck?.isSatisfied(replacing(source, width, with: version), context) ?? true
            }) { tid, current in
                replaced = current
                changed = replacing(source, width, with: current)
                written = try plan.newRow.map { try $0.evaluate(changed, context) }
                try ConstraintChecks.checkNotNull(written, table, context)
                let data = try RowCodec.encode(written, types: types)
                return try storing { try modification.heap.update(tid, newData: data, xid: xid, command: command, snapshot: snapshot) }
            }
            guard let done, let newVersion = done.newVersion else { continue }
            try indexes.insertEntries(written, at: newVersion, replacing: replaced)
            count += 1
            if emitting, let returning = plan.returning {
                let result = replacing(changed, width, with: written)
                emitting = try emit(try returning.expressions.map { try $0.evaluate(result, context) })
            }
        }
        return count
    }

    static func delete(_ plan: DeletePlan, _ context: EvaluationContext, emit: (Row) throws -> Bool) throws -> Int {
        let xid = try context.execution.writableTransaction(for: "DELETE")
        let targets = try plan.source.collect(context)
        let width = plan.table.columns.count
        let modification = RowModification(context: context, table: plan.table, xid: xid)
        let command = context.execution.commandID
        let snapshot = context.execution.snapshot
        var count = 0
        var emitting = true
        for source in targets {
            try context.checkInterrupts()
            guard let tid = TableColumns.tupleID(source[width]) else { continue }
            let done = try modification.apply(tid: tid, row: Array(source[0..<width]), recheck: { version in
                try plan.recheck?.isSatisfied(replacing(source, width, with: version), context) ?? true
            }) { tid, _ in
                try modification.heap.delete(tid, xid: xid, command: command, snapshot: snapshot)
            }
            guard let done else { continue }
            count += 1
            if emitting, let returning = plan.returning {
                let result = replacing(source, width, with: done.row)
                emitting = try emit(try returning.expressions.map { try $0.evaluate(result, context) })
            }
        }
        return count
    }

    /// A source row [table columns, ctid, joined columns] with other values for the table columns.
    private static func replacing(_ source: Row, _ width: Int, with tableRow: Row) -> Row {
        var row = source
        row.replaceSubrange(0..<width, with: tableRow)
        return row
    }

    /// Storage errors a write can meet, as SQL errors.
    static func storing<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as StorageError where error.kind == .rowTooBig {
            throw SQLError(SQLError.programLimitExceeded, error.message)
        }
    }
}
