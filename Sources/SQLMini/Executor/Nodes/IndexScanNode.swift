// IndexScanNode: finds a table's rows through a B-tree index. The bounds are equalities on the
// index's leading columns, optionally followed by a range on the next one; the key values are
// computed once per run (constants, parameters, or the outer row of a nested-loop join), encoded
// with the order-preserving key encoding, and the tree is walked from the lower bound until the
// upper one. Each entry's tuple is fetched through the snapshot (dead or invisible versions are
// skipped) and the whole WHERE predicate is checked again, so bounds only need to be a superset.
//
// Invariants: a NULL key value matches nothing (`col = NULL` is never true); the column types the
// keys are encoded with are the index columns' types, as when the entries were inserted.

import Storage

struct IndexKeyBounds: @unchecked Sendable {
    var equalities: [BoundExpression]
    var lower: (expression: BoundExpression, inclusive: Bool)?
    var upper: (expression: BoundExpression, inclusive: Bool)?

    var isEmpty: Bool { equalities.isEmpty && lower == nil && upper == nil }

    /// The byte range to walk, or nil when no row can match (a NULL key).
    func keyRange(_ row: Row, _ context: EvaluationContext, columnTypes: [SQLType]) throws
        -> (start: [UInt8], prefix: [UInt8], stopAfter: [UInt8]?)? {
        var prefix: [UInt8] = []
        for (i, expression) in equalities.enumerated() {
            let value = try expression.evaluate(row, context)
            if value.isNull { return nil }
            try KeyEncoding.append(value, type: columnTypes[i], to: &prefix)
        }
        var start = prefix
        var stopAfter: [UInt8]? = nil
        let rangeType = equalities.count < columnTypes.count ? columnTypes[equalities.count] : nil
        if let lower, let rangeType {
            let value = try lower.expression.evaluate(row, context)
            if value.isNull { return nil }
            try KeyEncoding.append(value, type: rangeType, to: &start)
        }
        if let upper, let rangeType {
            let value = try upper.expression.evaluate(row, context)
            if value.isNull { return nil }
            var key = prefix
            try KeyEncoding.append(value, type: rangeType, to: &key)
            stopAfter = key
        }
        return (start, prefix, stopAfter)
    }
}

/// Walks `index` over the range of `bounds`, calling `body` with each entry's tuple id.
func walkIndex(_ index: BTreeIndex, _ range: (start: [UInt8], prefix: [UInt8], stopAfter: [UInt8]?),
               _ body: (TupleID) throws -> Bool) throws -> Bool {
    var stopped = false
    let lower = range.start.isEmpty ? nil : BTreeBound(key: range.start, inclusive: true)
    // Every key the walk wants starts with stopAfter (or prefix) or sorts before it, so all of
    // them sort before that byte string's successor: the tree stops copying entries there
    // instead of copying the rest of the leaf (an equality lookup wants one entry of hundreds).
    let upper = successor(of: range.stopAfter ?? range.prefix).map { BTreeBound(key: $0, inclusive: false) }
    try index.scan(from: lower, to: upper) { key, tid in
        if let stopAfter = range.stopAfter {
            if !key.starts(with: stopAfter) && compareBytes(key, stopAfter) > 0 { return false }
        } else if !key.starts(with: range.prefix) {
            return false
        }
        if try !body(tid) { stopped = true; return false }
        return true
    }
    return !stopped
}

/// The smallest byte string greater than every string that starts with `bytes` (keys compare as
/// bytes, then by length); nil if there is none (`bytes` empty or all 0xFF).
private func successor(of bytes: [UInt8]) -> [UInt8]? {
    var result = bytes
    while let last = result.last, last == 0xFF { result.removeLast() }
    guard !result.isEmpty else { return nil }
    result[result.count - 1] += 1
    return result
}

private func compareBytes(_ a: UnsafeRawBufferPointer, _ b: [UInt8]) -> Int {
    for (x, y) in zip(a, b) where x != y { return x < y ? -1 : 1 }
    return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
}

final class IndexScanNode: PlanNode, @unchecked Sendable {
    let table: CatalogRelation
    let alias: String
    let index: CatalogIndex
    let bounds: IndexKeyBounds
    let filter: BoundExpression?
    let withTupleID: Bool
    let columns: [PlanColumn]
    private let types: [SQLType]
    private let keyTypes: [SQLType]
    var children: [PlanNode] { [] }
    var explainLine: String {
        "Index Scan using \(index.name) on \(table.name)\(alias != table.name ? " \(alias)" : "")"
    }

    init(table: CatalogRelation, alias: String, index: CatalogIndex, bounds: IndexKeyBounds, filter: BoundExpression?,
         withTupleID: Bool) {
        self.table = table
        self.alias = alias
        self.index = index
        self.bounds = bounds
        self.filter = filter
        self.withTupleID = withTupleID
        self.types = table.columns.map(\.type)
        self.keyTypes = index.columnNumbers.map { number in
            table.columns.first { $0.number == number }?.type ?? .text
        }
        self.columns = TableColumns.planColumns(table, withTupleID: withTupleID)
    }

    func run(_ context: EvaluationContext, _ consume: (Row) throws -> Bool) throws -> Bool {
        guard let range = try bounds.keyRange([], context, columnTypes: keyTypes) else { return true }
        let heap = context.engine.storage.heap(RelationID(table.fileNode))
        let tree = context.engine.storage.btree(RelationID(index.fileNode))
        let snapshot = context.execution.snapshot
        return try walkIndex(tree, range) { tid in
            try context.checkInterrupts()
            guard let data = try heap.fetch(tid, snapshot: snapshot) else { return true }
            var row = try RowCodec.decode(data, types: types)
            if withTupleID { row.append(TableColumns.tupleIDValue(tid)) }
            if let filter, try !filter.isSatisfied(row, context) { return true }
            return try consume(row)
        }
    }
}

extension IndexScanNode: ExpressionHolder {
    var heldExpressions: [BoundExpression] { filter.map { [$0] } ?? [] }
}
