// GET /cluster: the whole cluster as one JSON document (Patroni's `cluster_as_json`), from a DCS reading —
// what `ctl list` draws its table from and what a proxy or a person reads to see who leads.
//
//   {"members":[{"name","role","state","api_url","host","port","timeline","lag",…}],"pause":true,
//    "scheduled_switchover":{"at","from","to"},"scope":"demo"}
//
// Roles: the lock holder is "leader", a member listed in /sync under synchronous_mode "sync_standby",
// everyone else "replica". `lag` (bytes) is the leader's last published LSN minus the member's, never
// negative, "unknown" when the member published no position; the leader has none.

enum ClusterDocument {
    static func make(_ cluster: ClusterView, scope: String) -> JSONValue {
        let config = cluster.effectiveConfig
        let leaderName = cluster.leader?.name
        let members: [JSONValue] = cluster.members.map { member in
            var fields: [String: JSONValue] = ["name": .string(member.name), "state": .string(member.status.state),
                                               "api_url": .string(member.status.apiURL)]
            if member.name == leaderName {
                fields["role"] = .string("leader")
            } else if config.synchronousMode, cluster.sync?.contains(member.name) == true {
                fields["role"] = .string("sync_standby")
            } else {
                fields["role"] = .string("replica")
            }
            let (host, port) = member.hostAndPort
            if !host.isEmpty {
                fields["host"] = .string(host)
                fields["port"] = .int(Int64(port))
            }
            let status = member.status
            if let timeline = status.timeline { fields["timeline"] = .int(Int64(timeline)) }
            if let pending = status.pendingRestart { fields["pending_restart"] = .bool(pending) }
            if let reasons = status.pendingRestartReason {
                fields["pending_restart_reason"] = .object(reasons.mapValues {
                    .object(["old_value": .string($0.oldValue), "new_value": .string($0.newValue)])
                })
            }
            if let scheduled = status.scheduledRestart { fields["scheduled_restart"] = scheduled }
            if let tags = status.tags { fields["tags"] = .object(tags) }
            if member.name != leaderName {
                fields["lag"] = cluster.lagBytes(of: member).map { .int($0) } ?? .string("unknown")
            }
            return .object(fields)
        }
        var document: [String: JSONValue] = ["members": .array(members), "scope": .string(scope)]
        if config.isPaused { document["pause"] = .bool(true) }
        if let failover = cluster.failover, let at = failover.scheduledAt {
            var switchover: [String: JSONValue] = ["at": .string(at)]
            if let from = failover.leader { switchover["from"] = .string(from) }
            if let to = failover.member { switchover["to"] = .string(to) }
            document["scheduled_switchover"] = .object(switchover)
        }
        return .object(document)
    }
}
