// SessionFunctionContext: what built-in functions read from the session running them — its
// settings (current_setting, set_config), identity (current_user, pg_backend_pid), clocks,
// the catalog as its transaction sees it, WAL positions and relation sizes.
//
// One per transaction, attached to its ExecutionContext. It holds the session weakly and the
// context unowned: the session owns the context, which owns this (a strong reference back would
// keep every transaction's context alive, and with it its registered snapshot xmin).

import Storage
import WAL

final class SessionFunctionContext: FunctionContext {
    private(set) weak var session: Session?
    private unowned let execution: ExecutionContext
    private let database: Database
    private var cachedLookup: EngineCatalogLookup?
    /// The session's settings when the transaction started, for calls after the session ended.
    private let settingsAtStart: SessionSettings

    init(session: Session, execution: ExecutionContext) {
        self.session = session
        self.execution = execution
        self.database = session.database
        self.settingsAtStart = session.settings
    }

    private var engineCatalog: Catalog { database.engine.catalog(for: execution) }

    var catalog: CatalogLookup? { lookup }

    /// The lookup over the catalog the transaction sees now (rebuilt when DDL changed it).
    var lookup: EngineCatalogLookup {
        let current = engineCatalog
        if let cachedLookup, cachedLookup.catalog === current, cachedLookup.searchPath == execution.searchPath {
            return cachedLookup
        }
        let fresh = EngineCatalogLookup(catalog: current, searchPath: execution.searchPath,
                                        user: execution.user, engine: database.engine)
        cachedLookup = fresh
        return fresh
    }

    var settings: SessionSettings {
        session?.settings ?? settingsAtStart
    }

    func setSetting(_ name: String, to value: String, isLocal: Bool) throws -> String {
        guard let session else { throw Self.sessionGone }
        try session.settings.set(name, to: value, isLocal: isLocal)
        return try session.settings.show(name)
    }

    var transactionTimestamp: Int64 { execution.transactionTimestamp }
    var statementTimestamp: Int64 { execution.statementTimestamp }
    func clockTimestamp() -> Int64 { PostgresTimestamp.now() }
    var serverStartTimestamp: Int64 { database.startTime }
    var databaseName: String { session?.databaseName ?? execution.databaseName }
    var currentUser: String { execution.user }
    var sessionUser: String { execution.user }
    var backendPID: Int32 { session?.processID ?? 0 }

    func currentSchemas(includeImplicit: Bool) -> [String] {
        let catalog = engineCatalog
        let names = catalog.searchNamespaces(searchPath: execution.searchPath, user: execution.user)
            .compactMap { catalog.namespace(oid: $0)?.name }
        return includeImplicit ? names : names.filter { $0 != "pg_catalog" }
    }

    var isInRecovery: Bool { database.isInRecovery }
    var walInsertLSN: UInt64 { database.storage.wal.insertLSN.value }
    var walFlushLSN: UInt64 { database.storage.wal.flushedLSN.value }
    var walWriteLSN: UInt64 { database.storage.wal.writtenLSN.value }
    var timeline: UInt32 { database.storage.wal.timeline.value }
    var walSegmentSize: Int { database.storage.configuration.wal.segmentSize }

    func relationSize(_ oid: UInt32) throws -> Int64? {
        guard let relation = engineCatalog.relation(oid: oid) else { return nil }
        return try database.storage.relationSizeInBytes(RelationID(relation.fileNode))
    }

    func indexesSize(_ oid: UInt32) throws -> Int64? {
        let catalog = engineCatalog
        guard catalog.relation(oid: oid) != nil else { return nil }
        var total: Int64 = 0
        for index in catalog.indexes(onTable: oid) {
            total += try database.storage.relationSizeInBytes(RelationID(index.fileNode))
        }
        return total
    }

    func currentTransactionID() throws -> Int64 {
        Int64(try execution.writableTopLevelTransaction(for: "txid_current").value)
    }

    /// Network addresses are known to the server, not to SQLMini: nil, as over a Unix socket.
    var serverAddress: (host: String, port: Int)? { nil }
    var clientAddress: (host: String, port: Int)? { nil }

    private static let sessionGone = SQLError(SQLError.adminShutdown, "terminating connection due to administrator command")
}

extension Session {
    /// Gives the transaction's functions their view of this session.
    func configureFunctions(for context: ExecutionContext) {
        context.functionContext = SessionFunctionContext(session: self, execution: context)
    }

    /// Type output (regclass names) and input for this transaction's catalog.
    func catalogLookup(for context: ExecutionContext) -> CatalogLookup? {
        (context.functionContext as? SessionFunctionContext)?.lookup
    }
}
