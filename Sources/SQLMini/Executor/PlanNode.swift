// PlanNode: one operator of an executable plan. Execution is push-based: `run` produces the
// node's rows one at a time into `consume`, which returns false to stop early (LIMIT, EXISTS,
// a client that has enough). A node keeps no state between runs, so a prepared plan can run
// many times, and a correlated subquery or the inner side of a nested loop simply runs again.
//
// Invariants: every row a node produces has exactly `columns.count` values, in that order;
// `run` returns false when it stopped because `consume` asked it to.

/// The description of one output column of a plan node.
struct PlanColumn: Sendable {
    var name: String
    var type: SQLType
    /// The table and column it comes from, for RowDescription (0 when computed).
    var tableOID: UInt32 = 0
    var columnNumber: Int16 = 0
}

typealias Row = [Value]

protocol PlanNode: AnyObject, Sendable {
    var columns: [PlanColumn] { get }
    /// Pushes every row into `consume`; returns false if `consume` stopped it.
    @discardableResult
    func run(_ context: EvaluationContext, _ consume: (Row) throws -> Bool) throws -> Bool
    /// One line for EXPLAIN (children are listed by `children`).
    var explainLine: String { get }
    var children: [PlanNode] { get }
}

/// A node whose expressions may hold subqueries, shown as SubPlans by EXPLAIN.
protocol ExpressionHolder {
    var heldExpressions: [BoundExpression] { get }
}

extension PlanNode {
    /// The plan as indented lines, like EXPLAIN without costs.
    func explain(depth: Int = 0) -> [String] {
        let prefix = depth == 0 ? "" : String(repeating: "  ", count: depth - 1) + "->  "
        var lines = [prefix + explainLine]
        for child in children { lines += child.explain(depth: depth + 1) }
        if let holder = self as? ExpressionHolder {
            for plan in holder.heldExpressions.flatMap(\.subqueryPlans) {
                lines.append(String(repeating: "  ", count: depth + 1) + "SubPlan")
                lines += plan.explain(depth: depth + 2)
            }
        }
        return lines
    }

    /// Runs the node and collects all its rows.
    func collect(_ context: EvaluationContext) throws -> [Row] {
        var rows: [Row] = []
        try run(context) { rows.append($0); return true }
        return rows
    }
}
