// SortNode: ORDER BY — collects every input row, sorts them stably by the keys (each a column of
// the input, ascending or descending, NULLs first or last), then produces them.

struct SortKey: Sendable {
    var column: Int
    var descending: Bool
    var nullsFirst: Bool
    /// character(n) compares without trailing blanks.
    var blankPadded: Bool
}

final class SortNode: PlanNode, @unchecked Sendable {
    let child: PlanNode
    let keys: [SortKey]
    var columns: [PlanColumn] { child.columns }
    var children: [PlanNode] { [child] }
    var explainLine: String { "Sort (\(keys.map { "column \($0.column + 1)\($0.descending ? " DESC" : "")" }.joined(separator: ", ")))" }

    init(child: PlanNode, keys: [SortKey]) {
        self.child = child
        self.keys = keys
    }

    /// The order of two rows under `keys`: negative when `a` comes first.
    static func compare(_ a: Row, _ b: Row, _ keys: [SortKey]) -> Int {
        for key in keys {
            let x = a[key.column], y = b[key.column]
            let order: Int
            switch (x.isNull, y.isNull) {
            case (true, true): order = 0
            case (true, false): order = key.nullsFirst ? -1 : 1
            case (false, true): order = key.nullsFirst ? 1 : -1
            case (false, false):
                let c = Value.compare(x, y, ignoringTrailingSpaces: key.blankPadded)
                order = key.descending ? -c : c
            }
            if order != 0 { return order }
        }
        return 0
    }

    func run(_ context: EvaluationContext, _ consume: (Row) throws -> Bool) throws -> Bool {
        var rows = try child.collect(context)
        let keys = self.keys
        // Stable: equal rows keep their input order (indices break ties).
        var indexed = Array(rows.enumerated())
        indexed.sort { lhs, rhs in
            let c = SortNode.compare(lhs.element, rhs.element, keys)
            return c != 0 ? c < 0 : lhs.offset < rhs.offset
        }
        rows = indexed.map(\.element)
        for row in rows where try !consume(row) { return false }
        return true
    }
}
