// Which standbys the primary makes synchronous in synchronous_mode (patroni.md §3), as a pure choice:
// keep the current synchronous standbys while they still stream, then fill up to synchronous_node_count
// with other streaming members, by name; members tagged nosync never qualify.
//
// Invariant (the order the agent applies it in, Patroni's): a standby is added to
// synchronous_standby_names first and published in /sync only once pg_stat_replication shows it
// synchronous; it is removed from /sync first and from synchronous_standby_names after. So /sync never
// names a standby that was not synchronous — which is what lets a /sync member be promoted safely.

struct SynchronousStandbyPlan: Equatable {
    /// The standbys for synchronous_standby_names.
    var picked: [String]
    /// Of those, the ones pg_stat_replication confirms as synchronous right now (may appear in /sync).
    var confirmed: [String]

    init(current: [String], replication: [NodeStatus.ReplicationPeer], eligible: Set<String>, count: Int) {
        let streaming = replication.filter { $0.state == "streaming" && eligible.contains($0.applicationName) }
            .map(\.applicationName)
        var picked = current.filter { streaming.contains($0) }
        for name in streaming.sorted() where picked.count < count && !picked.contains(name) { picked.append(name) }
        picked = Array(picked.prefix(max(count, 0))).sorted()
        self.picked = picked
        self.confirmed = replication.filter { ["sync", "quorum"].contains($0.syncState) }
            .map(\.applicationName).filter { picked.contains($0) }.sorted()
    }

    /// synchronous_standby_names for `names`: "" (none), "\"a\"", or "2 (\"a\",\"b\")".
    static func standbyNames(_ names: [String], strict: Bool) -> String {
        if names.isEmpty { return strict ? "*" : "" }
        let quoted = names.map { "\"\($0)\"" }
        return names.count == 1 ? quoted[0] : "\(names.count) (\(quoted.joined(separator: ",")))"
    }
}
