// AccessPath: choosing how to read a table — a B-tree index when the predicate has equalities on
// the index's leading columns (and optionally a range on the next one), else a sequential scan.
// The same matching serves index nested-loop joins, where the key values come from the outer row.
//
// Invariants: an index is used only when each key value's type encodes like the column's (all
// integer and oid types share one key encoding; others must be the same type), so the bytes
// compared in the tree order values as SQL does. The predicate is always re-checked on each row
// fetched, so the bounds may be looser than the predicate but never tighter.

struct IndexMatch {
    var index: CatalogIndex
    var bounds: IndexKeyBounds
    var score: Int { bounds.equalities.count * 2 + (bounds.lower != nil || bounds.upper != nil ? 1 : 0) }
}

enum AccessPath {
    private static let integerLike: Set<UInt32> = [21, 23, 20, 26, 24, 2205, 2206, 4089, 4096]

    static func keyCompatible(_ value: SQLType, column: SQLType) -> Bool {
        if integerLike.contains(value.oid) && integerLike.contains(column.oid) { return true }
        return value.oid == column.oid
    }

    /// One comparison of a column with a key expression, as `column op key`.
    private struct Comparison {
        var column: Int
        var op: String
        var key: BoundExpression
    }

    private static func flipped(_ op: String) -> String {
        switch op {
        case "<": return ">"
        case "<=": return ">="
        case ">": return "<"
        case ">=": return "<="
        default: return op
        }
    }

    /// `col op key` or `key op col` where `isKey` accepts `key` (row-independent for scans,
    /// reading only the outer side for joins) and `columnOf` maps a column to the table's.
    private static func comparisons(_ conjuncts: [BoundExpression], columnOf: (Int) -> Int?,
                                    isKey: (BoundExpression) -> Bool) -> [Comparison] {
        var result: [Comparison] = []
        for conjunct in conjuncts {
            guard case .call(let op, let args, _, _, _) = conjunct, args.count == 2,
                  ["=", "<", "<=", ">", ">="].contains(op) else { continue }
            if let i = args[0].columnIndex, let column = columnOf(i), isKey(args[1]) {
                result.append(Comparison(column: column, op: op, key: args[1]))
            } else if let i = args[1].columnIndex, let column = columnOf(i), isKey(args[0]) {
                result.append(Comparison(column: column, op: flipped(op), key: args[0]))
            }
        }
        return result
    }

    /// The best index of `table` for `conjuncts` (nil when none helps).
    /// - columnOf: the table column position (0-based) a conjunct column index stands for.
    static func bestIndex(table: CatalogRelation, indexes: [CatalogIndex], conjuncts: [BoundExpression],
                          columnOf: (Int) -> Int?, isKey: (BoundExpression) -> Bool, equalitiesOnly: Bool = false) -> IndexMatch? {
        let found = comparisons(conjuncts, columnOf: columnOf, isKey: isKey)
        guard !found.isEmpty else { return nil }
        var best: IndexMatch? = nil
        for index in indexes {
            var bounds = IndexKeyBounds(equalities: [], lower: nil, upper: nil)
            for number in index.columnNumbers {
                let position = Int(number) - 1
                guard position >= 0, position < table.columns.count else { break }
                let columnType = table.columns[position].type
                let usable = found.filter { $0.column == position && keyCompatible($0.key.type, column: columnType) }
                if let equality = usable.first(where: { $0.op == "=" }) {
                    bounds.equalities.append(equality.key)
                    continue
                }
                if !equalitiesOnly {
                    if let lower = usable.first(where: { $0.op == ">" || $0.op == ">=" }) {
                        bounds.lower = (lower.key, lower.op == ">=")
                    }
                    if let upper = usable.first(where: { $0.op == "<" || $0.op == "<=" }) {
                        bounds.upper = (upper.key, upper.op == "<=")
                    }
                }
                break
            }
            guard !bounds.isEmpty else { continue }
            let match = IndexMatch(index: index, bounds: bounds)
            if best == nil || match.score > (best?.score ?? 0) { best = match }
        }
        return best
    }
}
