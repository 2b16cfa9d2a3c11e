// A switchover or failover request (/failover) as the current leader handles it (patroni.md §6): wait
// for its scheduled time, check that some member can take over, then demote gracefully — checkpoint,
// stop fast, release the lock — so the candidate wins the race the moment the key is gone. A request that
// cannot be honoured is removed, and the log says which candidate was rejected and why (users.md theme 6).
//
// Invariant: the leader never releases the lock unless a reachable, running replica allowed to be
// promoted exists; the members (`HealthiestNodeCheck`) let the named candidate win.
import Foundation

extension HAAgent {
    /// nil when the request does not concern this cycle (scheduled for later): carry on as leader.
    func processManualFailover(_ request: FailoverRequest, view: ClusterView) async throws -> String? {
        let config = view.effectiveConfig
        if let text = request.scheduledAt {
            if config.isPaused {
                _ = try await clusterStore.deleteFailover(expectedRevision: view.failoverRevision)
                return "PAUSE: removed the scheduled switchover: scheduled switchovers are not allowed in pause"
            }
            guard let date = Self.parseTimestamp(text) else {
                _ = try await clusterStore.deleteFailover(expectedRevision: view.failoverRevision)
                return "cleaning up failover key: cannot parse scheduled_at \(text)"
            }
            let delta = date.timeIntervalSinceNow
            if delta > Double(config.loopWait) {
                logger.info("awaiting failover at \(text) (in \(Int(delta)) seconds)")
                return nil
            }
            if delta < -1.5 * Double(config.loopWait) {
                _ = try await clusterStore.deleteFailover(expectedRevision: view.failoverRevision)
                return "Found a stale failover value, cleaning up: \(text)"
            }
            if delta > 0 { try await clock.sleep(for: .milliseconds(Int64(delta * 1000))) }
        }
        if let from = request.leader, from != memberName {
            _ = try await clusterStore.deleteFailover(expectedRevision: view.failoverRevision)
            return "cleaning up failover key: it asks \(from) to step down, but I am the leader"
        }
        if request.member == memberName {
            _ = try await clusterStore.deleteFailover(expectedRevision: view.failoverRevision)
            return "cleaning up failover key: its candidate is me, the current leader"
        }
        let rejections = await candidateRejections(request, view: view)
        if rejections.accepted.isEmpty {
            _ = try await clusterStore.deleteFailover(expectedRevision: view.failoverRevision)
            return "cleaning up failover key: no member can take over: "
                + rejections.reasons.joined(separator: "; ")
        }
        await demote(.graceful)
        let target = request.member ?? "the healthiest of \(rejections.accepted.joined(separator: ", "))"
        return "manual failover: demoted self gracefully and released the leader lock; \(target) takes over"
    }

    /// The members that could take over now, and for each one that cannot, why.
    private func candidateRejections(_ request: FailoverRequest, view: ClusterView)
        async -> (accepted: [String], reasons: [String]) {
        let names = request.member.map { [$0] } ?? view.members.map(\.name).filter { $0 != memberName }
        var reasons: [String] = []
        var askable: [Member] = []
        for name in names {
            guard let member = view.member(named: name) else { reasons.append("\(name): not a member"); continue }
            if member.status.noFailover { reasons.append("\(name): its tags forbid promotion"); continue }
            askable.append(member)
        }
        let syncOnly = view.effectiveConfig.synchronousMode && request.leader != nil
        let answers = await peerFetcher.statuses(of: askable)
        var accepted: [String] = []
        for member in askable {
            switch answers[member.name] {
            case .status(let status)?:
                if status.state != "running" { reasons.append("\(member.name): postgres is \(status.state)") }
                else if !status.isInRecovery { reasons.append("\(member.name): it is running as a primary") }
                else if MemberStatus.noFailover(tags: status.tags) { reasons.append("\(member.name): nofailover") }
                else if syncOnly, view.sync?.contains(member.name) != true {
                    reasons.append("\(member.name): not a synchronous standby (synchronous_mode is on)")
                } else { accepted.append(member.name) }
            case .unreachable(let why)?: reasons.append("\(member.name): unreachable (\(why))")
            case nil: reasons.append("\(member.name): not asked")
            }
        }
        if names.isEmpty { reasons.append("there are no other members") }
        return (accepted, reasons)
    }
}
