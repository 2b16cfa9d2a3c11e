// The health-check endpoints load balancers poll (patroni.md §5): each answers 200 or 503 with this node's
// status JSON, decided from snapshots only — the agent's last look at its server, its last DCS reading and
// whether it holds the leader lock — so a busy HA loop never makes a healthy node look dead.
//
// Rules (Patroni's, with one deliberate difference):
// - leader:  I hold the leader lock.            primary (also /, /read-write): the lock AND my server is a
//   primary — Patroni answers 200 on the lock alone, which routes writes to a node still being promoted.
// - replica: my server is a running replica, not tagged noloadbalance, and — with ?lag=N — the leader's
//   last published LSN (the DCS /status optime) is at most N bytes past my replay position; every
//   ?tag_<key>=<value> must equal my tag (non-string tags compared in lowercase text).
// - read-only: primary or replica.   sync / async: replica and (not) listed in /sync.
//   read-only-sync: primary or sync replica.   health: my server is running.   standby-leader: never
//   (minipg has no standby clusters).
// - Without a DCS reading, sync/async/read-only-sync answer 503; while paused, leader and primary follow
//   the server's role alone (the lock may have lapsed while nothing is being managed).
// - A `lag` that is not a size is a 400, not silently "no limit" as in Patroni.
import Foundation

enum HealthCheckEndpoint: Sendable, Equatable {
    case primary, leader, standbyLeader, replica, readOnly, sync, async, readOnlySync, health

    init?(path: String) {
        switch path {
        case "/", "/primary", "/master", "/read-write": self = .primary
        case "/leader": self = .leader
        case "/standby-leader", "/standby_leader": self = .standbyLeader
        case "/replica": self = .replica
        case "/read-only": self = .readOnly
        case "/sync", "/synchronous": self = .sync
        case "/async", "/asynchronous": self = .async
        case "/read-only-sync", "/read-only-synchronous": self = .readOnlySync
        case "/health": self = .health
        default: return nil
        }
    }

    /// Tags in the query string are ignored where they make no sense (the one primary is the primary).
    var ignoresTags: Bool { self == .primary || self == .leader || self == .standbyLeader }
}

/// What a health check is decided from: snapshots, never a live query.
struct HealthCheckSnapshot: Sendable {
    var memberName: String
    var status: NodeStatus
    var cluster: ClusterView?
    var holdsLeaderLock: Bool

    var isPaused: Bool { status.pause ?? cluster?.effectiveConfig.isPaused ?? false }
    var isPrimaryRole: Bool { status.role == "master" || status.role == "primary" }
    var tags: [String: JSONValue] { status.tags ?? [:] }
}

enum HealthCheck {
    /// The answer to a health check: 200, or 503 with the reason (sent as the `X-Health-Reason` header, so
    /// whoever took the node out of rotation can see why — users.md theme 9).
    struct Verdict: Equatable {
        var code: Int
        var reason: String?

        static let healthy = Verdict(code: 200, reason: nil)
        static func unhealthy(_ reason: String) -> Verdict { Verdict(code: 503, reason: reason) }
    }

    /// Throws the 400 message when `query` is malformed.
    static func verdict(_ endpoint: HealthCheckEndpoint, query: [String: String],
                        snapshot: HealthCheckSnapshot) throws(RESTBodyError) -> Verdict {
        let refusal: String?
        switch endpoint {
        case .primary: refusal = leaderRefusal(snapshot, requirePrimaryRole: true)
        case .leader: refusal = leaderRefusal(snapshot, requirePrimaryRole: false)
        case .standbyLeader: refusal = "minipg has no standby clusters"
        case .replica: refusal = try replicaRefusal(snapshot, query: query)
        case .readOnly:
            let replica = try replicaRefusal(snapshot, query: query)
            if let primary = leaderRefusal(snapshot, requirePrimaryRole: true), let replica {
                refusal = "\(primary); \(replica)"
            } else {
                refusal = nil
            }
        case .sync, .async:
            if let replica = try replicaRefusal(snapshot, query: query) {
                refusal = replica
            } else if let cluster = snapshot.cluster {
                let listed = isSynchronous(snapshot.memberName, in: cluster)
                if endpoint == .sync, !listed { refusal = "not a synchronous standby" }
                else if endpoint == .async, listed { refusal = "a synchronous standby" }
                else { refusal = nil }
            } else {
                refusal = "no DCS view to tell synchronous standbys from the others"
            }
        case .readOnlySync:
            let replica = try replicaRefusal(snapshot, query: query)
            if let primary = leaderRefusal(snapshot, requirePrimaryRole: true) {
                if let replica { refusal = "\(primary); \(replica)" }
                else if let cluster = snapshot.cluster, isSynchronous(snapshot.memberName, in: cluster) { refusal = nil }
                else { refusal = "\(primary); not a synchronous standby" }
            } else {
                refusal = nil
            }
        case .health: refusal = serverRefusal(snapshot.status)
        }
        if let refusal { return .unhealthy(refusal) }
        if !endpoint.ignoresTags, let mismatch = tagRefusal(query: query, tags: snapshot.tags) {
            return .unhealthy(mismatch)
        }
        return .healthy
    }

    private static func leaderRefusal(_ snapshot: HealthCheckSnapshot, requirePrimaryRole: Bool) -> String? {
        let role = snapshot.status.role
        if snapshot.cluster == nil, snapshot.isPaused {
            return snapshot.isPrimaryRole ? nil : "paused without a DCS view, and the server is not a primary (role \(role))"
        }
        guard snapshot.holdsLeaderLock else {
            let holder = snapshot.cluster?.leader.map { "\($0.name) holds the leader lock" } ?? "no member holds the leader lock"
            return "not the leader (\(holder))"
        }
        if requirePrimaryRole, !snapshot.isPrimaryRole {
            return "holds the leader lock but the server is not a primary yet (role \(role))"
        }
        return nil
    }

    private static func serverRefusal(_ status: NodeStatus) -> String? {
        status.state == "running" ? nil : "the server is not running (state \(status.state))"
    }

    private static func replicaRefusal(_ snapshot: HealthCheckSnapshot,
                                       query: [String: String]) throws(RESTBodyError) -> String? {
        let status = snapshot.status
        var maximumLag: Int64?
        if let lagText = query["lag"] {
            guard let parsed = ByteSize.parse(lagText) else {
                throw RESTBodyError(message: "lag must be a number of bytes or a size such as 16kB, 64MB or 1GB: \(lagText)")
            }
            maximumLag = parsed
        }
        if let refusal = serverRefusal(status) { return refusal }
        if status.role != "replica" { return "not a replica (role \(status.role))" }
        if snapshot.tags["noloadbalance"]?.boolValue == true { return "tagged noloadbalance" }
        guard let maximumLag, let leaderLSN = snapshot.cluster?.status?.optime, leaderLSN > 0 else { return nil }
        let behind = leaderLSN - (status.xlog?.replayedLocation ?? 0)
        return behind <= maximumLag ? nil : "replay is \(behind) bytes behind the leader's last known LSN (limit \(maximumLag))"
    }

    private static func isSynchronous(_ name: String, in cluster: ClusterView) -> Bool {
        cluster.effectiveConfig.synchronousMode && (cluster.sync?.contains(name) ?? false)
    }

    private static func tagRefusal(query: [String: String], tags: [String: JSONValue]) -> String? {
        for (key, wanted) in query.sorted(by: { $0.key < $1.key }) where key.hasPrefix("tag_") {
            let name = String(key.dropFirst(4))
            guard let value = tags[name] else { return "no tag \(name)" }
            let text: String?
            if case .string(let string) = value { text = string } else { text = value.stringValue?.lowercased() }
            if text != wanted { return "tag \(name) is \(text ?? "\(value)"), not \(wanted)" }
        }
        return nil
    }
}

/// Sizes as PostgreSQL and Patroni write them: bytes, or a number with B, kB, MB, GB or TB (powers of 1024).
enum ByteSize {
    static func parse(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isNumber }
        guard let number = Int64(digits) else { return nil }
        let multiplier: Int64
        switch trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces) {
        case "", "B": multiplier = 1
        case "kB": multiplier = 1 << 10
        case "MB": multiplier = 1 << 20
        case "GB": multiplier = 1 << 30
        case "TB": multiplier = 1 << 40
        default: return nil
        }
        let (bytes, overflow) = number.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : bytes
    }
}
