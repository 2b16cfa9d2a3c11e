// DistinctNode: SELECT DISTINCT and UNION (without ALL) — passes on the first occurrence of each
// distinct row (NULLs equal to each other, as DISTINCT treats them), keeping input order.

import Storage

final class DistinctNode: PlanNode, @unchecked Sendable {
    let child: PlanNode
    var columns: [PlanColumn] { child.columns }
    var children: [PlanNode] { [child] }
    var explainLine: String { "HashAggregate (distinct)" }

    init(child: PlanNode) { self.child = child }

    func run(_ context: EvaluationContext, _ consume: (Row) throws -> Bool) throws -> Bool {
        var seen = Set<GroupKey>()
        return try child.run(context) { row in
            seen.insert(GroupKey(row)).inserted ? try consume(row) : true
        }
    }
}

/// Values compared as GROUP BY / DISTINCT compare them: NULL equals NULL, numbers by value,
/// character(n) without trailing blanks.
struct GroupKey: Hashable {
    let values: [Value]

    init(_ values: [Value]) { self.values = values.map(GroupKey.normalized) }

    private static func normalized(_ value: Value) -> Value {
        switch value {
        case .int2(let v): return .int8(Int64(v))
        case .int4(let v): return .int8(Int64(v))
        default: return value
        }
    }
}
