// VirtualScanNode: reads a pg_catalog relation computed on demand (a VirtualRelation registered by
// the session layer) and keeps the rows passing the filter.

final class VirtualScanNode: PlanNode, @unchecked Sendable {
    let relation: VirtualRelation
    let alias: String
    let filter: BoundExpression?
    let columns: [PlanColumn]
    var children: [PlanNode] { [] }
    var explainLine: String { "Function Scan on \(relation.name)\(alias != relation.name ? " \(alias)" : "")" }

    init(relation: VirtualRelation, alias: String, filter: BoundExpression?) {
        self.relation = relation
        self.alias = alias
        self.filter = filter
        self.columns = relation.columns.map { PlanColumn(name: $0.name, type: $0.type, tableOID: relation.oid) }
    }

    func run(_ context: EvaluationContext, _ consume: (Row) throws -> Bool) throws -> Bool {
        for row in try relation.rows(context.execution) {
            if let filter, try !filter.isSatisfied(row, context) { continue }
            if try !consume(row) { return false }
        }
        return true
    }
}
