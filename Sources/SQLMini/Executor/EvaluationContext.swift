// EvaluationContext: the state of one execution of a plan — the statement's ExecutionContext
// (transaction, snapshot, session), its parameter values, the rows of enclosing query levels for
// correlated subqueries and lateral joins, and caches valid for this execution only.
//
// Invariants: `outerRows` grows by one row when a subquery or lateral side starts and shrinks
// back when it ends; cached subquery results are only those of uncorrelated subqueries.

final class EvaluationContext {
    let execution: ExecutionContext
    let parameters: [Value]
    let catalog: Catalog
    var outerRows: [Row] = []
    var subqueryCache: [ObjectIdentifier: [Row]] = [:]
    /// How many rows the scans have produced since the last interrupt check.
    private var rowsSinceCheck = 0
    private static let rowsBetweenInterruptChecks = 1024

    /// Functions whose result changes within one statement (never precomputed).
    static let volatileFunctions: Set<String> = ["nextval", "setval", "random", "clock_timestamp", "gen_random_uuid"]

    init(execution: ExecutionContext, parameters: [Value], catalog: Catalog) {
        self.execution = execution
        self.parameters = parameters
        self.catalog = catalog
    }

    var engine: Engine { execution.engine }

    /// What built-in functions read: the session's, or a stand-alone one outside a session.
    lazy var functionContext: FunctionContext = execution.functionContext
        ?? StandaloneFunctionContext(execution: execution, catalog: catalog)

    /// Called by scans for every row: honours cancel requests and statement_timeout cheaply.
    @inline(__always)
    func checkInterrupts() throws {
        rowsSinceCheck += 1
        if rowsSinceCheck >= Self.rowsBetweenInterruptChecks {
            rowsSinceCheck = 0
            try execution.checkInterrupts()
        }
    }

    func outerValue(depth: Int, index: Int) throws -> Value {
        let level = outerRows.count - depth
        guard level >= 0, level < outerRows.count, index < outerRows[level].count else {
            throw SQLError(SQLError.internalError, "outer reference out of range")
        }
        return outerRows[level][index]
    }

    /// Runs `body` with `row` pushed as the nearest enclosing row.
    @discardableResult
    func withOuterRow<T>(_ row: Row, _ body: () throws -> T) rethrows -> T {
        outerRows.append(row)
        defer { outerRows.removeLast() }
        return try body()
    }
}
