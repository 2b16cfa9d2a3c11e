// ResultNode: the FROM-less source of `SELECT 1` — exactly one row with no columns.

final class ResultNode: PlanNode, @unchecked Sendable {
    var columns: [PlanColumn] { [] }
    var children: [PlanNode] { [] }
    var explainLine: String { "Result" }

    func run(_ context: EvaluationContext, _ consume: (Row) throws -> Bool) throws -> Bool {
        try consume([])
    }
}
