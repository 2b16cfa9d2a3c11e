// The seam between the HA loop and the database server it supervises. The loop decides; a controller
// does: start, stop, promote, follow, rewind, clone. `ProcessPostgresController` runs the real
// `minipg server` as a child process and talks to it over the wire protocol; unit tests of the loop use a
// scripted fake, so every HA decision can be tested without processes or sleeps.
//
// Invariants: `observe()` never throws and never hangs longer than its timeout — a server that does not
// answer is reported as such (`isRunning` true, `isAnswering` false), and the loop decides what that
// means. Every action is idempotent: asking a stopped server to stop, or a primary to promote, is a no-op.

/// Where a standby streams from: the upstream's address and the credentials in `primary_conninfo`.
public struct UpstreamConnection: Sendable, Equatable {
    public var memberName: String
    public var host: String
    public var port: Int
    public init(memberName: String, host: String, port: Int) {
        self.memberName = memberName
        self.host = host
        self.port = port
    }
}

/// What the loop sees of its server at the start of a cycle.
public struct PostgresObservation: Sendable, Equatable {
    public enum Role: String, Sendable, Equatable { case primary, replica }

    public var dataDirectoryExists: Bool            // PG_VERSION (or the control file) is present
    public var systemIdentifier: String?            // from the control file; nil when no data directory
    public var isRunning: Bool                      // the child process is alive
    public var isAnswering: Bool                    // it answered SQL within the timeout
    public var role: Role?                          // from pg_is_in_recovery(); nil when not answering
    public var timeline: Int?
    public var flushLSN: Int64?                     // primary: pg_current_wal_flush_lsn()
    public var receiveLSN: Int64?                   // replica: pg_last_wal_receive_lsn()
    public var replayLSN: Int64?                    // replica: pg_last_wal_replay_lsn()
    public var replayTimestamp: String?
    public var isStreaming: Bool                    // replica: the WAL receiver is streaming
    public var upstream: String?                    // replica: the member it streams from, if known
    public var replication: [NodeStatus.ReplicationPeer]
    public var pendingRestart: [String: MemberStatus.PendingChange]
    public var postmasterStartTime: String?
    public var serverVersion: Int?

    public init(dataDirectoryExists: Bool = false, systemIdentifier: String? = nil, isRunning: Bool = false,
                isAnswering: Bool = false, role: Role? = nil, timeline: Int? = nil, flushLSN: Int64? = nil,
                receiveLSN: Int64? = nil, replayLSN: Int64? = nil, replayTimestamp: String? = nil,
                isStreaming: Bool = false, upstream: String? = nil, replication: [NodeStatus.ReplicationPeer] = [],
                pendingRestart: [String: MemberStatus.PendingChange] = [:], postmasterStartTime: String? = nil,
                serverVersion: Int? = nil) {
        self.dataDirectoryExists = dataDirectoryExists
        self.systemIdentifier = systemIdentifier
        self.isRunning = isRunning
        self.isAnswering = isAnswering
        self.role = role
        self.timeline = timeline
        self.flushLSN = flushLSN
        self.receiveLSN = receiveLSN
        self.replayLSN = replayLSN
        self.replayTimestamp = replayTimestamp
        self.isStreaming = isStreaming
        self.upstream = upstream
        self.replication = replication
        self.pendingRestart = pendingRestart
        self.postmasterStartTime = postmasterStartTime
        self.serverVersion = serverVersion
    }

    /// The WAL position peers compare in the leader race: flush on a primary, max(receive, replay) else.
    public var walPosition: Int64 {
        role == .primary ? (flushLSN ?? 0) : max(receiveLSN ?? 0, replayLSN ?? 0)
    }
}

public enum StopMode: String, Sendable {
    case fast          // SIGINT: disconnect clients, shutdown checkpoint
    case immediate     // SIGQUIT/SIGKILL: no checkpoint; crash recovery at next start — the fastest way
                       // to stop accepting writes when the leader lock is lost
}

public enum RewindOutcome: Sendable, Equatable {
    case notNeeded                  // the node did not write past the fork point
    case rewound
    case impossible(reason: String) // the caller falls back to a re-clone
}

public protocol PostgresController: Sendable {
    func observe() async -> PostgresObservation

    /// A new cluster in the empty data directory (the node that won /initialize).
    func initializeNewCluster() async throws
    /// A copy of `upstream` in the empty data directory, configured as its standby.
    func cloneFrom(_ upstream: UpstreamConnection) async throws
    /// Removes the data directory (before a re-clone: `ctl reinit`).
    func removeDataDirectory() async throws

    /// Starts the server; as a standby of `upstream` when given, else as a primary (no standby.signal).
    func start(standbyOf upstream: UpstreamConnection?, parameters: [String: String]) async throws
    func stop(mode: StopMode) async throws
    /// Applies `parameters` (the dynamic config's postgresql.parameters) with a reload (SIGHUP).
    func reload(parameters: [String: String]) async throws
    /// Ends recovery: timeline + 1, accepts writes.
    func promote() async throws
    /// Re-points a running standby at another upstream (restarting it when a reload cannot).
    func follow(_ upstream: UpstreamConnection, parameters: [String: String]) async throws
    /// Brings a diverged former primary back to `upstream`'s timeline (`minipg rewind`). Server stopped.
    func rewind(from upstream: UpstreamConnection) async throws -> RewindOutcome
    /// CHECKPOINT on the running server (after promotion, so a rewind against it is possible).
    func checkpoint() async throws
}
