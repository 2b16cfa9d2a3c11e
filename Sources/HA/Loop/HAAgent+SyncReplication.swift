// synchronous_mode on the primary, once per cycle (patroni.md §3): keep /sync naming this node as leader
// and exactly the standbys that are synchronous, and keep synchronous_standby_names in step with it, in
// the order `SynchronousStandbyPlan` explains. With synchronous_mode off, /sync is removed and
// synchronous_standby_names emptied.

extension HAAgent {
    func processSyncReplication(_ view: ClusterView) async throws {
        let config = view.effectiveConfig
        if config.isPaused { return }
        guard config.synchronousMode else {
            if view.sync != nil { _ = try await clusterStore.deleteSync(expectedRevision: view.syncRevision) }
            try await setSyncStandbyNames("")
            return
        }
        var published = view.sync?.leader == memberName ? view.sync?.members ?? [] : []
        if view.sync?.leader != memberName {
            guard try await clusterStore.setSync(SyncState(leader: memberName, syncStandby: nil),
                                                 expectedRevision: view.sync == nil ? 0 : view.syncRevision) else {
                logger.info("the synchronous replication state was changed by somebody else; retrying next cycle")
                return
            }
            logger.info("Enabled synchronous replication")
        }
        let eligible = Set(view.members.filter { $0.name != memberName && !$0.status.noSync }.map(\.name))
        let plan = SynchronousStandbyPlan(current: published, replication: observation.replication,
                                          eligible: eligible, count: config.synchronousNodeCount)
        let kept = published.filter { plan.confirmed.contains($0) }
        if kept != published {
            try await publishSync(kept)
            published = kept
            logger.info("removed from /sync the standbys that are no longer synchronous")
        }
        try await setSyncStandbyNames(SynchronousStandbyPlan.standbyNames(plan.picked,
                                                                          strict: config.synchronousModeStrict))
        if plan.confirmed != published {
            try await publishSync(plan.confirmed)
            logger.info("synchronous standbys now: \(plan.confirmed.isEmpty ? "none" : plan.confirmed.joined(separator: ", "))")
        }
    }

    private func publishSync(_ names: [String]) async throws {
        let revision = try await clusterStore.store.get(key: clusterStore.syncKey)?.modRevision ?? 0
        let value = SyncState(leader: memberName, syncStandby: names.isEmpty ? nil : names.sorted().joined(separator: ","))
        if try await !clusterStore.setSync(value, expectedRevision: revision) {
            logger.warning("/sync changed concurrently while publishing the synchronous standbys; next cycle retries")
        }
    }

    private func setSyncStandbyNames(_ names: String) async throws {
        guard names != syncStandbyNames else { return }
        syncStandbyNames = names
        let parameters = serverParameters(config)
        try await controller.reload(parameters: parameters)
        appliedParameters = parameters
        logger.info("synchronous_standby_names set to '\(names)'")
    }
}
