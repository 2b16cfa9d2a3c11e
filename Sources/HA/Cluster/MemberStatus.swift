// The value of /service/<scope>/members/<name>: what each agent publishes about itself every HA cycle,
// in Patroni 3's JSON shape (../shared/reference/patroni.md §4.1), so `etcdctl get` shows what Patroni
// users expect and `ctl list` can draw its table from the DCS alone.
//
// Invariant: `xlogLocation` is a byte position (an LSN as an integer): the flush LSN on a primary,
// max(receive, replay) on a replica. Lag in MB = (leader's /status optime − xlogLocation) / 2^20.

public struct MemberStatus: Codable, Sendable, Equatable {
    public var connURL: String              // postgres://127.0.0.1:5432/postgres
    public var apiURL: String               // http://127.0.0.1:8008/patroni
    public var state: String                // running, starting, stopped, crashed, creating replica, …
    public var role: String                 // master, replica, demoted, uninitialized (Patroni 3 says master)
    public var version: String              // the agent's version
    public var xlogLocation: Int64?
    public var timeline: Int?
    public var replicationState: String?    // streaming | in archive recovery (replicas)
    public var tags: [String: JSONValue]?
    public var pendingRestart: Bool?
    public var pendingRestartReason: [String: PendingChange]?
    public var scheduledRestart: JSONValue?
    public var pause: Bool?
    public var checkpointAfterPromote: Bool?

    public struct PendingChange: Codable, Sendable, Equatable {
        public var oldValue: String
        public var newValue: String
        public init(oldValue: String, newValue: String) { self.oldValue = oldValue; self.newValue = newValue }
        enum CodingKeys: String, CodingKey { case oldValue = "old_value", newValue = "new_value" }
    }

    enum CodingKeys: String, CodingKey {
        case connURL = "conn_url", apiURL = "api_url", state, role, version
        case xlogLocation = "xlog_location", timeline, replicationState = "replication_state", tags
        case pendingRestart = "pending_restart", pendingRestartReason = "pending_restart_reason"
        case scheduledRestart = "scheduled_restart", pause, checkpointAfterPromote = "checkpoint_after_promote"
    }

    public init(connURL: String, apiURL: String, state: String, role: String, version: String) {
        self.connURL = connURL
        self.apiURL = apiURL
        self.state = state
        self.role = role
        self.version = version
    }

    // Tags with Patroni's rules (patroni/tags.py).
    public var noFailover: Bool { Self.noFailover(tags: tags) }
    /// Default 1; ≤ 0 means "never promote"; `nofailover: true` forces 0.
    public var failoverPriority: Int64 { Self.failoverPriority(tags: tags) }

    /// The same rules for tags read elsewhere (a peer's GET /patroni answer in the leader race).
    public static func noFailover(tags: [String: JSONValue]?) -> Bool { failoverPriority(tags: tags) <= 0 }
    public static func failoverPriority(tags: [String: JSONValue]?) -> Int64 {
        if tags?["nofailover"]?.boolValue == true { return 0 }
        return tags?["failover_priority"]?.intValue ?? 1
    }
    public var noLoadBalance: Bool { tags?["noloadbalance"]?.boolValue == true }
    public var noSync: Bool { tags?["nosync"]?.boolValue == true }
    public var replicateFrom: String? { tags?["replicatefrom"]?.stringValue }
    public var isPrimaryRole: Bool { role == "master" || role == "primary" }
}

/// A member as read from the DCS: its name (the last path component) and value.
public struct Member: Sendable, Equatable {
    public var name: String
    public var status: MemberStatus
    public var modRevision: Int64

    public init(name: String, status: MemberStatus, modRevision: Int64 = 0) {
        self.name = name
        self.status = status
        self.modRevision = modRevision
    }

    /// host:port of the PostgreSQL server, parsed from conn_url.
    public var hostAndPort: (host: String, port: Int) {
        var rest = Substring(status.connURL)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        if let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]) {
            return (String(rest[..<colon]), port)
        }
        return (String(rest), 5432)
    }
}
