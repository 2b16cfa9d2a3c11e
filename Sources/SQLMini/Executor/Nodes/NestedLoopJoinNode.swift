// NestedLoopJoinNode: for each row of the left input, runs the right input again and joins the
// pairs satisfying the condition (inner), or also keeps left rows without a partner, padded with
// NULLs (LEFT JOIN). A LATERAL right side sees the left row as its nearest outer row.
//
// Invariants: output rows are left columns followed by right columns; the condition is evaluated
// on that combined row.

import Storage

enum JoinKind: String, Sendable { case inner = "Inner", left = "Left" }

final class NestedLoopJoinNode: PlanNode, @unchecked Sendable {
    let left: PlanNode
    let right: PlanNode
    let kind: JoinKind
    let condition: BoundExpression?
    /// For LATERAL: where the left row sits in the row the right side's outer references read.
    let lateralOffset: Int?
    let columns: [PlanColumn]
    var children: [PlanNode] { [left, right] }
    var explainLine: String { "Nested Loop\(kind == .left ? " Left Join" : "")\(lateralOffset != nil ? " (lateral)" : "")" }

    init(left: PlanNode, right: PlanNode, kind: JoinKind, condition: BoundExpression?, lateralOffset: Int?) {
        self.left = left
        self.right = right
        self.kind = kind
        self.condition = condition
        self.lateralOffset = lateralOffset
        self.columns = left.columns + right.columns
    }

    func run(_ context: EvaluationContext, _ consume: (Row) throws -> Bool) throws -> Bool {
        let rightWidth = right.columns.count
        // An uncorrelated right side is computed once.
        let cachedRight: [Row]? = lateralOffset == nil ? try right.collect(context) : nil
        return try left.run(context) { leftRow in
            var matched = false
            var stopped = false
            func visit(_ rightRow: Row) throws -> Bool {
                let combined = leftRow + rightRow
                if let condition = self.condition, try !condition.isSatisfied(combined, context) { return true }
                matched = true
                if try !consume(combined) { stopped = true; return false }
                return true
            }
            if let cachedRight {
                for rightRow in cachedRight where try !visit(rightRow) { break }
            } else if let offset = lateralOffset {
                let outer = Row(repeating: .null, count: offset) + leftRow
                try context.withOuterRow(outer) { _ = try right.run(context, visit) }
            }
            if stopped { return false }
            if !matched && kind == .left {
                return try consume(leftRow + Row(repeating: .null, count: rightWidth))
            }
            return true
        }
    }
}
