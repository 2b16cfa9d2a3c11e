// DistinctNode: SELECT DISTINCT and UNION (without ALL) — passes on the first occurrence of each
// distinct row (NULLs equal to each other, as DISTINCT treats them), keeping input order. With
// key columns it is DISTINCT ON: the first row (in the sorted input) of each distinct key.

final class DistinctNode: PlanNode, @unchecked Sendable {
    let child: PlanNode
    /// DISTINCT ON's key columns; nil compares whole rows.
    let keyColumns: [Int]?
    var columns: [PlanColumn] { child.columns }
    var children: [PlanNode] { [child] }
    var explainLine: String { keyColumns == nil ? "HashAggregate (distinct)" : "Unique (distinct on)" }

    init(child: PlanNode, keyColumns: [Int]? = nil) {
        self.child = child
        self.keyColumns = keyColumns
    }

    func run(_ context: EvaluationContext, _ consume: (Row) throws -> Bool) throws -> Bool {
        var seen = Set<GroupKey>()
        return try child.run(context) { row in
            let key = keyColumns.map { columns in GroupKey(columns.map { row[$0] }) } ?? GroupKey(row)
            return seen.insert(key).inserted ? try consume(row) : true
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
