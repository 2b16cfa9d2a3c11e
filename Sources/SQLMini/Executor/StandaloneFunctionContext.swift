// StandaloneFunctionContext: the FunctionContext built-in functions get when the engine runs
// outside a session (engine tests, internal statements): default settings, the context's user,
// the engine's WAL positions and relation sizes. Sessions supply their own (with their SETs,
// backend pid and addresses) through ExecutionContext.functionContext.
import Storage

final class StandaloneFunctionContext: FunctionContext {
    let execution: ExecutionContext
    let lookup: EngineCatalogLookup
    var settings: SessionSettings

    init(execution: ExecutionContext, catalog: Catalog) {
        self.execution = execution
        self.lookup = EngineCatalogLookup(catalog: catalog, searchPath: execution.searchPath, user: execution.user)
        // Default settings always parse; an empty registry would only hide every setting.
        self.settings = (try? SessionSettings(server: ServerSettings(), user: execution.user, isSuperuser: true))
            ?? StandaloneFunctionContext.fallbackSettings(execution.user)
    }

    private static func fallbackSettings(_ user: String) -> SessionSettings {
        // SessionSettings(server:user:isSuperuser:) only throws for bad startup options; none are given.
        preconditionFailure("default session settings for \(user) could not be built")
    }

    var catalog: CatalogLookup? { lookup }
    func setSetting(_ name: String, to value: String, isLocal: Bool) throws -> String {
        _ = try settings.set(name, to: value, isLocal: isLocal)
        return try settings.show(name)
    }
    var transactionTimestamp: Int64 { execution.transactionTimestamp }
    var statementTimestamp: Int64 { execution.statementTimestamp }
    func clockTimestamp() -> Int64 { ExecutionContext.currentTimestamp() }
    var serverStartTimestamp: Int64 { execution.transactionTimestamp }
    var databaseName: String { execution.databaseName }
    var currentUser: String { execution.user }
    var sessionUser: String { execution.user }
    var backendPID: Int32 { 0 }
    func currentSchemas(includeImplicit: Bool) -> [String] {
        let names = lookup.catalog.searchNamespaces(searchPath: execution.searchPath, user: execution.user)
            .compactMap { lookup.catalog.namespace(oid: $0)?.name }
        return includeImplicit ? names : names.filter { $0 != "pg_catalog" }
    }
    var isInRecovery: Bool { false }
    var walInsertLSN: UInt64 { execution.engine.storage.wal.insertLSN.value }
    var walFlushLSN: UInt64 { execution.engine.storage.wal.flushedLSN.value }
    var walWriteLSN: UInt64 { execution.engine.storage.wal.writtenLSN.value }
    var timeline: UInt32 { execution.engine.storage.wal.timeline.value }
    var walSegmentSize: Int { execution.engine.storage.configuration.wal.segmentSize }
    func relationSize(_ oid: UInt32) throws -> Int64? {
        guard let relation = lookup.catalog.relation(oid: oid) else { return nil }
        return try execution.engine.storage.relationSizeInBytes(RelationID(relation.fileNode))
    }
    func indexesSize(_ oid: UInt32) throws -> Int64? {
        guard lookup.catalog.relation(oid: oid) != nil else { return nil }
        var total: Int64 = 0
        for index in lookup.catalog.indexes(onTable: oid) {
            total += try execution.engine.storage.relationSizeInBytes(RelationID(index.fileNode))
        }
        return total
    }
    func currentTransactionID() throws -> Int64 { Int64(try execution.writableTopLevelTransaction(for: "txid_current").value) }
    var serverAddress: (host: String, port: Int)? { nil }
    var clientAddress: (host: String, port: Int)? { nil }
}
