// Engine's statement entry points: `prepare` binds and plans a statement against the catalog its
// transaction sees; `execute` runs a prepared plan with parameter values, pushing result rows to
// `emit` and returning the command tag.
//
// Invariants: transaction control, SET/SHOW, COPY and maintenance statements belong to the
// session layer and are refused here; every other statement is planned or run as DDL.
import Storage

extension Engine {
    public func prepare(_ statement: Statement, parameterTypes: [SQLType?], context: ExecutionContext) throws -> PreparedPlan {
        let catalog = catalog(for: context)
        let binder = Binder(catalog: catalog, context: context, parameterTypes: parameterTypes)
        let plan: StatementPlan
        var resultColumns: [ResultColumn]? = nil
        let tag: String
        switch statement {
        case .select(let query):
            let node = try binder.planQuery(query, parent: nil)
            plan = .query(node)
            resultColumns = node.columns.map(Engine.resultColumn)
            tag = "SELECT"
        case .insert(let insert):
            let p = try binder.planInsert(insert)
            plan = .insert(p)
            resultColumns = p.returning?.columns.map(Engine.resultColumn)
            tag = "INSERT"
        case .update(let update):
            let p = try binder.planUpdate(update)
            plan = .update(p)
            resultColumns = p.returning?.columns.map(Engine.resultColumn)
            tag = "UPDATE"
        case .delete(let delete):
            let p = try binder.planDelete(delete)
            plan = .delete(p)
            resultColumns = p.returning?.columns.map(Engine.resultColumn)
            tag = "DELETE"
        case .explain(let explain):
            let inner = try prepare(explain.statement, parameterTypes: parameterTypes, context: context)
            plan = .explain(inner.explanation)
            resultColumns = [ResultColumn(name: "QUERY PLAN", type: .text, tableOID: 0, columnNumber: 0)]
            tag = "EXPLAIN"
            return PreparedPlan(parameterTypes: inner.parameterTypes, resultColumns: resultColumns, commandTag: tag,
                                statement: statement, catalogVersion: catalog.version, plan: plan)
        case .createTable, .createIndex, .alterTable, .drop, .truncate, .createRole, .alterRole, .dropRole:
            plan = .utility(statement)
            tag = DDLExecutor.commandTag(statement)
        case .copy, .transaction, .set, .setTransaction, .reset, .show, .vacuum, .analyze, .checkpoint, .deallocate:
            throw SQLError(SQLError.internalError, "statement must be handled by the session, not the engine")
        }
        let types = binder.parameterTypes.map { type -> SQLType in
            guard let type, type.oid != SQLType.unknown.oid else { return .text }
            return type
        }
        return PreparedPlan(parameterTypes: types, resultColumns: resultColumns, commandTag: tag, statement: statement,
                            catalogVersion: catalog.version, plan: plan)
    }

    public func execute(_ prepared: PreparedPlan, parameters: [Value], context: ExecutionContext,
                        emit: ([Value]) throws -> Bool) throws -> StatementResult {
        var prepared = prepared
        var current = catalog(for: context)
        if current.version != prepared.catalogVersion {
            prepared = try prepare(prepared.statement, parameterTypes: prepared.parameterTypes, context: context)
            current = catalog(for: context)
        }
        let catalog = current
        guard parameters.count >= prepared.parameterTypes.count else {
            throw SQLError(SQLError.protocolViolation,
                           "bind message supplies \(parameters.count) parameters, but prepared statement requires \(prepared.parameterTypes.count)")
        }
        let evaluation = EvaluationContext(execution: context, parameters: parameters, catalog: catalog)
        do {
            switch prepared.plan {
            case .query(let node):
                var count = 0
                try node.run(evaluation) { row in
                    count += 1
                    return try emit(row)
                }
                return StatementResult(tag: "SELECT \(count)", rowCount: count)
            case .insert(let plan):
                let count = try DMLExecutor.insert(plan, evaluation, emit: emit)
                return StatementResult(tag: "INSERT 0 \(count)", rowCount: count)
            case .update(let plan):
                let count = try DMLExecutor.update(plan, evaluation, emit: emit)
                return StatementResult(tag: "UPDATE \(count)", rowCount: count)
            case .delete(let plan):
                let count = try DMLExecutor.delete(plan, evaluation, emit: emit)
                return StatementResult(tag: "DELETE \(count)", rowCount: count)
            case .explain(let lines):
                for line in lines where try !emit([.text(line)]) { break }
                return StatementResult(tag: "EXPLAIN", rowCount: lines.count)
            case .utility(let statement):
                let tag = try DDLExecutor(engine: self, context: context, catalog: catalog).execute(statement)
                return StatementResult(tag: tag, rowCount: 0)
            }
        } catch let error as StorageError {
            throw RowModification.translate(error, context)
        }
    }

    static func resultColumn(_ column: PlanColumn) -> ResultColumn {
        ResultColumn(name: column.name, type: column.type, tableOID: column.tableOID, columnNumber: column.columnNumber)
    }
}
