// AppendNode: UNION ALL — the rows of each child in turn.

final class AppendNode: PlanNode, @unchecked Sendable {
    let inputs: [PlanNode]
    let columns: [PlanColumn]
    var children: [PlanNode] { inputs }
    var explainLine: String { "Append" }

    init(inputs: [PlanNode], columns: [PlanColumn]) {
        self.inputs = inputs
        self.columns = columns
    }

    func run(_ context: EvaluationContext, _ consume: (Row) throws -> Bool) throws -> Bool {
        for input in inputs where try !input.run(context, consume) { return false }
        return true
    }
}
