// The leader race (patroni.md §2.2): the cluster has no leader key. Ask the peers where they are (in
// parallel), decide with `HealthiestNodeCheck`, and if this node is the healthiest, try the create-only
// write of the leader key; the winner promotes itself in the same cycle.
//
// Invariant: the lease guard is armed the moment the key is won, before the promotion, so a winner that
// then stalls can never be writable after its lease could expire.

extension HAAgent {
    func leaderRace(_ view: ClusterView) async throws -> String {
        if view.effectiveConfig.isPaused {
            if observation.role == .primary, view.initialize == observation.systemIdentifier {
                guard try await acquireLeaderLock() else { return "PAUSE: another member took the leader lock" }
                return "PAUSE: acquired the leader lock: I am running as primary"
            }
            return "PAUSE: the cluster has no leader; would have raced for the leader lock"
        }
        let toAsk = HealthiestNodeCheck.peersToAsk(me: memberName, view: view, formerMembers: formerMembers)
        let answers = await peerFetcher.statuses(of: toAsk)
        let verdict = HealthiestNodeCheck(me: memberName, myTags: settings.tags.isEmpty ? nil : settings.tags,
                                          observation: observation, view: view, peers: answers,
                                          formerLeader: formerLeader).verdict()
        guard verdict.isHealthiest else {
            return "not racing for the leader lock because I am not the healthiest node: \(verdict.reason)"
        }
        guard try await acquireLeaderLock() else {
            return "failed to acquire the leader lock: another member won the race"
        }
        logger.info("acquired the leader lock: \(verdict.reason)")
        if view.failover != nil { _ = try await clusterStore.deleteFailover() }
        return try await enforcePrimaryRole(view, acquired: true)
    }
}
