// SeqScanNode: reads a table's heap in physical order through the statement's MVCC snapshot,
// decodes each visible tuple with the row codec and keeps those passing the filter. With
// `withTupleID` each row carries its ctid as a last, hidden column (for UPDATE/DELETE/FOR UPDATE).

import Storage

final class SeqScanNode: PlanNode, @unchecked Sendable {
    let table: CatalogRelation
    let alias: String
    let filter: BoundExpression?
    let withTupleID: Bool
    let columns: [PlanColumn]
    private let types: [SQLType]
    var children: [PlanNode] { [] }
    var explainLine: String {
        "Seq Scan on \(table.name)\(alias != table.name ? " \(alias)" : "")\(filter != nil ? " (filtered)" : "")"
    }

    init(table: CatalogRelation, alias: String, filter: BoundExpression?, withTupleID: Bool) {
        self.table = table
        self.alias = alias
        self.filter = filter
        self.withTupleID = withTupleID
        self.types = table.columns.map(\.type)
        self.columns = TableColumns.planColumns(table, withTupleID: withTupleID)
    }

    func run(_ context: EvaluationContext, _ consume: (Row) throws -> Bool) throws -> Bool {
        let heap = context.engine.storage.heap(RelationID(table.fileNode))
        var stopped = false
        try heap.scan(snapshot: context.execution.snapshot) { tid, bytes in
            try context.checkInterrupts()
            var row = try RowCodec.decode(bytes, types: types)
            if withTupleID { row.append(TableColumns.tupleIDValue(tid)) }
            if let filter, try !filter.isSatisfied(row, context) { return true }
            if try !consume(row) { stopped = true; return false }
            return true
        }
        return !stopped
    }
}

/// How a table's rows look in a plan: its columns, plus the hidden ctid when asked.
enum TableColumns {
    static let tupleIDName = "ctid"

    static func planColumns(_ table: CatalogRelation, withTupleID: Bool) -> [PlanColumn] {
        var columns = table.columns.map {
            PlanColumn(name: $0.name, type: $0.type, tableOID: table.oid, columnNumber: $0.number)
        }
        if withTupleID { columns.append(PlanColumn(name: tupleIDName, type: .tid)) }
        return columns
    }

    /// A ctid packed into an int8 (page << 16 | slot); only the executor reads it back.
    static func tupleIDValue(_ tid: TupleID) -> Value {
        .int8(Int64(tid.page.value) << 16 | Int64(tid.slot))
    }

    static func tupleID(_ value: Value) -> TupleID? {
        guard case .int8(let packed) = value else { return nil }
        return TupleID(page: PageNumber(UInt32(truncatingIfNeeded: packed >> 16)), slot: UInt16(truncatingIfNeeded: packed & 0xFFFF))
    }
}

extension SeqScanNode: ExpressionHolder {
    var heldExpressions: [BoundExpression] { filter.map { [$0] } ?? [] }
}
