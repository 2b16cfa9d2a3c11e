// ServerObservation: what the agent asks its running server each HA cycle, in one short session —
// the questions Patroni asks PostgreSQL (patroni.md §5.1), with minipg's answers:
//
//   pg_is_in_recovery()                   role
//   pg_current_wal_flush_lsn()            primary's position   ┐ byte LSNs via
//   pg_last_wal_receive/replay_lsn()      replica's positions  ┘ pg_wal_lsn_diff(x, '0/0')
//   pg_walfile_name(...)                  primary's timeline: the first 8 hex digits (as Patroni does)
//   pg_stat_wal_receiver                  replica's timeline (received_tli), streaming?, sender host:port
//   pg_stat_replication                   a primary's standbys
//   pg_settings.pending_restart           postmaster settings changed in the file, waiting for a restart
//   pg_postmaster_start_time(), server_version_num
//
// Two round trips: the role first, because the "current" WAL functions fail on a standby (55000);
// then the role's questions and pending_restart, as one multi-statement simple query.

import PGWire

struct ServerObservation: Sendable {
    var isInRecovery = false
    var flushLSN: Int64?
    var receiveLSN: Int64?
    var replayLSN: Int64?
    var replayTimestamp: String?
    var timeline: Int?
    var receiverStatus: String?
    var senderHost: String?
    var senderPort: Int?
    var replication: [NodeStatus.ReplicationPeer] = []
    /// name → the running value of each setting waiting for a restart.
    var pendingRestart: [String: String] = [:]
    var postmasterStartTime: String?
    var serverVersion: Int?

    static let commonQuery = """
        select pg_is_in_recovery() as in_recovery, pg_postmaster_start_time()::text as start_time, \
        current_setting('server_version_num') as version
        """
    static let primaryQuery = """
        select pg_wal_lsn_diff(pg_current_wal_flush_lsn(), '0/0')::text as flush, \
        pg_walfile_name(pg_current_wal_flush_lsn()) as walfile
        """
    static let replicaQuery = """
        select pg_wal_lsn_diff(pg_last_wal_receive_lsn(), '0/0')::text as receive, \
        pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')::text as replay, \
        pg_last_xact_replay_timestamp()::text as replay_time
        """
    static let receiverQuery = "select status, received_tli, sender_host, sender_port from pg_stat_wal_receiver"
    static let replicationQuery = """
        select usename, application_name, client_addr::text as client_addr, state, sync_state, sync_priority \
        from pg_stat_replication order by application_name
        """
    static let pendingRestartQuery = "select name, setting from pg_settings where pending_restart"

    /// Asks the server on `connection` (blocking; the caller bounds the time).
    static func read(_ connection: PGClientConnection) throws -> ServerObservation {
        var observation = ServerObservation()
        let common = try BoundedSession.rows(connection, commonQuery).first ?? [:]
        observation.isInRecovery = common["in_recovery"] == "t"
        observation.postmasterStartTime = common["start_time"]
        observation.serverVersion = common["version"].flatMap { Int($0) }
        // The role's questions and pending_restart in one round trip: three statements, three results.
        let batch = observation.isInRecovery ? [replicaQuery, receiverQuery, pendingRestartQuery]
                                             : [primaryQuery, replicationQuery, pendingRestartQuery]
        let results = try BoundedSession.results(connection, batch)
        let positions = results[0].first ?? [:]
        if observation.isInRecovery {
            observation.receiveLSN = positions["receive"].flatMap { Int64($0) }
            observation.replayLSN = positions["replay"].flatMap { Int64($0) }
            observation.replayTimestamp = positions["replay_time"]
            if let receiver = results[1].first {
                observation.receiverStatus = receiver["status"]
                observation.timeline = receiver["received_tli"].flatMap { Int($0) }
                observation.senderHost = receiver["sender_host"]
                observation.senderPort = receiver["sender_port"].flatMap { Int($0) }
            }
        } else {
            observation.flushLSN = positions["flush"].flatMap { Int64($0) }
            observation.timeline = positions["walfile"].flatMap(timeline(ofWALFile:))
            observation.replication = results[1].map { row in
                NodeStatus.ReplicationPeer(usename: row["usename"], applicationName: row["application_name"] ?? "",
                                           clientAddr: row["client_addr"], state: row["state"] ?? "",
                                           syncState: row["sync_state"] ?? "async",
                                           syncPriority: row["sync_priority"].flatMap { Int($0) } ?? 0)
            }
        }
        for row in results[2] {
            if let name = row["name"] { observation.pendingRestart[name] = row["setting"] ?? "" }
        }
        return observation
    }

    /// The timeline of a WAL segment name: its first 8 hex digits (000000020000000000000003 → 2).
    static func timeline(ofWALFile name: String) -> Int? {
        guard name.count == 24 else { return nil }
        return Int(name.prefix(8), radix: 16)
    }
}
