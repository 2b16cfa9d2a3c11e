// Database: one database instance as the server sees it — the storage engine, the SQL engine with
// its catalog, the server-wide settings, and the live sessions. The server builds one at startup
// and asks it who may log in (role(named:)) and for a session per connection (makeSession).
//
// It also registers the pg_catalog relations (SystemCatalog/) with the engine, so that every
// session can read pg_class, pg_stat_activity and the rest.

import Logging
import Storage
import WAL

public final class Database: @unchecked Sendable {
    public let storage: StorageEngine
    public let engine: Engine
    let registry = SessionRegistry()
    let logger: Logger
    /// Makes the stored verifier for CREATE ROLE / ALTER ROLE ... PASSWORD: (user, password) ->
    /// verifier text. Supplied by the server, which owns SCRAM (PGWire); nil refuses passwords.
    let passwordHasher: (@Sendable (String, String) -> String)?
    /// The server-wide settings and their generation, bumped by every change (a reload), so that a
    /// session notices at its next statement that it should adopt them.
    private let serverSettings: PThreadMutex<(settings: ServerSettings, generation: Int)>
    private let reloader = PThreadMutex<(@Sendable () -> Void)?>(nil)
    private let standby = PThreadMutex<StandbyProvider?>(nil)
    private let synchronousReplicationWaiter = PThreadMutex<SynchronousReplicationWaiter?>(nil)
    /// pg_postmaster_start_time, as a timestamptz value.
    public let startTime: Int64

    /// initdb: creates the catalog (pg_catalog, public, the superuser role with its verifier,
    /// database "postgres") inside a freshly created StorageEngine.
    public static func bootstrap(storage: StorageEngine, superuser: String, passwordVerifier: String?) throws {
        try Engine.bootstrap(storage: storage, superuser: superuser, passwordVerifier: passwordVerifier)
    }

    public init(storage: StorageEngine, settings: ServerSettings, logger: Logger,
                passwordHasher: (@Sendable (String, String) -> String)? = nil) throws {
        self.storage = storage
        self.engine = try Engine(storage: storage, logger: logger)
        self.serverSettings = PThreadMutex((settings, 0))
        self.logger = logger
        self.passwordHasher = passwordHasher
        self.startTime = PostgresTimestamp.now()
        let builder = CatalogViewBuilder(database: self)
        for table in SystemTable.all {
            engine.register(systemRelation: SystemCatalogRelation(table: table, builder: builder))
        }
        engine.register(systemRelation: PgStatWalReceiver(database: self))
    }

    /// The server-wide settings (postgresql.conf); a reload replaces them, and every session adopts
    /// the new values at its next statement.
    public var settings: ServerSettings {
        get { serverSettings.withLock { $0.settings } }
        set { serverSettings.withLock { $0 = (newValue, $0.generation + 1) } }
    }

    /// The settings and their generation, when they changed since `generation`.
    func settings(changedSince generation: Int) -> (settings: ServerSettings, generation: Int)? {
        serverSettings.withLock { $0.generation == generation ? nil : $0 }
    }

    /// What pg_reload_conf() runs: the server's reload (re-read the configuration files), as SIGHUP.
    public var configurationReloader: (@Sendable () -> Void)? {
        get { reloader.withLock { $0 } }
        set { reloader.withLock { $0 = newValue } }
    }

    /// True on a standby replaying WAL, until promotion ends: every transaction is read-only.
    public var isInRecovery: Bool { storage.isInRecovery }

    /// The WAL receiver's state and promotion, supplied by the server on a standby.
    public var standbyProvider: StandbyProvider? {
        get { standby.withLock { $0 } }
        set { standby.withLock { $0 = newValue } }
    }

    /// Where commits wait for synchronous standbys, supplied by the server on a primary.
    public var synchronousReplication: SynchronousReplicationWaiter? {
        get { synchronousReplicationWaiter.withLock { $0 } }
        set { synchronousReplicationWaiter.withLock { $0 = newValue } }
    }

    /// For authentication: the role's verifier and login rights; nil if there is no such role.
    public func role(named name: String) -> RoleInfo? {
        guard let role = engine.catalog.role(named: name) else { return nil }
        return RoleInfo(name: role.name, oid: role.oid, passwordVerifier: role.password, canLogin: role.canLogin,
                        superuser: role.superuser, replication: role.replication)
    }

    public func databaseExists(_ name: String) -> Bool {
        engine.catalog.database(named: name) != nil
    }

    /// The number of sessions open now.
    public var sessionCount: Int { registry.count }

    /// The live session with this backend pid (for cancel requests), if any.
    public func session(processID: Int32) -> Session? { registry.session(processID: processID) }

    /// Opens a session for an authenticated connection. Throws FATAL 3D000 when the database does
    /// not exist, 28000 when the role does not exist or may not log in, 55000 when the database
    /// does not accept connections (template0).
    public func makeSession(user: String, database name: String, processID: Int32,
                            applicationName: String) throws -> Session {
        let catalog = engine.catalog
        guard let database = catalog.database(named: name) else {
            throw SQLError(SQLError.invalidCatalogName, "database \"\(name)\" does not exist", severity: .fatal)
        }
        guard let role = catalog.role(named: user) else {
            throw SQLError(SQLError.invalidAuthorizationSpecification, "role \"\(user)\" does not exist", severity: .fatal)
        }
        guard role.canLogin else {
            throw SQLError(SQLError.invalidAuthorizationSpecification, "role \"\(user)\" is not permitted to log in",
                           severity: .fatal)
        }
        guard database.allowConnections else {
            throw SQLError(SQLError.objectNotInPrerequisiteState,
                           "database \"\(name)\" is not currently accepting connections", severity: .fatal)
        }
        let sessionSettings = try SessionSettings(server: settings, user: role.name, isSuperuser: role.superuser,
                                                  options: ["application_name": applicationName])
        let session = Session(database: self, role: role, databaseName: database.name,
                              processID: processID, settings: sessionSettings,
                              logger: logger)
        let now = PostgresTimestamp.now()
        registry.register(session, activity: SessionActivity(
            processID: processID, databaseOID: database.oid, databaseName: database.name, userOID: role.oid,
            userName: role.name, applicationName: applicationName, backendStart: now, transactionStart: nil,
            queryStart: nil, stateChange: now, state: "idle", query: "", backendXID: nil))
        return session
    }
}
