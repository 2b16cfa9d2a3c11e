// ProjectNode: computes the output expressions of each input row (the select list, RETURNING,
// or a reordering of columns).

final class ProjectNode: PlanNode, @unchecked Sendable {
    let child: PlanNode
    let expressions: [BoundExpression]
    let columns: [PlanColumn]
    var children: [PlanNode] { [child] }
    var explainLine: String { "Project (\(columns.map(\.name).joined(separator: ", ")))" }

    init(child: PlanNode, expressions: [BoundExpression], columns: [PlanColumn]) {
        self.child = child
        self.expressions = expressions
        self.columns = columns
    }

    func run(_ context: EvaluationContext, _ consume: (Row) throws -> Bool) throws -> Bool {
        try child.run(context) { row in
            var output: Row = []
            output.reserveCapacity(expressions.count)
            for expression in expressions { output.append(try expression.evaluate(row, context)) }
            return try consume(output)
        }
    }
}

extension ProjectNode: ExpressionHolder {
    var heldExpressions: [BoundExpression] { expressions }
}
