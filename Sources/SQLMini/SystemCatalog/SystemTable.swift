// SystemTable: one pg_catalog relation, read-only and computed on each scan from a CatalogView.
//
// Each relation lists its columns exactly as PostgreSQL 15 names and types them (clients read
// them by name and by position), and a function from the view to its rows. Relations minipg has
// nothing to put in (triggers, policies, publications...) exist with their columns and no rows,
// because psql's \d queries join them.

struct SystemTable: Sendable {
    let name: String
    let oid: UInt32
    let columns: [(name: String, type: SQLType)]
    let makeRows: @Sendable (CatalogView) -> [[Value]]

    init(_ name: String, oid: UInt32, columns: [(name: String, type: SQLType)],
         rows makeRows: @escaping @Sendable (CatalogView) -> [[Value]] = { _ in [] }) {
        self.name = name
        self.oid = oid
        self.columns = columns
        self.makeRows = makeRows
    }
}

/// Well-known OIDs of PostgreSQL's bootstrap catalog that the engine's catalog does not define
/// (CatalogConstants has the namespaces, roles, databases and access methods).
enum BuiltinOID {
    static let defaultCollation: UInt32 = 100
    static let cCollation: UInt32 = 950
    static let posixCollation: UInt32 = 951
    static let defaultTablespace: UInt32 = 1663
    static let globalTablespace: UInt32 = 1664
    /// pg_class's own oid (the classoid of relations in pg_description and pg_depend).
    static let pgClassRelation: UInt32 = 1259
}

/// Shorthands for building catalog rows.
extension Value {
    static func name(_ text: String) -> Value { .text(text) }
    static func char(_ text: String) -> Value { .text(text) }
    static func optionalText(_ text: String?) -> Value { text.map(Value.text) ?? .null }
    static func int2Vector(_ values: [Int16]) -> Value {
        .array(ArrayValue(elementType: .int2, elements: values.map(Value.int2)))
    }
    static func oidVector(_ values: [UInt32]) -> Value {
        .array(ArrayValue(elementType: .oidType, elements: values.map(Value.oid)))
    }
    static func textArray(_ values: [String]) -> Value {
        .array(ArrayValue(elementType: .text, elements: values.map(Value.text)))
    }
}
