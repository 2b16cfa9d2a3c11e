// POST /switchover, POST /failover and DELETE /switchover (patroni.md §5, §6). A request that passes
// SwitchoverValidation is written to /failover — compare-and-set on the revision read, so two operators
// cannot overwrite each other's request — and the HA loops carry it out. A scheduled one is answered 202 at
// once; an immediate one is followed in the DCS until the leader key names someone else (200), the request
// vanishes with the leader unchanged (503, refused by the leader), or 2 × max(10, loop_wait) seconds pass
// (503, status unknown). The DCS is watched, so the answer comes as soon as the leader changes, and read
// again at least every second.

extension RESTRouter {
    static let pollInterval = Duration.seconds(1)

    func manualFailover(_ kind: ManualFailoverKind, _ body: [String: JSONValue]) async -> RESTResponse {
        let view: ClusterView
        do {
            view = try await agent.clusterStore.load()
        } catch {
            return .text(503, "DCS is not accessible: \(error)")
        }
        let plan: ManualFailoverPlan
        do {
            plan = try SwitchoverValidation.plan(kind, body: body, isPaused: view.effectiveConfig.isPaused)
        } catch {
            return .text(error.status, error.message)
        }
        let described = "leader=\(plan.leader ?? "none") candidate=\(plan.candidate ?? "none") "
            + "scheduled_at=\(plan.scheduledAt ?? "none")"
        logger.info("REST API: received \(plan.kind.rawValue) request with \(described)")
        if plan.scheduledAt == nil,
           let reason = await SwitchoverValidation.impossibility(of: plan, in: view, scope: agent.scope, peers: peers) {
            return .text(412, reason)
        }
        let request = FailoverRequest(leader: plan.leader, member: plan.candidate, scheduledAt: plan.scheduledAt)
        do {
            guard try await agent.clusterStore.setFailover(request, expectedRevision: view.failoverRevision) else {
                return .text(409, "Another switchover or failover request was written to "
                             + "\(agent.clusterStore.failoverKey) at the same time; look at it and retry")
            }
        } catch {
            return .text(503, "failed to write failover key into DCS: \(error)")
        }
        await agent.wakeHALoop()
        if plan.scheduledAt != nil { return .text(202, "\(plan.kind.title) scheduled") }
        return await followManualFailover(plan, formerLeader: view.leader?.name, from: view.revision,
                                          loopWait: view.effectiveConfig.loopWait)
    }

    func cancelScheduledSwitchover() async -> RESTResponse {
        let view: ClusterView
        do {
            view = try await agent.clusterStore.load()
        } catch {
            return .text(503, "DCS is not accessible: \(error)")
        }
        guard view.failover?.scheduledAt != nil else { return .text(404, "no switchover is scheduled") }
        do {
            guard try await agent.clusterStore.deleteFailover(expectedRevision: view.failoverRevision) else {
                return .text(409, "The scheduled switchover was changed concurrently; look at it and retry")
            }
        } catch {
            return .text(503, "DCS is not accessible: \(error)")
        }
        return .text(200, "scheduled switchover deleted")
    }

    /// Watches the DCS after the /failover write (at `revision`) until the outcome is known or time is up.
    private func followManualFailover(_ plan: ManualFailoverPlan, formerLeader: String?, from revision: Int64,
                                      loopWait: Int) async -> RESTResponse {
        let store = agent.clusterStore
        var seen = revision
        var view: ClusterView?
        let waitSeconds = 2 * max(10, loopWait)
        let deadline = agent.clock.now() + .seconds(waitSeconds)
        while agent.clock.now() < deadline {
            let remaining = deadline - agent.clock.now()
            do {
                _ = try await store.waitForChange(after: seen, timeout: min(Self.pollInterval, remaining))
                let current = try await store.load()
                seen = current.revision
                view = current
            } catch {
                try? await agent.clock.sleep(for: min(Self.pollInterval, remaining))
                continue
            }
            if let current = view, let outcome = Self.outcome(of: plan, formerLeader: formerLeader, in: current) {
                return outcome
            }
        }
        let lockState: String
        if let leader = view?.leader?.name ?? formerLeader {
            lockState = "the leader lock is still held by \(leader)"
        } else {
            lockState = "no member holds the leader lock yet"
        }
        return .text(503, "\(plan.kind.title) status unknown: after \(waitSeconds) s \(lockState) and the request is "
                     + "still in \(store.failoverKey); it may yet complete — watch the cluster")
    }

    /// Patroni's reading of a poll: a new leader is success; a vanished request with no new leader failed.
    static func outcome(of plan: ManualFailoverPlan, formerLeader: String?, in view: ClusterView) -> RESTResponse? {
        if let leader = view.leader?.name, leader != formerLeader {
            if plan.candidate == nil || plan.candidate == leader {
                return .text(200, "Successfully \(plan.kind.pastTense) over to \"\(leader)\"")
            }
            return .text(200, "\(plan.kind.pastTenseTitle) over to \"\(leader)\" instead of \"\(plan.candidate ?? "")\"")
        }
        if view.failover == nil {
            let holder = view.leader.map { "\($0.name) still holds the leader lock" } ?? "no member holds the leader lock"
            return .text(503, "\(plan.kind.title) failed: the request was withdrawn and \(holder); the leader's log "
                         + "says why it refused")
        }
        return nil
    }
}
