// SystemCatalogRelation: a SystemTable as the engine's VirtualRelation, and the builder of the
// CatalogView its rows are computed from.
//
// The view is built from the catalog as the scanning statement's transaction sees it (its own DDL
// included), plus the pg_catalog relations themselves (so `\d pg_class` works), the live sessions
// and the scanning session's settings. The builder holds the Database weakly: the Database owns
// the engine, which owns these relations.

import Storage

struct SystemCatalogRelation: VirtualRelation {
    let table: SystemTable
    let builder: CatalogViewBuilder

    var schema: String { "pg_catalog" }
    var name: String { table.name }
    var oid: UInt32 { table.oid }
    var columns: [(name: String, type: SQLType)] { table.columns }

    func rows(_ context: ExecutionContext) throws -> [[Value]] {
        table.makeRows(try builder.view(for: context))
    }
}

final class CatalogViewBuilder: @unchecked Sendable {
    private weak var database: Database?

    /// One statement scans several pg_catalog relations, and a correlated subquery rescans one per
    /// outer row: the view is built once per statement and catalog version, then reused.
    private struct CacheKey: Equatable {
        var context: ObjectIdentifier
        var statementTimestamp: Int64
        var command: UInt32
        var catalogVersion: UInt64
    }
    private let cache = PThreadMutex<(key: CacheKey, view: CatalogView)?>(nil)

    init(database: Database) {
        self.database = database
    }

    func view(for context: ExecutionContext) throws -> CatalogView {
        guard let database else {
            throw SQLError(SQLError.adminShutdown, "terminating connection due to administrator command")
        }
        let catalog = database.engine.catalog(for: context)
        let key = CacheKey(context: ObjectIdentifier(context), statementTimestamp: context.statementTimestamp,
                           command: context.commandID.value, catalogVersion: catalog.version)
        if let cached = cache.withLock({ $0 }), cached.key == key { return cached.view }
        let view = build(catalog, database: database, context: context)
        cache.withLock { $0 = (key, view) }
        return view
    }

    private func build(_ catalog: Catalog, database: Database, context: ExecutionContext) -> CatalogView {
        var view = CatalogView()
        view.namespaces = catalog.namespaces.map {
            CatalogView.Namespace(oid: $0.oid, name: $0.name, ownerOID: $0.owner)
        }
        for relation in catalog.relations where relation.kind == .table {
            view.tableStatistics[relation.oid] = database.storage.heap(RelationID(relation.fileNode)).currentStatistics
        }
        view.relations = catalog.relations.map { relation in
            let pages = (try? database.storage.relationSizeInBytes(RelationID(relation.fileNode))).map {
                Int32(clamping: $0 / Int64(pageSize))
            } ?? 0
            // reltuples: -1 until VACUUM or ANALYZE counted the rows, as in PostgreSQL.
            let counted = view.tableStatistics[relation.oid].flatMap(Self.countedTuples)
            return CatalogView.Relation(
                oid: relation.oid, name: relation.name, namespaceOID: relation.namespace, kind: relation.kind.rawValue,
                ownerOID: relation.owner, accessMethodOID: Self.accessMethod(relation.kind),
                columns: relation.columns.map(Self.column),
                pages: pages, tuples: counted ?? -1, hasIndex: !catalog.indexes(onTable: relation.oid).isEmpty)
        }
        view.relations += SystemTable.all.map { table in
            CatalogView.Relation(
                oid: table.oid, name: table.name, namespaceOID: CatalogConstants.pgCatalogNamespace,
                kind: table.isView ? "v" : "r", ownerOID: CatalogConstants.bootstrapSuperuser,
                accessMethodOID: table.isView ? 0 : CatalogConstants.heapAccessMethod,
                columns: table.columns.enumerated().map { index, column in
                    CatalogView.Column(name: column.name, number: Int16(index + 1), type: column.type,
                                       notNull: false, defaultExpression: nil)
                },
                pages: 0, tuples: -1, hasIndex: false)
        }
        view.indexes = catalog.indexes.map {
            CatalogView.Index(oid: $0.oid, tableOID: $0.table, isUnique: $0.isUnique, isPrimary: $0.isPrimary,
                              columnNumbers: $0.columnNumbers)
        }
        view.constraints = catalog.constraints.map {
            CatalogView.Constraint(oid: $0.oid, name: $0.name, namespaceOID: $0.namespace, type: $0.kind.rawValue,
                                   tableOID: $0.table, indexOID: $0.index, columnNumbers: $0.columnNumbers)
        }
        view.sequences = catalog.sequences.map {
            CatalogView.Sequence(oid: $0.oid, type: $0.type, start: $0.start, increment: $0.increment,
                                 maximum: $0.maxValue, minimum: $0.minValue, ownerTable: $0.ownerTable, ownerColumn: $0.ownerColumn)
        }
        view.roles = catalog.roles.map {
            CatalogView.Role(oid: $0.oid, name: $0.name, superuser: $0.superuser, inherit: $0.inherit,
                             createRole: $0.createRole, createDatabase: $0.createDatabase, canLogin: $0.canLogin,
                             replication: $0.replication, bypassRowLevelSecurity: $0.bypassRowLevelSecurity,
                             connectionLimit: $0.connectionLimit, passwordVerifier: $0.password)
        }
        let ownerName = catalog.role(oid: CatalogConstants.bootstrapSuperuser)?.name ?? "postgres"
        view.databases = catalog.databases.map { database in
            CatalogView.Database(oid: database.oid, name: database.name, ownerOID: database.owner,
                                 isTemplate: database.isTemplate, allowConnections: database.allowConnections,
                                 accessPrivileges: database.isTemplate ? ["=c/\(ownerName)", "\(ownerName)=CTc/\(ownerName)"] : nil)
        }
        view.activities = database.registry.activities
        if let session = (context.functionContext as? SessionFunctionContext)?.session {
            view.settings = session.settings.catalogRows()
        }
        return view
    }

    /// reltuples as VACUUM or ANALYZE last counted it; nil if neither ran since startup.
    private static func countedTuples(_ statistics: HeapStatistics) -> Float? {
        let counted = statistics.lastVacuum != nil || statistics.lastAutovacuum != nil || statistics.lastAnalyze != nil
        return counted ? Float(max(0, statistics.liveTuples)) : nil
    }

    private static func accessMethod(_ kind: CatalogRelationKind) -> UInt32 {
        switch kind {
        case .table: return CatalogConstants.heapAccessMethod
        case .index: return CatalogConstants.btreeAccessMethod
        case .sequence, .view: return 0
        }
    }

    private static func column(_ column: CatalogColumn) -> CatalogView.Column {
        CatalogView.Column(name: column.name, number: column.number, type: column.type, notNull: column.notNull,
                           defaultExpression: column.defaultExpression)
    }
}

extension SystemTable {
    /// Every pg_catalog relation minipg provides.
    static let all: [SystemTable] = [
        pgClass, pgAttribute, pgAttrdef, pgAm, pgIndex, pgConstraint, pgSequence,
        pgNamespace, pgType, pgCollation, pgTablespace,
        pgAuthid, pgRoles, pgUser, pgAuthMembers, pgDatabase,
        pgInherits, pgPartitionedTable, pgTrigger, pgRewrite, pgPolicy, pgStatisticExt,
        pgPublication, pgPublicationNamespace, pgPublicationRel, pgDescription, pgExtension, pgForeignTable, pgProc, pgDepend,
        pgSettings, pgStatActivity, pgStatReplication, pgTables, pgIndexes, pgStatUserTables, pgStatAllTables,
    ]

    /// PostgreSQL defines these as views over the catalogs (relkind 'v').
    var isView: Bool {
        ["pg_roles", "pg_user", "pg_settings", "pg_stat_activity", "pg_stat_replication", "pg_tables", "pg_indexes",
         "pg_stat_user_tables", "pg_stat_all_tables"]
            .contains(name)
    }
}
