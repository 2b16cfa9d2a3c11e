// CatalogView: the facts the pg_catalog relations are computed from, gathered once per scan from
// the engine's catalog (as the scanning statement's transaction sees it), the roles, the databases,
// the settings and the live sessions.
//
// The pg_catalog relations are views over this model: they never store anything, so they can not
// disagree with the real catalog. Values use PostgreSQL's conventions: relkind 'r' table, 'i'
// index, 'S' sequence, 'v' view; attnum from 1; OIDs below 16384 are built in.

import Storage

struct CatalogView {
    struct Namespace {
        var oid: UInt32
        var name: String
        var ownerOID: UInt32
    }

    struct Column {
        var name: String
        var number: Int16
        var type: SQLType
        var notNull: Bool
        /// The DEFAULT expression as SQL text (pg_attrdef.adbin as pg_get_expr prints it).
        var defaultExpression: String?
    }

    struct Relation {
        var oid: UInt32
        var name: String
        var namespaceOID: UInt32
        /// relkind: "r" table, "i" index, "S" sequence, "v" view.
        var kind: String
        var ownerOID: UInt32
        /// pg_am oid: heap 2 for tables, btree 403 for indexes, 0 otherwise.
        var accessMethodOID: UInt32
        var columns: [Column]
        var pages: Int32
        var tuples: Float
        var hasIndex: Bool
    }

    struct Index {
        var oid: UInt32
        var tableOID: UInt32
        var isUnique: Bool
        var isPrimary: Bool
        /// attnums of the key columns, in key order.
        var columnNumbers: [Int16]
    }

    struct Constraint {
        var oid: UInt32
        var name: String
        var namespaceOID: UInt32
        /// contype: "p" primary key, "u" unique.
        var type: String
        var tableOID: UInt32
        var indexOID: UInt32
        var columnNumbers: [Int16]
    }

    struct Role {
        var oid: UInt32
        var name: String
        var superuser: Bool
        var inherit: Bool
        var createRole: Bool
        var createDatabase: Bool
        var canLogin: Bool
        var replication: Bool
        var bypassRowLevelSecurity: Bool
        var connectionLimit: Int32
        var passwordVerifier: String?
    }

    struct Database {
        var oid: UInt32
        var name: String
        var ownerOID: UInt32
        var isTemplate: Bool
        var allowConnections: Bool
        /// datacl as text items (`=c/postgres`), nil for the default privileges.
        var accessPrivileges: [String]?
    }

    struct Sequence {
        var oid: UInt32
        var type: SQLType
        var start: Int64
        var increment: Int64
        var maximum: Int64
        var minimum: Int64
        /// The column that owns it (a serial column), 0 when none.
        var ownerTable: UInt32 = 0
        var ownerColumn: Int16 = 0
    }

    struct Setting {
        var name: String
        var value: String
        var unit: String?
        var category: String
        var description: String
        var context: String
        var type: String
        var source: String
        var bootValue: String
        var resetValue: String
        var enumValues: [String]?
        /// Changed in the configuration files, waiting for a restart.
        var pendingRestart: Bool
    }

    var namespaces: [Namespace] = []
    var relations: [Relation] = []
    var indexes: [Index] = []
    var constraints: [Constraint] = []
    var sequences: [Sequence] = []
    var roles: [Role] = []
    var databases: [Database] = []
    var settings: [Setting] = []
    var activities: [SessionActivity] = []
    /// Storage's counters per table oid (pg_stat_user_tables, pg_class.reltuples).
    var tableStatistics: [UInt32: HeapStatistics] = [:]

    func roleName(_ oid: UInt32) -> String? { roles.first { $0.oid == oid }?.name }
}
