// GenerateSeriesNode: generate_series(start, stop [, step]) in FROM, over integers (int4 or int8)
// or numeric-free bigint steps; one column named after the FROM alias. The bounds are computed
// once per run (they may read parameters or, under LATERAL, the outer row).

final class GenerateSeriesNode: PlanNode, @unchecked Sendable {
    let start: BoundExpression
    let stop: BoundExpression
    let step: BoundExpression?
    let columns: [PlanColumn]
    var children: [PlanNode] { [] }
    var explainLine: String { "Function Scan on generate_series" }

    init(start: BoundExpression, stop: BoundExpression, step: BoundExpression?, column: PlanColumn) {
        self.start = start
        self.stop = stop
        self.step = step
        self.columns = [column]
    }

    func run(_ context: EvaluationContext, _ consume: (Row) throws -> Bool) throws -> Bool {
        let first = try start.evaluate([], context), last = try stop.evaluate([], context)
        let increment = try step?.evaluate([], context) ?? .int8(1)
        guard let a = first.integerValue, let b = last.integerValue, let s = increment.integerValue else { return true }
        if s == 0 { throw SQLError(SQLError.invalidParameterValue, "step size cannot equal zero") }
        let isInt4 = columns[0].type.oid == SQLType.int4.oid
        var current = a
        while s > 0 ? current <= b : current >= b {
            try context.checkInterrupts()
            let value: Value = isInt4 ? .int4(Int32(truncatingIfNeeded: current)) : .int8(current)
            if try !consume([value]) { return false }
            let (next, overflow) = current.addingReportingOverflow(s)
            if overflow { break }
            current = next
        }
        return true
    }
}
