// The leader race's question "am I the healthiest node?" (Patroni's is_healthiest_node, patroni.md §2.2)
// as a pure function of what this node sees: its own server, the DCS view, and the peers' GET /patroni
// answers. No I/O here, so every rule is unit-tested directly and every answer carries its reason.
//
// Invariants:
// - A node whose peer answers "I am a primary" never races: a reachable primary blocks the race.
// - A node with nofailover (or failover_priority ≤ 0) never races, except as an already running primary.
// - In synchronous mode only the members named in /sync may race, and only against each other: a
//   promoted node then holds every acknowledged commit.
// - Several nodes may all answer yes; the create-only write of the leader key picks one of them.
import WAL

public struct RaceVerdict: Sendable, Equatable {
    public var isHealthiest: Bool
    public var reason: String
    public init(_ isHealthiest: Bool, _ reason: String) {
        self.isHealthiest = isHealthiest
        self.reason = reason
    }
}

public struct HealthiestNodeCheck: Sendable {
    public var me: String
    public var myTags: [String: JSONValue]?
    public var observation: PostgresObservation
    public var view: ClusterView
    /// GET /patroni of the members compared with (see `peersToAsk`), by name.
    public var peers: [String: PeerStatus]
    /// The leader this node last saw holding the lock (Patroni's old_cluster leader).
    public var formerLeader: String?

    public init(me: String, myTags: [String: JSONValue]?, observation: PostgresObservation, view: ClusterView,
                peers: [String: PeerStatus], formerLeader: String?) {
        self.me = me
        self.myTags = myTags
        self.observation = observation
        self.view = view
        self.peers = peers
        self.formerLeader = formerLeader
    }

    private var config: DynamicConfig { view.effectiveConfig }
    private var syncActive: Bool { config.synchronousMode && view.sync != nil }

    /// The members whose status the race needs: everyone else with an api_url, without nofailover, and in
    /// synchronous mode only those named in /sync. `formerMembers` are the members of the last view that
    /// had a leader (Patroni's old_cluster): a member key can vanish with a lease while its server still
    /// runs — a primary whose lease lapsed must still be asked, or a replica would race past it.
    public static func peersToAsk(me: String, view: ClusterView, formerMembers: [Member] = []) -> [Member] {
        let syncActive = view.effectiveConfig.synchronousMode && view.sync != nil
        let vanished = formerMembers.filter { former in !view.members.contains { $0.name == former.name } }
        return (view.members + vanished).filter { member in
            member.name != me && !member.status.apiURL.isEmpty && !member.status.noFailover
                && (!syncActive || view.sync?.contains(member.name) == true || view.sync?.leader == member.name)
        }
    }

    public func verdict() -> RaceVerdict {
        let myPosition = observation.walPosition
        if observation.role == .primary {
            if let timeline = observation.timeline, timeline < view.timeline {
                return RaceVerdict(false, "I am running as primary, but on timeline \(timeline), behind the "
                                   + "cluster's timeline \(view.timeline): another node was promoted after me")
            }
            return RaceVerdict(true, "I am already running as primary")
        }
        if MemberStatus.noFailover(tags: myTags) {
            return RaceVerdict(false, "my tags forbid promotion (nofailover or failover_priority ≤ 0)")
        }
        var checkLag = true
        if let request = view.failover {
            if request.member == me { return RaceVerdict(true, "I am the candidate of a manual failover") }
            if let candidate = request.member {
                if case .status(let status)? = peers[candidate], status.state == "running",
                   !MemberStatus.noFailover(tags: status.tags) {
                    return RaceVerdict(false, "a manual failover to \(candidate) is in progress")
                }
            } else if request.leader == me {
                return RaceVerdict(false, "I am the former leader of a switchover to any other member")
            }
            checkLag = false   // an operator asked for this failover: maximum_lag_on_failover does not apply
        }
        if syncActive, let sync = view.sync, !sync.contains(me), sync.leader != me {
            let names = sync.members.isEmpty ? "none" : sync.members.joined(separator: ", ")
            return RaceVerdict(false, "synchronous_mode is on and I am not a synchronous standby "
                               + "(synchronous standbys: \(names)): I may lack acknowledged commits")
        }
        if checkLag, let optime = view.status?.optime, optime - myPosition > config.maximumLagOnFailover {
            return RaceVerdict(false, "my WAL position \(lsn(myPosition)) is \(optime - myPosition) bytes behind "
                               + "the last known primary position \(lsn(optime)); maximum_lag_on_failover is "
                               + "\(config.maximumLagOnFailover)")
        }
        if config.checkTimeline, (observation.timeline ?? 0) < view.timeline {
            return RaceVerdict(false, "check_timeline: my timeline \(observation.timeline.map(String.init) ?? "unknown")"
                               + " is behind the cluster's timeline \(view.timeline)")
        }
        let myPriority = MemberStatus.failoverPriority(tags: myTags)
        var ignored: [String] = []
        for (name, answer) in peers.sorted(by: { $0.key < $1.key }) where name != me {
            guard case .status(let status) = answer else {
                if case .unreachable(let reason) = answer { ignored.append("\(name) unreachable (\(reason))") }
                continue
            }
            if MemberStatus.noFailover(tags: status.tags) { ignored.append("\(name) has nofailover"); continue }
            if !status.isInRecovery { return RaceVerdict(false, "Primary (\(name)) is still alive") }
            let isFormerLeader = name == formerLeader || (syncActive && name == view.sync?.leader)
            if status.walPosition > myPosition && !(syncActive && isFormerLeader) {
                return RaceVerdict(false, "\(name) is ahead of me: its WAL position \(lsn(status.walPosition)) > "
                                   + "mine \(lsn(myPosition))")
            }
            if status.walPosition == myPosition, !isFormerLeader,
               MemberStatus.failoverPriority(tags: status.tags) > myPriority {
                return RaceVerdict(false, "\(name) has the same WAL position \(lsn(myPosition)) and a higher "
                                   + "failover_priority (\(MemberStatus.failoverPriority(tags: status.tags)) > \(myPriority))")
            }
        }
        let others = ignored.isEmpty ? "" : "; ignored: " + ignored.joined(separator: ", ")
        return RaceVerdict(true, "I am the healthiest node: WAL position \(lsn(myPosition)), no member is ahead"
                           + others)
    }

    private func lsn(_ position: Int64) -> String { LSN(UInt64(clamping: position)).description }
}
