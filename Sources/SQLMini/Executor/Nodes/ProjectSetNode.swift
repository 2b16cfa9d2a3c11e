// ProjectSetNode: evaluates the select list's set-returning calls for each input row (PostgreSQL's
// ProjectSet). It emits [input row..., one value per call] as many times as the longest call has
// rows; a call that ran out gives NULL, and an input row for which every call is empty gives no
// row at all (`SELECT generate_series(1, 0)` returns nothing).

final class ProjectSetNode: PlanNode, @unchecked Sendable {
    let child: PlanNode
    let calls: [SetFunctionCollector.Call]
    let columns: [PlanColumn]
    var children: [PlanNode] { [child] }
    var explainLine: String { "ProjectSet" }

    init(child: PlanNode, calls: [SetFunctionCollector.Call]) {
        self.child = child
        self.calls = calls
        self.columns = child.columns + calls.map { PlanColumn(name: $0.function.name, type: $0.function.columnType) }
    }

    func run(_ context: EvaluationContext, _ consume: (Row) throws -> Bool) throws -> Bool {
        try child.run(context) { row in
            var next: [(() throws -> Value?)?] = []
            for call in calls {
                let arguments = try call.arguments.map { try $0.evaluate(row, context) }
                next.append(try call.function.start(arguments))
            }
            while true {
                try context.checkInterrupts()
                var output = row
                var anyValue = false
                for i in next.indices {
                    if let produce = next[i], let value = try produce() {
                        output.append(value)
                        anyValue = true
                    } else {
                        next[i] = nil
                        output.append(.null)
                    }
                }
                if !anyValue { return true }
                if try !consume(output) { return false }
            }
        }
    }
}
