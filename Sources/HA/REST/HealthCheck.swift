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
    /// 200 or 503 for `endpoint`; throws the 400 message when `query` is malformed.
    static func statusCode(_ endpoint: HealthCheckEndpoint, query: [String: String],
                           snapshot: HealthCheckSnapshot) throws(RESTBodyError) -> Int {
        let verdict: Bool
        switch endpoint {
        case .primary: verdict = isLeader(snapshot, requirePrimaryRole: true)
        case .leader: verdict = isLeader(snapshot, requirePrimaryRole: false)
        case .standbyLeader: verdict = false
        case .replica: verdict = try isServingReplica(snapshot, query: query)
        case .readOnly:
            let replica = try isServingReplica(snapshot, query: query)
            verdict = isLeader(snapshot, requirePrimaryRole: true) || replica
        case .sync, .async:
            let replica = try isServingReplica(snapshot, query: query)
            guard let cluster = snapshot.cluster else { verdict = false; break }
            verdict = replica && (endpoint == .sync) == isSynchronous(snapshot.memberName, in: cluster)
        case .readOnlySync:
            let replica = try isServingReplica(snapshot, query: query)
            guard let cluster = snapshot.cluster else { verdict = false; break }
            verdict = isLeader(snapshot, requirePrimaryRole: true)
                || (replica && isSynchronous(snapshot.memberName, in: cluster))
        case .health: verdict = snapshot.status.state == "running"
        }
        guard verdict else { return 503 }
        if !endpoint.ignoresTags, !tagsMatch(query: query, tags: snapshot.tags) { return 503 }
        return 200
    }

    private static func isLeader(_ snapshot: HealthCheckSnapshot, requirePrimaryRole: Bool) -> Bool {
        if snapshot.cluster == nil, snapshot.isPaused { return snapshot.isPrimaryRole }
        return snapshot.holdsLeaderLock && (!requirePrimaryRole || snapshot.isPrimaryRole)
    }

    private static func isServingReplica(_ snapshot: HealthCheckSnapshot,
                                         query: [String: String]) throws(RESTBodyError) -> Bool {
        let status = snapshot.status
        guard status.state == "running", status.role == "replica",
              snapshot.tags["noloadbalance"]?.boolValue != true else { return false }
        guard let lagText = query["lag"] else { return true }
        guard let maximumLag = ByteSize.parse(lagText) else {
            throw RESTBodyError(message: "lag must be a number of bytes or a size such as 16kB, 64MB or 1GB: \(lagText)")
        }
        guard let leaderLSN = snapshot.cluster?.status?.optime, leaderLSN > 0 else { return true }
        let replayed = status.xlog?.replayedLocation ?? 0
        return leaderLSN - replayed <= maximumLag
    }

    private static func isSynchronous(_ name: String, in cluster: ClusterView) -> Bool {
        cluster.effectiveConfig.synchronousMode && (cluster.sync?.contains(name) ?? false)
    }

    private static func tagsMatch(query: [String: String], tags: [String: JSONValue]) -> Bool {
        for (key, wanted) in query where key.hasPrefix("tag_") {
            guard let value = tags[String(key.dropFirst(4))] else { return false }
            let text: String?
            if case .string(let string) = value { text = string } else { text = value.stringValue?.lowercased() }
            if text != wanted { return false }
        }
        return true
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
