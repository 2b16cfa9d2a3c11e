// One HA cycle, in Patroni's order (patroni.md §2): renew the lease and read the cluster; keep the member
// key; finish a bootstrap's cluster keys; let a long action run; bootstrap an empty node; check the system
// identifier; recover a stopped server; then the lock holder's path, the follower's path, or the leader
// race. Every cycle ends in one sentence saying what was decided and why — logged, and shown on /patroni.
//
// Invariants:
// - A DCS error never looks like "no leader": it takes the DCS-error path, where a primary keeps running
//   only until its lease deadline (users.md theme 1: no demotion on a hiccup) and a replica keeps running.
// - The lease is refreshed before anything is decided, and the time its request was sent is what the
//   `LeaseGuard` measures the deadline from.
import Foundation

extension HAAgent {
    /// Runs one cycle; returns its decision (also logged).
    @discardableResult
    public func runCycle() async -> String {
        observation = await controller.observe()
        noticeFencing()
        if observation.isAnswering, let role = observation.role { lastRole = role == .primary ? "master" : "replica" }
        let message = await decide()
        lastMessage = message
        logger.info("\(message)")
        return message
    }

    /// The lease guard stopped the server behind the loop's back: it is no longer a primary with a lock.
    private func noticeFencing() {
        let count = leaseGuard.fenceCount
        guard count != fencesSeen else { return }
        fencesSeen = count
        holdsLock = false
        rejoinCheck = .required
        stoppedState = "stopped"
        lastRole = "demoted"
    }

    private func decide() async -> String {
        let refreshStart = clock.now()
        let view: ClusterView
        do {
            try await clusterStore.refreshLease(ttl: config.ttl)
            leaseRefreshStart = refreshStart
            view = try await clusterStore.load()
        } catch {
            return await handleDCSError(error)
        }
        remember(view)
        do {
            let message = try await process(view)
            try await touchMember()
            return message
        } catch let error as DCSError {
            return await handleDCSError(error)
        } catch {
            try? await touchMember()
            return "error during the HA cycle: \(error)"
        }
    }

    private func remember(_ view: ClusterView) {
        self.view = view
        viewReadAt = clock.now()
        dcsLastSeen = Date()
        if let leader = view.leader?.name {
            formerLeader = leader
            formerMembers = view.members
        }
    }

    /// Patroni's `_handle_dcs_error`, with the deadline measured instead of assumed: a primary keeps
    /// serving until the lease that holds its lock could expire, and not one moment longer.
    func handleDCSError(_ error: any Error) async -> String {
        guard observation.isRunning, observation.role == .primary, !config.isPaused else {
            return "DCS is not accessible (\(error)); keeping postgres as it is"
        }
        if let deadline = leaseGuard.deadline, clock.now() < deadline {
            let left = deadline - clock.now()
            return "DCS is not accessible (\(error)); I remain primary for at most \(left) "
                + "more: until my leader lease could expire"
        }
        await demote(.offline)
        return "demoted self because DCS is not accessible and I was a leader (\(error))"
    }

    private func process(_ view: ClusterView) async throws -> String {
        let paused = view.effectiveConfig.isPaused
        if isStopping { return "shutting down" }
        if view.member(named: memberName) == nil { try await touchMember() }
        if view.leader?.name == memberName { try await ensureClusterKeys(view) }

        if let action {
            if view.leader?.name == memberName {
                return try await updateLeaderLock()
                    ? "updated leader lock during \(action.name)" : "failed to update leader lock during \(action.name)"
            }
            return "\(action.name) in progress"
        }
        if let failure = lastFailure, view.leader?.name != memberName, !observation.isRunning {
            let since = clock.now() - failure.at
            if since < ttl {
                return "\(failure.name) failed \(since) ago (\(failure.reason)); trying again once ttl has passed"
            }
            lastFailure = nil
        }
        if !observation.dataDirectoryExists { return try await bootstrap(view) }
        if let initialized = view.initialize, !initialized.isEmpty, let mine = observation.systemIdentifier,
           mine != initialized {
            if paused { return "PAUSE: system ID mismatch: my data directory has \(mine), the cluster \(initialized)" }
            fatalError = "system ID mismatch, node \(memberName) belongs to a different cluster: \(mine) != \(initialized)"
            return fatalError ?? ""
        }
        if !observation.isRunning { return try await recoverStoppedServer(view) }
        if !observation.isAnswering {
            if view.leader?.name == memberName, try await !updateLeaderLock() { holdsLock = false }
            return "postgres is running but not answering yet; waiting"
        }
        if let message = try await applyConfigChange(view) { logger.info("\(message)") }

        let message: String
        if let leader = view.leader?.name {
            message = leader == memberName ? try await processAsLockHolder(view)
                                           : try await follow(view, leader: leader)
        } else {
            message = try await leaderRace(view)
        }
        if let restart = try await runScheduledRestartIfDue(view) { return message + "; " + restart }
        return message
    }

    /// The lock holder writes /initialize and /config if they are missing (after its own bootstrap).
    private func ensureClusterKeys(_ view: ClusterView) async throws {
        if view.initialize?.isEmpty ?? true, let systemID = observation.systemIdentifier {
            _ = try await clusterStore.initialize(systemID: systemID, createOnly: view.initialize == nil)
        }
        if view.config == nil {
            _ = try await clusterStore.setConfig(settings.bootstrapConfig, expectedRevision: 0)
        }
    }

    /// A change of postgresql.parameters in /config reaches the server by a reload (its restart-only
    /// parameters then become pending_restart, which the server reports and the member key shows).
    private func applyConfigChange(_ view: ClusterView) async throws -> String? {
        let wanted = serverParameters(view.effectiveConfig)
        guard let applied = appliedParameters else {      // the first cycle: the server runs with these
            appliedParameters = wanted
            return nil
        }
        guard wanted != applied else { return nil }
        if view.effectiveConfig.isPaused { return "PAUSE: would have reloaded postgres for the new parameters" }
        try await controller.reload(parameters: wanted)
        appliedParameters = wanted
        return "reloaded postgres: the parameters in the dynamic configuration changed"
    }

    /// The server's parameters for `config`, with the synchronous_standby_names this agent manages.
    func serverParameters(_ config: DynamicConfig) -> [String: String] {
        var parameters = settings.serverParameters(config)
        parameters["synchronous_standby_names"] = syncStandbyNames
        return parameters
    }

    /// The leader key names me: keep it (the lease refresh at the cycle's start already extended it).
    /// Arms the lease guard from that refresh. False when the key is definitely someone else's.
    func updateLeaderLock() async throws -> Bool {
        let kept = try await clusterStore.updateLeaderLock()
        if kept, let leaseRefreshStart {
            holdsLock = true
            leaseGuard.renewed(at: leaseRefreshStart, ttl: ttl)
        } else {
            holdsLock = false
            leaseGuard.disarm()
        }
        return kept
    }

    /// The create-only write of the leader key; on success the guard is armed before anything else.
    func acquireLeaderLock() async throws -> Bool {
        guard try await clusterStore.attemptToAcquireLeaderLock(), let leaseRefreshStart else { return false }
        holdsLock = true
        leaseGuard.renewed(at: leaseRefreshStart, ttl: ttl)
        return true
    }
}
