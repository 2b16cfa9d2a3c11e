// HashJoinNode: an equi-join. Builds a hash table of the right input keyed by its join keys,
// then probes it with each left row's keys; pairs also pass the residual condition. LEFT/FULL
// JOIN keep unmatched left rows padded with NULLs; RIGHT/FULL JOIN produce the right rows nobody
// matched at the end. A NULL key never matches (SQL `=`).
//
// Invariants: the planner only pairs keys whose values hash alike when equal (integers of any
// width, text-like types of one kind, or identical types).

final class HashJoinNode: PlanNode, @unchecked Sendable {
    let left: PlanNode
    let right: PlanNode
    let kind: JoinKind
    let leftKeys: [BoundExpression]
    let rightKeys: [BoundExpression]
    let residual: BoundExpression?
    let columns: [PlanColumn]
    var children: [PlanNode] { [left, right] }
    var explainLine: String { "Hash\(kind == .inner ? "" : " \(kind.rawValue)") Join" }

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
        var rightRows: [Row] = []
        var table: [GroupKey: [Int]] = [:]
        try right.run(context) { row in
            let key = try rightKeys.map { try $0.evaluate(row, context) }
            rightRows.append(row)
            if !key.contains(where: \.isNull) { table[GroupKey(key), default: []].append(rightRows.count - 1) }
            return true
        }
        var rightMatched = Array(repeating: false, count: rightRows.count)
        let leftWidth = left.columns.count, rightWidth = right.columns.count
        let finished = try left.run(context) { leftRow in
            var matched = false
            let key = try leftKeys.map { try $0.evaluate(leftRow, context) }
            if !key.contains(where: \.isNull), let partners = table[GroupKey(key)] {
                for index in partners {
                    let combined = leftRow + rightRows[index]
                    if let residual, try !residual.isSatisfied(combined, context) { continue }
                    matched = true
                    rightMatched[index] = true
                    if try !consume(combined) { return false }
                }
            }
            if !matched && kind.keepsUnmatchedLeft {
                return try consume(leftRow + Row(repeating: .null, count: rightWidth))
            }
            return true
        }
        guard finished else { return false }
        if kind.keepsUnmatchedRight {
            for (i, rightRow) in rightRows.enumerated() where !rightMatched[i] {
                if try !consume(Row(repeating: .null, count: leftWidth) + rightRow) { return false }
            }
        }
        return true
    }
}
