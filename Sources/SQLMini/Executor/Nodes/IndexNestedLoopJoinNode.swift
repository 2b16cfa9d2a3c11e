// IndexNestedLoopJoinNode: a join whose right side is a table probed through a B-tree index with
// keys computed from each left row (`a JOIN b ON b.id = a.b_id` with an index on b.id), so the
// right table is never scanned whole.
//
// Invariants: `bounds` expressions read the left row; `rightFilter` reads the right row alone;
// `residual` reads the combined row (left columns, then right columns).

import Storage

final class IndexNestedLoopJoinNode: PlanNode, @unchecked Sendable {
    let left: PlanNode
    let table: CatalogRelation
    let alias: String
    let index: CatalogIndex
    let bounds: IndexKeyBounds
    let rightFilter: BoundExpression?
    let residual: BoundExpression?
    let kind: JoinKind
    let columns: [PlanColumn]
    private let types: [SQLType]
    private let keyTypes: [SQLType]
    var children: [PlanNode] { [left] }
    var explainLine: String {
        "Nested Loop\(kind.explainWord) with Index Scan using \(index.name) on \(table.name)\(alias != table.name ? " \(alias)" : "")"
    }

    init(left: PlanNode, table: CatalogRelation, alias: String, index: CatalogIndex, bounds: IndexKeyBounds,
         rightFilter: BoundExpression?, residual: BoundExpression?, kind: JoinKind) {
        self.left = left
        self.table = table
        self.alias = alias
        self.index = index
        self.bounds = bounds
        self.rightFilter = rightFilter
        self.residual = residual
        self.kind = kind
        self.types = table.columns.map(\.type)
        self.keyTypes = index.columnNumbers.map { number in table.columns.first { $0.number == number }?.type ?? .text }
        self.columns = left.columns + TableColumns.planColumns(table, withTupleID: false)
    }

    func run(_ context: EvaluationContext, _ consume: (Row) throws -> Bool) throws -> Bool {
        let heap = context.engine.storage.heap(RelationID(table.fileNode))
        let tree = context.engine.storage.btree(RelationID(index.fileNode))
        let snapshot = context.execution.snapshot
        let rightWidth = table.columns.count
        return try left.run(context) { leftRow in
            var matched = false
            var stopped = false
            if let range = try bounds.keyRange(leftRow, context, columnTypes: keyTypes) {
                _ = try walkIndex(tree, range) { tid in
                    guard let data = try heap.fetch(tid, snapshot: snapshot) else { return true }
                    let rightRow = try RowCodec.decode(data, types: types)
                    if let rightFilter, try !rightFilter.isSatisfied(rightRow, context) { return true }
                    let combined = leftRow + rightRow
                    if let residual, try !residual.isSatisfied(combined, context) { return true }
                    matched = true
                    if try !consume(combined) { stopped = true; return false }
                    return true
                }
            }
            if stopped { return false }
            if !matched && kind == .left { return try consume(leftRow + Row(repeating: .null, count: rightWidth)) }
            return true
        }
    }
}
