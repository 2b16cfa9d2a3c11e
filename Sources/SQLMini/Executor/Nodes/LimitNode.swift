// LimitNode: LIMIT / OFFSET. Both are evaluated once per run (they may be parameters); a negative
// value is an error as in PostgreSQL, NULL means no limit / no offset.

final class LimitNode: PlanNode, @unchecked Sendable {
    let child: PlanNode
    let limit: BoundExpression?
    let offset: BoundExpression?
    var columns: [PlanColumn] { child.columns }
    var children: [PlanNode] { [child] }
    var explainLine: String { "Limit" }

    init(child: PlanNode, limit: BoundExpression?, offset: BoundExpression?) {
        self.child = child
        self.limit = limit
        self.offset = offset
    }

    private func count(_ expression: BoundExpression?, _ context: EvaluationContext, what: String) throws -> Int64? {
        guard let expression else { return nil }
        let value = try expression.evaluate([], context)
        if value.isNull { return nil }
        guard let n = value.integerValue else { return nil }
        if n < 0 {
            throw SQLError(what == "LIMIT" ? "2201W" : "2201X", "\(what) must not be negative")
        }
        return n
    }

    func run(_ context: EvaluationContext, _ consume: (Row) throws -> Bool) throws -> Bool {
        let maximum = try count(limit, context, what: "LIMIT")
        var toSkip = try count(offset, context, what: "OFFSET") ?? 0
        if maximum == 0 { return true }
        var produced: Int64 = 0
        var stoppedByConsumer = false
        try child.run(context) { row in
            if toSkip > 0 { toSkip -= 1; return true }
            if try !consume(row) { stoppedByConsumer = true; return false }
            produced += 1
            if let maximum, produced >= maximum { return false }
            return true
        }
        return !stoppedByConsumer
    }
}
