// FilterNode: passes on the rows for which the predicate is TRUE (NULL and FALSE drop the row).

final class FilterNode: PlanNode, @unchecked Sendable {
    let child: PlanNode
    let predicate: BoundExpression
    var columns: [PlanColumn] { child.columns }
    var children: [PlanNode] { [child] }
    var explainLine: String { "Filter" }

    init(child: PlanNode, predicate: BoundExpression) {
        self.child = child
        self.predicate = predicate
    }

    func run(_ context: EvaluationContext, _ consume: (Row) throws -> Bool) throws -> Bool {
        try child.run(context) { row in
            try predicate.isSatisfied(row, context) ? try consume(row) : true
        }
    }
}

extension FilterNode: ExpressionHolder {
    var heldExpressions: [BoundExpression] { [predicate] }
}
