// ValuesNode: `VALUES (...), (...)` — each row's expressions evaluated in turn (they may read
// parameters and enclosing rows, never a current row).

final class ValuesNode: PlanNode, @unchecked Sendable {
    let rows: [[BoundExpression]]
    let columns: [PlanColumn]
    var children: [PlanNode] { [] }
    var explainLine: String { "Values Scan (\(rows.count) rows)" }

    init(rows: [[BoundExpression]], columns: [PlanColumn]) {
        self.rows = rows
        self.columns = columns
    }

    func run(_ context: EvaluationContext, _ consume: (Row) throws -> Bool) throws -> Bool {
        for expressions in rows {
            let row = try expressions.map { try $0.evaluate([], context) }
            if try !consume(row) { return false }
        }
        return true
    }
}
