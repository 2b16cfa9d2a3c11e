// FunctionContext: the server state that built-in functions read, provided by the engine for the
// statement being executed — settings, clocks, the session's identity, WAL positions, recovery
// state, the catalog and relation sizes. Functions never reach into the engine any other way,
// which keeps them testable with a small fake context.

public protocol FunctionContext: AnyObject {
    var catalog: CatalogLookup? { get }
    /// The session's settings (current_setting, SHOW).
    var settings: SessionSettings { get }
    /// set_config(name, value, is_local): applies like SET and returns the new SHOW text.
    func setSetting(_ name: String, to value: String, isLocal: Bool) throws -> String

    /// now(), CURRENT_TIMESTAMP, transaction_timestamp(): microseconds since 2000-01-01 UTC.
    var transactionTimestamp: Int64 { get }
    /// statement_timestamp(): when the current statement started.
    var statementTimestamp: Int64 { get }
    /// clock_timestamp(): the current time, read at every call.
    func clockTimestamp() -> Int64
    /// pg_postmaster_start_time().
    var serverStartTimestamp: Int64 { get }

    var databaseName: String { get }
    var currentUser: String { get }
    var sessionUser: String { get }
    var backendPID: Int32 { get }
    /// The schemas of search_path that exist, with pg_catalog first when includeImplicit.
    func currentSchemas(includeImplicit: Bool) -> [String]

    /// pg_is_in_recovery().
    var isInRecovery: Bool { get }
    /// WAL positions (pg_current_wal_lsn = written/insert position, flush, insert).
    var walInsertLSN: UInt64 { get }
    var walFlushLSN: UInt64 { get }
    var walWriteLSN: UInt64 { get }
    var timeline: UInt32 { get }
    var walSegmentSize: Int { get }

    /// Size in bytes of a relation's main fork, nil if no such relation.
    func relationSize(_ oid: UInt32) throws -> Int64?
    /// Size of all indexes of a table, nil if no such relation.
    func indexesSize(_ oid: UInt32) throws -> Int64?

    /// txid_current(): the current transaction's id, assigning one if it has none yet.
    func currentTransactionID() throws -> Int64

    /// inet_server_addr/port, inet_client_addr/port; nil over a Unix socket.
    var serverAddress: (host: String, port: Int)? { get }
    var clientAddress: (host: String, port: Int)? { get }

    /// Standby state (defaults below: a primary's answers).
    var walReceiveLSN: UInt64? { get }
    var walReplayLSN: UInt64? { get }
    var lastReplayedCommitTimestamp: Int64? { get }
    /// pg_promote(wait, wait_seconds).
    func promote(wait: Bool, waitSeconds: Int) throws -> Bool
    /// pg_reload_conf(): the server re-reads its configuration files, as on SIGHUP.
    func reloadConfiguration() throws -> Bool
}

/// Standby state, answered by a standby's session; a primary keeps these defaults.
extension FunctionContext {
    /// Without a server to signal (a standalone engine) there is nothing to reload.
    public func reloadConfiguration() throws -> Bool { false }

    /// pg_promote() on a primary: PostgreSQL's error.
    public func promote(wait: Bool, waitSeconds: Int) throws -> Bool {
        throw SQLError(SQLError.objectNotInPrerequisiteState, "recovery is not in progress",
                       hint: "Recovery control functions can only be executed during recovery.")
    }

    /// pg_last_wal_receive_lsn(): the WAL received and flushed by a standby; nil on a primary.
    public var walReceiveLSN: UInt64? { nil }
    /// pg_last_wal_replay_lsn(): the WAL replayed by a standby; nil on a primary.
    public var walReplayLSN: UInt64? { nil }
    /// pg_last_xact_replay_timestamp(): the commit time of the last replayed transaction.
    public var lastReplayedCommitTimestamp: Int64? { nil }
}
