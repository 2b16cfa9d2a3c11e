// `ctl failover` and `ctl switchover`: patronictl's dialogue and checks, then the request.
//
// Order (patronictl 3.0's): print "Current cluster topology" and the table; a switchover needs a leader
// and asks for it (default: the current one) — a different name is refused; candidates are the other
// members without nofailover, sorted, asked for with the list shown; a failover needs one; a switchover
// asks when ("now" or an ISO time, not while paused); then "Are you sure …?". The request goes to the
// leader's REST API (POST /switchover or /failover; to the candidate when there is no leader), which
// answers once the new leader is in place. If no agent can be reached, the same request is written to
// /failover in the DCS and ctl watches the leader key itself until the candidate (or anyone else) holds it;
// it also keeps watching (for up to ttl) when the agent answers "status unknown" after its own wait.
import Foundation

/// A failover or switchover as decided by the dialogue: what goes into the request body and /failover.
public struct SwitchoverPlan: Sendable, Equatable {
    public enum Action: String, Sendable { case failover, switchover }
    public var action: Action
    public var leader: String?
    public var candidate: String?
    public var scheduledAt: Date?

    /// The POST body: {"leader": …, "candidate": …, "scheduled_at": …} (leader only for a switchover).
    public var requestBody: JSONValue {
        var fields: [String: JSONValue] = [:]
        if let candidate { fields["candidate"] = .string(candidate) }
        if action == .switchover, let leader { fields["leader"] = .string(leader) }
        if let scheduledAt { fields["scheduled_at"] = .string(CtlTimestamp.iso(scheduledAt)) }
        return .object(fields)
    }

    /// The /failover key written when no agent answers.
    public var failoverKey: FailoverRequest {
        FailoverRequest(leader: action == .switchover ? leader : nil, member: candidate,
                        scheduledAt: scheduledAt.map(CtlTimestamp.iso))
    }
}

public struct SwitchoverOptions: Sendable, Equatable {
    public var leader: String?
    public var candidate: String?
    public var scheduled: String?
    public var force = false

    public init(leader: String? = nil, candidate: String? = nil, scheduled: String? = nil, force: Bool = false) {
        self.leader = leader
        self.candidate = candidate
        self.scheduled = scheduled
        self.force = force
    }
}

extension CtlSession {
    /// The dialogue and every check, without sending anything.
    public func planSwitchover(_ action: SwitchoverPlan.Action, _ options: SwitchoverOptions,
                               view: ClusterView) throws -> SwitchoverPlan {
        var leader = options.leader
        if action == .switchover {
            guard let current = view.leader?.name, !current.isEmpty else { throw CtlError("This cluster has no leader") }
            if leader == nil { leader = options.force ? current : try terminal.prompt("Primary", default: current) }
            if leader != current { throw CtlError("Member \(leader ?? "") is not the leader of cluster \(scope)") }
        } else {
            leader = view.leader?.name
        }
        let candidates = view.members.filter { $0.name != leader && !$0.status.noFailover }.map(\.name).sorted()
        if candidates.isEmpty { throw CtlError("No candidates found to \(action.rawValue) to") }
        var candidate = options.candidate
        if candidate == nil && !options.force {
            let shown = "[" + candidates.map { "'\($0)'" }.joined(separator: ", ") + "]"
            candidate = try terminal.prompt("Candidate \(shown)", default: "")
        }
        if candidate == "" { candidate = nil }
        if action == .failover && candidate == nil {
            throw CtlError("Failover could be performed only to a specific candidate")
        }
        if let candidate, candidate == leader {
            throw CtlError("\(action.rawValue.capitalized) target and source are the same.")
        }
        if let candidate, !candidates.contains(candidate) {
            if view.member(named: candidate) == nil {
                throw CtlError("Member \(candidate) does not exist in cluster \(scope)")
            }
            throw CtlError("Member \(candidate) is tagged as nofailover and can not be promoted")
        }
        var scheduledAt: Date?
        if action == .switchover {
            var scheduled = options.scheduled
            if scheduled == nil && !options.force {
                let hint = CtlTimestamp.text(now().addingTimeInterval(3600), fractionDigits: 0).prefix(16)
                    .replacingOccurrences(of: " ", with: "T")
                scheduled = try terminal.prompt("When should the switchover take place (e.g. \(hint) ) ", default: "now")
            }
            scheduledAt = try scheduled.flatMap(CtlTimestamp.parseScheduled)
            if scheduledAt != nil && view.effectiveConfig.isPaused {
                throw CtlError("Can't schedule switchover in the paused state")
            }
        }
        let plan = SwitchoverPlan(action: action, leader: leader, candidate: candidate, scheduledAt: scheduledAt)
        if !options.force {
            let demoting = view.leader.map { ", demoting current leader \($0.name)" } ?? ""
            let question = scheduledAt.map {
                "Are you sure you want to schedule \(action.rawValue) of cluster \(scope) at \(CtlTimestamp.iso($0))\(demoting)?"
            } ?? "Are you sure you want to \(action.rawValue) cluster \(scope)\(demoting)?"
            guard try terminal.confirm(question) else {
                throw CtlError(scheduledAt == nil ? "Aborting \(action.rawValue)" : "Aborting scheduled \(action.rawValue)")
            }
        }
        return plan
    }

    public func switchover(_ action: SwitchoverPlan.Action, _ options: SwitchoverOptions) async throws {
        let view = try await load()
        terminal.print("Current cluster topology")
        printTopology(view)
        let plan = try planSwitchover(action, options, view: view)
        let target = view.leaderMember ?? plan.candidate.flatMap(view.member(named:))
        let timeout = Duration.seconds(2 * max(10, view.effectiveConfig.loopWait) + 10)
        if let target,
           let response = try? await api.send("POST", url: target.apiEndpoint(action.rawValue), body: plan.requestBody,
                                              timeout: timeout) {
            if response.status == 503, response.body.contains("status unknown") {
                // The agent stopped waiting, the switchover may still be under way: keep watching instead
                // of calling it failed (patronictl's "Switchover status unknown" leaves users guessing).
                terminal.print("\(CtlTimestamp.text(now())) \(response.body)")
                terminal.print("Still waiting for a new leader (up to ttl, \(view.effectiveConfig.ttl) s)")
                try await waitForNewLeader(plan, old: view, timeout: .seconds(view.effectiveConfig.ttl))
            } else if response.status == 200 || response.status == 202 {
                terminal.print("\(CtlTimestamp.text(now())) \(response.body)")
            } else {
                terminal.print("\(action.rawValue.capitalized) failed, details: \(response.status), \(response.body)")
                return
            }
        } else {
            terminal.print("\(CtlTimestamp.text(now())) Could not \(action.rawValue) using Patroni api, falling back to DCS")
            guard try await store.setFailover(plan.failoverKey) else { throw CtlError("Could not write the failover key") }
            if plan.scheduledAt == nil { try await waitForNewLeader(plan, old: view, timeout: timeout) }
        }
        printTopology(try await load())
    }

    /// After a DCS-only request: waits until the leader key names someone new, or /failover is gone.
    func waitForNewLeader(_ plan: SwitchoverPlan, old: ClusterView, timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            try await Task.sleep(for: pollInterval)
            let view = try await load()
            if let leader = view.leader?.name, leader != old.leader?.name {
                let verb = plan.action == .failover ? "failed" : "switched"
                let done = plan.candidate == nil || plan.candidate == leader
                    ? "Successfully \(verb) over to \"\(leader)\""
                    : "\(verb.capitalized) over to \"\(leader)\" instead of \"\(plan.candidate ?? "")\""
                terminal.print("\(CtlTimestamp.text(now())) \(done)")
                return
            }
            if view.failover == nil {
                terminal.print("\(CtlTimestamp.text(now())) \(plan.action.rawValue.capitalized) failed: the agents removed the request without a new leader")
                return
            }
        }
        terminal.print("\(CtlTimestamp.text(now())) \(plan.action.rawValue.capitalized) still in progress after \(timeout.components.seconds) s: the request stays in /failover")
    }
}
