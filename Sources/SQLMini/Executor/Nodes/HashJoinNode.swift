// HashJoinNode: an equi-join. Builds a hash table of the right input keyed by its join keys,
// then probes it with each left row's keys; pairs also pass the residual condition. LEFT JOIN
// keeps unmatched left rows padded with NULLs. A NULL key never matches (SQL `=`).
//
// Invariants: the planner only pairs keys whose values hash alike when equal (integers of any
// width, text-like types of one kind, or identical types).

import Storage

final class HashJoinNode: PlanNode, @unchecked Sendable {
    let left: PlanNode
    let right: PlanNode
    let kind: JoinKind
    let leftKeys: [BoundExpression]
    let rightKeys: [BoundExpression]
    let residual: BoundExpression?
    let columns: [PlanColumn]
    var children: [PlanNode] { [left, right] }
    var explainLine: String { "Hash\(kind == .left ? " Left" : "") Join" }

    init(left: PlanNode, right: PlanNode, kind: JoinKind, leftKeys: [BoundExpression], rightKeys: [BoundExpression],
         residual: BoundExpression?) {
        self.left = left
        self.right = right
        self.kind = kind
        self.leftKeys = leftKeys
        self.rightKeys = rightKeys
        self.residual = residual
        self.columns = left.columns + right.columns
    }

    func run(_ context: EvaluationContext, _ consume: (Row) throws -> Bool) throws -> Bool {
        var table: [GroupKey: [Row]] = [:]
        try right.run(context) { row in
            let key = try rightKeys.map { try $0.evaluate(row, context) }
            if key.contains(where: \.isNull) { return true }
            table[GroupKey(key), default: []].append(row)
            return true
        }
        let rightWidth = right.columns.count
        return try left.run(context) { leftRow in
            var matched = false
            let key = try leftKeys.map { try $0.evaluate(leftRow, context) }
            if !key.contains(where: \.isNull), let partners = table[GroupKey(key)] {
                for rightRow in partners {
                    let combined = leftRow + rightRow
                    if let residual, try !residual.isSatisfied(combined, context) { continue }
                    matched = true
                    if try !consume(combined) { return false }
                }
            }
            if !matched && kind == .left {
                return try consume(leftRow + Row(repeating: .null, count: rightWidth))
            }
            return true
        }
    }
}
