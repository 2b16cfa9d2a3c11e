// The objects the catalog describes, as plain values: namespaces (schemas), relations (tables,
// indexes, sequences), their columns, indexes, constraints, sequences, roles and databases.
// Each mirrors the PostgreSQL catalog row it is shown as (pg_namespace, pg_class, pg_attribute,
// pg_index, pg_constraint, pg_sequence, pg_authid, pg_database), keeping PostgreSQL's names in
// comments so that the pg_catalog relations built from them are a direct mapping.
//
// Invariants: column numbers (attnum) start at 1 and follow table order; `fileNode` is the
// relation file (relfilenode), equal to `oid` until TRUNCATE gives the relation a new file.

/// A relation's kind, by its pg_class.relkind letter.
public enum CatalogRelationKind: String, Sendable {
    case table = "r"
    case index = "i"
    case sequence = "S"
    case view = "v"
}

/// pg_namespace
public struct CatalogNamespace: Sendable {
    public var oid: UInt32
    public var name: String          // nspname
    public var owner: UInt32         // nspowner
}

/// pg_attribute (+ pg_attrdef for the default)
public struct CatalogColumn: Sendable {
    public var name: String          // attname
    public var type: SQLType         // atttypid, atttypmod
    public var number: Int16         // attnum, from 1
    public var notNull: Bool         // attnotnull
    /// pg_attrdef.adbin as SQL text (minipg's pg_node_tree is the expression's text).
    public var defaultExpression: String?
}

/// pg_class
public struct CatalogRelation: Sendable {
    public var oid: UInt32
    public var name: String          // relname
    public var namespace: UInt32     // relnamespace
    public var kind: CatalogRelationKind
    public var owner: UInt32         // relowner
    public var fileNode: UInt32      // relfilenode
    /// Tables: their columns; indexes: the key columns (names and types of the table's columns).
    public var columns: [CatalogColumn]

    public func column(named name: String) -> CatalogColumn? { columns.first { $0.name == name } }
}

/// pg_index
public struct CatalogIndex: Sendable {
    public var oid: UInt32           // indexrelid
    public var table: UInt32         // indrelid
    public var name: String
    /// indkey: the table's column numbers, in key order.
    public var columnNumbers: [Int16]
    public var isUnique: Bool        // indisunique
    public var isPrimary: Bool       // indisprimary
    public var fileNode: UInt32
}

/// pg_constraint (PRIMARY KEY and UNIQUE constraints, each backed by an index)
public struct CatalogConstraint: Sendable {
    public enum Kind: String, Sendable { case primaryKey = "p", unique = "u" }
    public var oid: UInt32
    public var name: String          // conname
    public var namespace: UInt32     // connamespace
    public var kind: Kind            // contype
    public var table: UInt32         // conrelid
    public var index: UInt32         // conindid
    public var columnNumbers: [Int16] // conkey
}

/// pg_sequence, plus the column that owns it (pg_depend's "auto" link for serial columns).
public struct CatalogSequence: Sendable {
    public var oid: UInt32           // seqrelid
    public var type: SQLType         // seqtypid
    public var start: Int64
    public var increment: Int64
    public var minValue: Int64
    public var maxValue: Int64
    public var cache: Int64
    public var cycle: Bool
    /// The table and column of a serial column; 0 when the sequence stands alone.
    public var ownerTable: UInt32
    public var ownerColumn: Int16
}

/// pg_authid
public struct CatalogRole: Sendable {
    public var oid: UInt32
    public var name: String          // rolname
    public var superuser: Bool       // rolsuper
    public var inherit: Bool         // rolinherit
    public var createRole: Bool      // rolcreaterole
    public var createDatabase: Bool  // rolcreatedb
    public var canLogin: Bool        // rolcanlogin
    public var replication: Bool     // rolreplication
    public var bypassRowLevelSecurity: Bool // rolbypassrls
    public var connectionLimit: Int32 // rolconnlimit, -1 = no limit
    /// rolpassword: a SCRAM-SHA-256 verifier or an md5 hash, as given.
    public var password: String?
}

/// pg_database
public struct CatalogDatabase: Sendable {
    public var oid: UInt32
    public var name: String          // datname
    public var owner: UInt32         // datdba
    public var encoding: Int32       // 6 = UTF8
    public var isTemplate: Bool      // datistemplate
    public var allowConnections: Bool // datallowconn
}
