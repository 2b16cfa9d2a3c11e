// EngineCatalogLookup: the CatalogLookup protocol (Functions/) answered from one Catalog and the
// session's search_path — what regclass output, '...'::regclass input, pg_table_is_visible,
// pg_get_indexdef and pg_get_constraintdef need.
import Foundation

final class EngineCatalogLookup: CatalogLookup, @unchecked Sendable {
    let catalog: Catalog
    let searchPath: [String]
    let user: String
    /// Where the pg_catalog relations live ('pg_catalog.pg_class'::regclass is 1259), when known.
    let engine: Engine?

    init(catalog: Catalog, searchPath: [String], user: String, engine: Engine? = nil) {
        self.catalog = catalog
        self.searchPath = searchPath
        self.user = user
        self.engine = engine
    }

    func relationName(_ oid: UInt32) -> String? {
        guard let relation = catalog.relation(oid: oid) else {
            return engine?.virtualRelation(oid: oid).map { quoted($0.name) }   // pg_catalog is always visible
        }
        if catalog.isVisible(relation: oid, searchPath: searchPath, user: user) { return quoted(relation.name) }
        let schema = catalog.namespace(oid: relation.namespace)?.name ?? "?"
        return quoted(schema) + "." + quoted(relation.name)
    }

    func relationOID(_ name: String) -> UInt32? {
        let parts = splitQualifiedName(name)
        guard let last = parts.last else { return nil }
        let schema = parts.count >= 2 ? parts[parts.count - 2] : nil
        if let relation = catalog.lookupRelation(schema: schema, name: last, searchPath: searchPath, user: user) {
            return relation.oid
        }
        guard let engine else { return nil }
        if let schema { return engine.virtualRelation(schema: schema, name: last)?.oid }
        return (engine.virtualRelation(schema: "pg_catalog", name: last) ?? engine.virtualRelation(schema: "information_schema", name: last))?.oid
    }

    func typeName(_ oid: UInt32) -> String? { nil }
    func namespaceName(_ oid: UInt32) -> String? { catalog.namespace(oid: oid)?.name }
    func namespaceOID(_ name: String) -> UInt32? { catalog.namespace(named: name)?.oid }
    func roleName(_ oid: UInt32) -> String? { catalog.role(oid: oid)?.name }
    func roleOID(_ name: String) -> UInt32? { catalog.role(named: name)?.oid }
    func functionName(_ oid: UInt32) -> String? { nil }
    func isRelationVisible(_ oid: UInt32) -> Bool { catalog.isVisible(relation: oid, searchPath: searchPath, user: user) }

    func indexDefinition(_ oid: UInt32, column: Int, pretty: Bool) -> String? {
        guard let index = catalog.index(oid: oid), let table = catalog.relation(oid: index.table) else { return nil }
        let names = index.columnNumbers.map { number in
            quoted(table.columns.first { $0.number == number }?.name ?? "?")
        }
        if column > 0 { return column <= names.count ? names[column - 1] : "" }
        let tableName = relationName(table.oid) ?? table.name
        return "CREATE \(index.isUnique ? "UNIQUE " : "")INDEX \(quoted(index.name)) ON \(tableName) USING btree (\(names.joined(separator: ", ")))"
    }

    func constraintDefinition(_ oid: UInt32, pretty: Bool) -> String? {
        guard let constraint = catalog.constraints.first(where: { $0.oid == oid }),
              let table = catalog.relation(oid: constraint.table) else { return nil }
        let names = constraint.columnNumbers.map { number in quoted(table.columns.first { $0.number == number }?.name ?? "?") }
        let kind = constraint.kind == .primaryKey ? "PRIMARY KEY" : "UNIQUE"
        return "\(kind) (\(names.joined(separator: ", ")))"
    }

    /// An identifier as PostgreSQL prints it: bare when lower-case and plain, else double-quoted.
    private func quoted(_ name: String) -> String {
        let plain = !name.isEmpty && name.unicodeScalars.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "_" }
            && !(name.unicodeScalars.first.map { $0 >= "0" && $0 <= "9" } ?? true)
        return plain ? name : "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `a.b`, `"A"."b"`: the parts with quotes removed (unquoted parts folded to lower case).
    private func splitQualifiedName(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var inQuotes = false
        var wasQuoted = false
        var iterator = Array(text).makeIterator()
        var pending: Character? = nil
        while let c = pending ?? iterator.next() {
            pending = nil
            if inQuotes {
                if c == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { current.append("\""); continue }
                        pending = next
                    }
                    inQuotes = false
                } else {
                    current.append(c)
                }
            } else if c == "\"" {
                inQuotes = true
                wasQuoted = true
            } else if c == "." {
                parts.append(current)
                current = ""
                wasQuoted = false
            } else {
                current.append(wasQuoted ? c : Character(c.lowercased()))
            }
        }
        parts.append(current)
        return parts
    }
}
