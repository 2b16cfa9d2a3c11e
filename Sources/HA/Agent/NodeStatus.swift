// What an agent says about its node on GET /patroni and on every health-check endpoint (Patroni's
// `get_postgresql_status`, ../shared/reference/patroni.md §5.1). Peers read it during the leader race
// to compare WAL positions; `ctl` and the proxy read it too. Field names are Patroni's.
//
// Invariant: positions are byte LSNs. A primary reports `xlog.location` (its flush LSN) and no receive/
// replay positions; a replica reports received/replayed and no `location` — peers tell a running primary
// from a replica by exactly that (patroni.md §2.2).

public struct NodeStatus: Codable, Sendable, Equatable {
    public var state: String                        // running, stopped, starting, crashed, …
    public var postmasterStartTime: String?         // "2026-11-30 01:03:37.966359+00:00"
    public var role: String                         // master | replica | demoted | uninitialized
    public var serverVersion: Int?                  // 150000
    public var xlog: WALPositions?
    public var timeline: Int?
    public var replicationState: String?            // streaming | in archive recovery
    public var replication: [ReplicationPeer]?      // a primary's pg_stat_replication rows
    public var syncStandby: Bool?
    public var pause: Bool?
    public var clusterUnlocked: Bool?
    public var dcsLastSeen: Int64?                  // epoch seconds of the last successful DCS read
    public var tags: [String: JSONValue]?
    public var databaseSystemIdentifier: String?
    public var pendingRestart: Bool?
    public var pendingRestartReason: [String: MemberStatus.PendingChange]?
    public var scheduledRestart: JSONValue?
    public var patroni: AgentIdentity?

    public struct WALPositions: Codable, Sendable, Equatable {
        public var location: Int64?                 // primary: flush LSN
        public var receivedLocation: Int64?         // replica: pg_last_wal_receive_lsn()
        public var replayedLocation: Int64?         // replica: pg_last_wal_replay_lsn()
        public var replayedTimestamp: String?
        public var paused: Bool?

        public init(location: Int64? = nil, receivedLocation: Int64? = nil, replayedLocation: Int64? = nil,
                    replayedTimestamp: String? = nil, paused: Bool? = nil) {
            self.location = location
            self.receivedLocation = receivedLocation
            self.replayedLocation = replayedLocation
            self.replayedTimestamp = replayedTimestamp
            self.paused = paused
        }

        enum CodingKeys: String, CodingKey {
            case location, receivedLocation = "received_location", replayedLocation = "replayed_location"
            case replayedTimestamp = "replayed_timestamp", paused
        }
    }

    public struct ReplicationPeer: Codable, Sendable, Equatable {
        public var usename: String?
        public var applicationName: String
        public var clientAddr: String?
        public var state: String
        public var syncState: String
        public var syncPriority: Int

        public init(usename: String?, applicationName: String, clientAddr: String?, state: String,
                    syncState: String, syncPriority: Int) {
            self.usename = usename
            self.applicationName = applicationName
            self.clientAddr = clientAddr
            self.state = state
            self.syncState = syncState
            self.syncPriority = syncPriority
        }

        enum CodingKeys: String, CodingKey {
            case usename, applicationName = "application_name", clientAddr = "client_addr", state
            case syncState = "sync_state", syncPriority = "sync_priority"
        }
    }

    public struct AgentIdentity: Codable, Sendable, Equatable {
        public var version: String
        public var scope: String
        public var name: String
        public init(version: String, scope: String, name: String) {
            self.version = version
            self.scope = scope
            self.name = name
        }
    }

    public init(state: String, role: String) {
        self.state = state
        self.role = role
    }

    enum CodingKeys: String, CodingKey {
        case state, postmasterStartTime = "postmaster_start_time", role, serverVersion = "server_version"
        case xlog, timeline, replicationState = "replication_state", replication, syncStandby = "sync_standby"
        case pause, clusterUnlocked = "cluster_unlocked", dcsLastSeen = "dcs_last_seen", tags
        case databaseSystemIdentifier = "database_system_identifier", pendingRestart = "pending_restart"
        case pendingRestartReason = "pending_restart_reason", scheduledRestart = "scheduled_restart", patroni
    }

    /// How a peer reads this status in the leader race: not in recovery ⇔ it reports a primary location.
    public var isInRecovery: Bool { !(xlog?.location != nil || role == "master" || role == "primary") }
    /// max(received, replayed) for a replica; the flush location for a primary.
    public var walPosition: Int64 {
        if let location = xlog?.location { return location }
        return max(xlog?.receivedLocation ?? 0, xlog?.replayedLocation ?? 0)
    }
}
