// CatalogLoader: builds a Catalog from the system relations as one snapshot sees them: relations
// from minipg_class, their columns from minipg_attribute (ordered by attnum), indexes, constraints,
// sequences, roles and databases.
//
// Invariants: a relation without attributes (an index or sequence) gets its columns from its
// table (indexes: the key columns) or none; rows of relations that do not exist are ignored.
import Storage

enum CatalogLoader {
    static func load(_ store: CatalogStore, snapshot: Snapshot, version: UInt64) throws -> Catalog {
        let namespaces = try store.rows(.namespace, snapshot: snapshot).map(CatalogNamespace.init(row:))
        let classes = try store.rows(.relation, snapshot: snapshot).map(ClassRow.init(row:))
        let attributes = try store.rows(.attribute, snapshot: snapshot).map(AttributeRow.init(row:))
        let indexRows = try store.rows(.index, snapshot: snapshot).map(IndexRow.init(row:))
        let constraints = try store.rows(.constraint, snapshot: snapshot).map(CatalogConstraint.init(row:))
        let sequences = try store.rows(.sequence, snapshot: snapshot).map(CatalogSequence.init(row:))
        let roles = try store.rows(.authid, snapshot: snapshot).map(CatalogRole.init(row:))
        let databases = try store.rows(.database, snapshot: snapshot).map(CatalogDatabase.init(row:))

        var columnsByRelation: [UInt32: [CatalogColumn]] = [:]
        for attribute in attributes { columnsByRelation[attribute.relation, default: []].append(attribute.column) }
        var relations: [CatalogRelation] = classes.map { row in
            CatalogRelation(oid: row.oid, name: row.name, namespace: row.namespace, kind: row.kind, owner: row.owner,
                            fileNode: row.fileNode,
                            columns: (columnsByRelation[row.oid] ?? []).sorted { $0.number < $1.number })
        }
        relations.sort { $0.oid < $1.oid }
        let classByOID = Dictionary(classes.map { ($0.oid, $0) }, uniquingKeysWith: { a, _ in a })
        var indexes: [CatalogIndex] = []
        for row in indexRows {
            guard let indexClass = classByOID[row.oid] else { continue }
            indexes.append(CatalogIndex(oid: row.oid, table: row.table, name: indexClass.name, columnNumbers: row.columnNumbers,
                                        isUnique: row.isUnique, isPrimary: row.isPrimary, fileNode: indexClass.fileNode))
        }
        indexes.sort { $0.oid < $1.oid }
        // An index relation's columns are its table's key columns.
        let relationIndex = Dictionary(relations.enumerated().map { ($0.element.oid, $0.offset) }, uniquingKeysWith: { a, _ in a })
        for index in indexes {
            guard let i = relationIndex[index.oid], let t = relationIndex[index.table] else { continue }
            let table = relations[t]
            relations[i].columns = index.columnNumbers.enumerated().compactMap { position, number in
                guard var column = table.columns.first(where: { $0.number == number }) else { return nil }
                column.number = Int16(position + 1)
                column.defaultExpression = nil
                return column
            }
        }
        return Catalog(version: version, namespaces: namespaces.sorted { $0.oid < $1.oid }, relations: relations,
                       indexes: indexes, constraints: constraints.sorted { $0.oid < $1.oid },
                       sequences: sequences.sorted { $0.oid < $1.oid }, roles: roles.sorted { $0.oid < $1.oid },
                       databases: databases.sorted { $0.oid < $1.oid })
    }
}
