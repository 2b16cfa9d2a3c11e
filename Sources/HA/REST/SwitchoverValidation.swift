// The checks a switchover or failover request passes before it is written to /failover (patroni.md §5,
// §6): first the request's own shape (400s, Patroni's texts), then — for an immediate one — whether the
// cluster can do it at all (412). Patroni answers the latter with "no good candidates have been found" and
// nothing more (users.md, theme 6); here the 412 names every candidate considered and why each was
// rejected: its REST API did not answer, it is tagged nofailover, its server is not running, it is too far
// behind the leader for a switchover (maximum_lag_on_failover), or its timeline is behind (check_timeline).
import Foundation

enum ManualFailoverKind: String, Sendable {
    case switchover, failover

    var title: String { self == .switchover ? "Switchover" : "Failover" }
    /// "switched" / "failed", for `Successfully switched over to "X"`.
    var pastTense: String { self == .switchover ? "switched" : "failed" }
    var pastTenseTitle: String { self == .switchover ? "Switched" : "Failed" }
}

/// A request that passed the shape checks.
struct ManualFailoverPlan: Sendable, Equatable {
    var kind: ManualFailoverKind
    var leader: String?
    var candidate: String?
    var scheduledAt: String?
}

struct ManualFailoverRejection: Error, Equatable {
    var status: Int
    var message: String
}

enum SwitchoverValidation {
    /// Patroni's rules on the body alone, in Patroni's order. A failover naming a leader is a switchover.
    static func plan(_ kind: ManualFailoverKind, body: [String: JSONValue], isPaused: Bool,
                     now: Date = Date()) throws(ManualFailoverRejection) -> ManualFailoverPlan {
        let leader = body["leader"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let candidate = (body["candidate"] ?? body["member"])?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        var plan = ManualFailoverPlan(kind: kind, leader: leader, candidate: candidate)
        if kind == .failover, candidate == nil {
            throw ManualFailoverRejection(status: 400, message: "Failover could be performed only to a specific candidate")
        }
        if kind == .switchover, leader == nil {
            throw ManualFailoverRejection(status: 400, message: "Switchover could be performed only from a specific leader")
        }
        if let scheduled = body["scheduled_at"]?.stringValue, !scheduled.isEmpty {
            if kind == .failover { throw ManualFailoverRejection(status: 400, message: "Failover can't be scheduled") }
            if isPaused {
                throw ManualFailoverRejection(status: 400, message: "Can't schedule switchover in the paused state")
            }
            do {
                plan.scheduledAt = try ScheduledTime.validate(scheduled, action: "switchover", now: now)
            } catch {
                throw ManualFailoverRejection(status: error.status, message: error.message)
            }
        }
        if isPaused, candidate == nil {
            throw ManualFailoverRejection(status: 400,
                                          message: "Switchover is possible only to a specific candidate in a paused state")
        }
        if kind == .failover, leader != nil { plan.kind = .switchover }
        if let leader, leader == candidate {
            throw ManualFailoverRejection(status: 400, message: "Switchover target and source are the same")
        }
        return plan
    }

    /// Nil when the cluster can carry `plan` out now; else the 412 message. Each candidate is asked for its
    /// status through `peers`, all at once.
    static func impossibility(of plan: ManualFailoverPlan, in cluster: ClusterView, scope: String,
                              peers: any PeerStatusFetching) async -> String? {
        let action = plan.kind.rawValue
        let config = cluster.effectiveConfig
        if let leader = plan.leader, cluster.leader?.name != leader {
            let actual = cluster.leader.map { "the leader is \($0.name)" } ?? "the cluster has no leader"
            return "leader name does not match: \(actual), not \(leader)"
        }
        let candidates: [Member]
        if let name = plan.candidate {
            if plan.kind == .switchover, config.synchronousMode, cluster.sync?.contains(name) != true {
                let standbys = cluster.sync?.members.joined(separator: ", ") ?? ""
                return "candidate name does not match with sync_standby: synchronous_mode is on and \(name) is not "
                    + "a synchronous standby (sync standbys: \(standbys.isEmpty ? "none" : standbys))"
            }
            guard let member = cluster.member(named: name) else {
                return "candidate does not exist: no member \(name) in cluster \(scope) (members: "
                    + cluster.members.map(\.name).joined(separator: ", ") + ")"
            }
            candidates = [member]
        } else if config.synchronousMode {
            candidates = cluster.members.filter { cluster.sync?.contains($0.name) == true }
            if candidates.isEmpty { return "\(action) is not possible: can not find sync_standby" }
        } else {
            candidates = cluster.members.filter { $0.name != cluster.leader?.name && !$0.status.apiURL.isEmpty }
            if candidates.isEmpty { return "\(action) is not possible: cluster does not have members except leader" }
        }

        let statuses = await peers.statuses(of: candidates)
        let verdicts: [(name: String, rejection: String?)] = candidates.map { member in
            switch statuses[member.name] {
            case .status(let status)?:
                return (member.name, limitation(of: status, member: member, plan: plan, cluster: cluster))
            case .unreachable(let reason)?: return (member.name, reason)
            case nil: return (member.name, "it was not asked")
            }
        }
        if verdicts.contains(where: { $0.rejection == nil }) { return nil }
        let explained = verdicts.map { "\($0.name): \($0.rejection ?? "")" }.joined(separator: "; ")
        return "\(action) is not possible: no good candidates have been found (\(explained))"
    }

    /// Why `status` (as the member itself reported it) rules the member out, or nil.
    static func limitation(of status: NodeStatus, member: Member, plan: ManualFailoverPlan,
                           cluster: ClusterView) -> String? {
        let tags = status.tags ?? member.status.tags ?? [:]
        if tags["nofailover"]?.boolValue == true { return "it is tagged nofailover" }
        if let priority = tags["failover_priority"]?.intValue, priority <= 0 {
            return "its failover_priority is \(priority)"
        }
        if status.state != "running" { return "its server is not running (state \(status.state))" }
        let config = cluster.effectiveConfig
        if plan.kind == .switchover, let leaderLSN = cluster.status?.optime ?? cluster.leaderMember?.status.xlogLocation {
            let behind = leaderLSN - status.walPosition
            if behind > config.maximumLagOnFailover {
                return "it is \(behind) bytes behind the leader (maximum_lag_on_failover is \(config.maximumLagOnFailover))"
            }
        }
        if config.checkTimeline, (status.timeline ?? 0) < cluster.timeline {
            return "its timeline \(status.timeline ?? 0) is behind the cluster's timeline \(cluster.timeline)"
        }
        return nil
    }
}
