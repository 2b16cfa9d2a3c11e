// NestedLoopJoinNode: for each row of the left input, runs the right input again and joins the
// pairs satisfying the condition (inner); LEFT JOIN also keeps left rows without a partner,
// padded with NULLs; RIGHT and FULL JOIN also produce the right rows nobody matched, at the end.
// A LATERAL right side sees the left row as its nearest outer row.
//
// Invariants: output rows are left columns followed by right columns; the condition is evaluated
// on that combined row; an uncorrelated right side is computed once per run.

enum JoinKind: String, Sendable {
    case inner = "Inner", left = "Left", right = "Right", full = "Full"

    var keepsUnmatchedLeft: Bool { self == .left || self == .full }
    var keepsUnmatchedRight: Bool { self == .right || self == .full }
    var explainWord: String { self == .inner ? "" : " \(rawValue) Join" }
}

final class NestedLoopJoinNode: PlanNode, @unchecked Sendable {
    let left: PlanNode
    let right: PlanNode
    let kind: JoinKind
    let condition: BoundExpression?
    /// For LATERAL: where the left row sits in the row the right side's outer references read.
    let lateralOffset: Int?
    let columns: [PlanColumn]
    var children: [PlanNode] { [left, right] }
    var explainLine: String { "Nested Loop\(kind.explainWord)\(lateralOffset != nil ? " (lateral)" : "")" }

    init(left: PlanNode, right: PlanNode, kind: JoinKind, condition: BoundExpression?, lateralOffset: Int?) {
        self.left = left
        self.right = right
        self.kind = kind
        self.condition = condition
        self.lateralOffset = lateralOffset
        self.columns = left.columns + right.columns
    }

    func run(_ context: EvaluationContext, _ consume: (Row) throws -> Bool) throws -> Bool {
        let leftWidth = left.columns.count
        let rightWidth = right.columns.count
        let cachedRight: [Row]? = lateralOffset == nil ? try right.collect(context) : nil
        var rightMatched = Array(repeating: false, count: cachedRight?.count ?? 0)
        let finished = try left.run(context) { leftRow in
            var matched = false
            var stopped = false
            func visit(_ rightRow: Row, _ index: Int?) throws -> Bool {
                let combined = leftRow + rightRow
                if let condition = self.condition, try !condition.isSatisfied(combined, context) { return true }
                matched = true
                if let index { rightMatched[index] = true }
                if try !consume(combined) { stopped = true; return false }
                return true
            }
            if let cachedRight {
                for (i, rightRow) in cachedRight.enumerated() where try !visit(rightRow, i) { break }
            } else if let offset = lateralOffset {
                let outer = Row(repeating: .null, count: offset) + leftRow
                try context.withOuterRow(outer) { _ = try right.run(context) { try visit($0, nil) } }
            }
            if stopped { return false }
            if !matched && kind.keepsUnmatchedLeft {
                return try consume(leftRow + Row(repeating: .null, count: rightWidth))
            }
            return true
        }
        guard finished else { return false }
        if kind.keepsUnmatchedRight, let cachedRight {
            for (i, rightRow) in cachedRight.enumerated() where !rightMatched[i] {
                if try !consume(Row(repeating: .null, count: leftWidth) + rightRow) { return false }
            }
        }
        return true
    }
}
