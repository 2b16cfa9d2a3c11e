// Engine: the SQL engine of one database instance — the catalog, and the prepare/execute entry
// points the session layer calls. Statements are planned once (`prepare`) and run many times
// (`execute`) with parameter values; result rows are pushed through a closure.
//
// The committed catalog is cached; a transaction that ran DDL plans against its own copy (built
// from the system relations through its own snapshot) until it ends. When a DDL transaction
// commits, the next statement anywhere notices (its xid is in `pendingCatalogWriters` and now
// committed) and reloads the committed catalog, bumping `version` — prepared plans then re-plan.
//
// Invariants: `committed.version` only grows; every catalog a statement sees was loaded from the
// system relations through one MVCC snapshot.
import Logging
import Storage
import WAL

public final class Engine: @unchecked Sendable {
    public let storage: StorageEngine
    let logger: Logger
    let store: CatalogStore

    private struct CatalogState {
        var committed: Catalog
        /// Transactions that changed the catalog and had not finished when last checked.
        var pendingCatalogWriters: Set<TransactionID> = []
        /// Versions of transaction-private catalogs: far above any committed version.
        var privateVersions: UInt64 = 1 << 48
        /// On a standby: the replay's catalog generation the committed catalog was loaded at.
        var replayedCatalogGeneration: UInt64 = 0
    }
    private let state: PThreadMutex<CatalogState>
    private let virtualRelations = PThreadMutex<[String: VirtualRelation]>([:])

    /// Opens the engine over a storage engine whose catalog was created by `bootstrap`.
    public init(storage: StorageEngine, logger: Logger) throws {
        self.storage = storage
        self.logger = logger
        self.store = CatalogStore(storage: storage)
        let snapshot = storage.transactions.snapshot(for: .invalid, command: CommandID(0))
        let catalog = try CatalogLoader.load(store, snapshot: snapshot, version: 1)
        self.state = PThreadMutex(CatalogState(committed: catalog))
    }

    /// initdb: creates the system relations and their first rows (namespaces, the superuser with
    /// its password verifier, the databases) in a fresh StorageEngine.
    public static func bootstrap(storage: StorageEngine, superuser: String, passwordVerifier: String?) throws {
        try CatalogBootstrap.run(storage: storage, superuser: superuser, passwordVerifier: passwordVerifier)
    }

    /// The latest committed catalog.
    public var catalog: Catalog {
        refreshCommittedCatalog()
        return state.withLock { $0.committed }
    }

    /// The catalog the context's transaction sees: its own uncommitted DDL included.
    public func catalog(for context: ExecutionContext) -> Catalog {
        if let own = context.ownCatalog { return own }
        return catalog
    }

    /// pg_catalog relations computed by the session layer.
    public func register(systemRelation: VirtualRelation) {
        virtualRelations.withLock { $0[systemRelation.schema + "." + systemRelation.name] = systemRelation }
    }

    func virtualRelation(schema: String, name: String) -> VirtualRelation? {
        virtualRelations.withLock { $0[schema + "." + name] }
    }

    func virtualRelation(oid: UInt32) -> VirtualRelation? {
        virtualRelations.withLock { $0.values.first { $0.oid == oid } }
    }

    // MARK: Catalog changes

    /// Called after a DDL statement wrote catalog rows: reload the transaction's own catalog and
    /// remember that the committed one must be reloaded once it commits.
    func catalogChanged(by context: ExecutionContext) throws {
        let version = state.withLock { state -> UInt64 in
            state.pendingCatalogWriters.insert(context.xid)
            state.privateVersions &+= 1
            return state.privateVersions
        }
        context.ownCatalog = try CatalogLoader.load(store, snapshot: context.snapshotIncludingCurrentCommand(),
                                                    version: version)
    }

    private func refreshCommittedCatalog() {
        // On a standby, catalog changes arrive by replay: its generation moves when a replayed
        // commit changed system catalogs. Read before the snapshot is taken, so none is missed.
        let replayedGeneration = storage.standbyStatus?.catalogGeneration
        let needsReload = state.withLock { state -> Bool in
            var reload = false
            if let replayedGeneration, replayedGeneration != state.replayedCatalogGeneration {
                state.replayedCatalogGeneration = replayedGeneration
                reload = true
            }
            for xid in state.pendingCatalogWriters {
                switch storage.transactions.status(of: xid) {
                case .inProgress: continue
                case .committed: reload = true; state.pendingCatalogWriters.remove(xid)
                case .aborted: state.pendingCatalogWriters.remove(xid)
                }
            }
            return reload
        }
        guard needsReload else { return }
        do {
            let version = state.withLock { $0.committed.version } &+ 1
            let fresh = try storage.snapshots.withRegisteredSnapshot { snapshot in
                try CatalogLoader.load(store, snapshot: snapshot, version: version)
            }
            state.withLock { state in
                if fresh.version > state.committed.version { state.committed = fresh }
            }
        } catch {
            logger.error("could not reload the catalog: \(error)")
        }
    }

    // MARK: Sequences

    func nextValue(sequence oid: UInt32, _ context: EvaluationContext) throws -> Int64 {
        try requireWritable("nextval()", context)
        guard let sequence = context.catalog.sequence(oid: oid), let relation = context.catalog.relation(oid: oid) else {
            throw SQLError(SQLError.wrongObjectType, "\"\(oid)\" is not a sequence")
        }
        do {
            let value = try storage.sequence(RelationID(relation.fileNode)).nextValue(
                increment: sequence.increment, minValue: sequence.minValue, maxValue: sequence.maxValue,
                xid: context.execution.xid)
            context.execution.lastSequenceValues[oid] = value
            return value
        } catch let error as StorageError where error.kind == .sequenceLimit {
            throw SQLError("2200H", "nextval: reached maximum value of sequence \"\(relation.name)\" (\(sequence.maxValue))")
        }
    }

    func currentValue(sequence oid: UInt32, _ context: EvaluationContext) throws -> Int64 {
        guard let relation = context.catalog.relation(oid: oid) else {
            throw SQLError(SQLError.wrongObjectType, "\"\(oid)\" is not a sequence")
        }
        guard let value = context.execution.lastSequenceValues[oid] else {
            throw SQLError(SQLError.objectNotInPrerequisiteState,
                           "currval of sequence \"\(relation.name)\" is not yet defined in this session")
        }
        return value
    }

    func setValue(sequence oid: UInt32, _ value: Int64, isCalled: Bool, _ context: EvaluationContext) throws {
        try requireWritable("setval()", context)
        guard let relation = context.catalog.relation(oid: oid), relation.kind == .sequence else {
            throw SQLError(SQLError.wrongObjectType, "\"\(oid)\" is not a sequence")
        }
        try storage.sequence(RelationID(relation.fileNode)).setValue(value, isCalled: isCalled)
        if isCalled { context.execution.lastSequenceValues[oid] = value }
    }

    /// Sequences change outside transactions, but not in read-only ones or on a standby (25006).
    private func requireWritable(_ function: String, _ context: EvaluationContext) throws {
        if context.execution.readOnly {
            throw SQLError(SQLError.readOnlySQLTransaction, "cannot execute \(function) in a read-only transaction")
        }
    }
}
