// Bootstrap of a node with an empty data directory (patroni.md §2 step 7). The node that creates
// /initialize first runs initdb; every other node waits for a leader and clones it.
//
// Invariants:
// - /initialize is created with a create-only write ("" = initializing), so exactly one node runs initdb.
// - The initializing node takes the leader lock before it starts its new server as a primary: there is
//   no moment where a primary without the lock accepts writes.
// - A failed bootstrap removes /initialize and the half-made data directory, so another node may try.

extension HAAgent {
    func bootstrap(_ view: ClusterView) async throws -> String {
        if view.leader?.name == memberName {
            try await releaseLeaderLock()
            return "released the leader lock: my data directory is empty"
        }
        if view.effectiveConfig.isPaused { return "PAUSE: my data directory is empty; would have bootstrapped" }
        if view.initialize == nil, view.isUnlocked {
            guard try await clusterStore.initialize(systemID: "", createOnly: true) else {
                return "failed to acquire the initialize key: another member is initializing the cluster"
            }
            startAction(name: "bootstrap", state: "initializing new cluster") { agent in
                do {
                    try await agent.initializeNewCluster()
                    return "initialized a new cluster"
                } catch {
                    try? await agent.controller.removeDataDirectory()
                    try? await agent.clusterStore.cancelInitialization()
                    throw error
                }
            }
            return "trying to bootstrap a new cluster"
        }
        if let leader = view.leader?.name, let upstream = upstream(leader, in: view),
           view.member(named: leader)?.status.state == "running" {
            startAction(name: "bootstrap", state: "creating replica") { agent in
                try await agent.controller.cloneFrom(upstream)
                try await agent.startCloned(standbyOf: upstream)
                return "bootstrapped from leader '\(leader)'"
            }
            return "trying to bootstrap from leader '\(leader)'"
        }
        return "waiting for leader to bootstrap"
    }

    /// initdb, then the lock, then the server as primary.
    private func initializeNewCluster() async throws {
        try await controller.initializeNewCluster()
        let refreshStart = clock.now()
        try await clusterStore.refreshLease(ttl: config.ttl)
        leaseRefreshStart = refreshStart
        guard try await acquireLeaderLock() else {
            throw DCSError("another member took the leader lock while this node was initializing")
        }
        let parameters = serverParameters(settings.bootstrapConfig)
        try await controller.start(standbyOf: nil, parameters: parameters)
        appliedParameters = parameters
        rejoinCheck = .none
        lastRole = "master"
    }
}
