// SetOperationNode: INTERSECT [ALL] and EXCEPT [ALL]. Counts the right input's rows, then walks
// the left input in order: INTERSECT keeps left rows also on the right (ALL: as many times as
// both sides have them), EXCEPT keeps left rows not on the right (ALL: the surplus). Rows compare
// as DISTINCT compares them (NULLs equal).

final class SetOperationNode: PlanNode, @unchecked Sendable {
    enum Operation: String, Sendable { case intersect = "Intersect", except = "Except" }
    let left: PlanNode
    let right: PlanNode
    let operation: Operation
    let all: Bool
    let columns: [PlanColumn]
    var children: [PlanNode] { [left, right] }
    var explainLine: String { "SetOp \(operation.rawValue)\(all ? " All" : "")" }

    init(left: PlanNode, right: PlanNode, operation: Operation, all: Bool, columns: [PlanColumn]) {
        self.left = left
        self.right = right
        self.operation = operation
        self.all = all
        self.columns = columns
    }

    func run(_ context: EvaluationContext, _ consume: (Row) throws -> Bool) throws -> Bool {
        var counts: [GroupKey: Int] = [:]
        try right.run(context) { row in
            counts[GroupKey(row), default: 0] += 1
            return true
        }
        var emitted = Set<GroupKey>()
        return try left.run(context) { row in
            let key = GroupKey(row)
            let onRight = counts[key] ?? 0
            let keep: Bool
            switch (operation, all) {
            case (.intersect, true):
                keep = onRight > 0
                if keep { counts[key] = onRight - 1 }
            case (.intersect, false):
                keep = onRight > 0 && emitted.insert(key).inserted
            case (.except, true):
                keep = onRight == 0
                if !keep { counts[key] = onRight - 1 }
            case (.except, false):
                keep = onRight == 0 && emitted.insert(key).inserted
            }
            return keep ? try consume(row) : true
        }
    }
}
