// Engine+Vacuum: which storage relations VACUUM, ANALYZE and autovacuum work on — a table's heap
// and its indexes, from the catalog (Storage knows relations only by file, not which index belongs
// to which table). The system relations have no indexes.
import Storage

extension Engine {
    /// The table `relation` (a catalog table) with its indexes.
    func vacuumTarget(_ relation: CatalogRelation, catalog: Catalog) -> VacuumTarget {
        let schema = catalog.namespace(oid: relation.namespace)?.name ?? "public"
        return VacuumTarget(name: schema + "." + relation.name, heap: RelationID(relation.fileNode),
                            indexes: catalog.indexes(onTable: relation.oid).map { RelationID($0.fileNode) })
    }

    /// Every table of the committed catalog and every system relation: what a VACUUM without
    /// table names, and autovacuum, look at.
    public func allVacuumTargets() -> [VacuumTarget] {
        let catalog = self.catalog
        let tables = catalog.relations.filter { $0.kind == .table }.map { vacuumTarget($0, catalog: catalog) }
        let system = SystemRelation.allCases.map {
            VacuumTarget(name: "pg_catalog." + $0.name, heap: RelationID($0.relationID), indexes: [])
        }
        return system + tables
    }
}
