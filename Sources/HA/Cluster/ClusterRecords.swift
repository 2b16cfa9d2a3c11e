// The small JSON values Patroni keeps beside the members under /service/<scope>/ (patroni.md §3, §4):
// /failover, /sync, /status and /history. Each type encodes to exactly the JSON Patroni writes.

import Foundation

/// /failover: a switchover (leader named) or failover (candidate only) request, optionally scheduled.
public struct FailoverRequest: Codable, Sendable, Equatable {
    public var leader: String?
    public var member: String?          // the candidate
    public var scheduledAt: String?     // ISO 8601

    public init(leader: String? = nil, member: String? = nil, scheduledAt: String? = nil) {
        self.leader = leader
        self.member = member
        self.scheduledAt = scheduledAt
    }

    enum CodingKeys: String, CodingKey { case leader, member, scheduledAt = "scheduled_at" }
}

/// /sync: who the primary is and which standbys are known synchronous (comma-joined, sorted; nil = none).
public struct SyncState: Codable, Sendable, Equatable {
    public var leader: String?
    public var syncStandby: String?

    public init(leader: String?, syncStandby: String?) {
        self.leader = leader
        self.syncStandby = syncStandby
    }

    public var members: [String] {
        (syncStandby ?? "").split(separator: ",").map { String($0) }.filter { !$0.isEmpty }
    }
    public func contains(_ name: String) -> Bool { members.contains(name) }

    enum CodingKeys: String, CodingKey { case leader, syncStandby = "sync_standby" }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(leader, forKey: .leader)           // Patroni writes explicit nulls here
        try container.encode(syncStandby, forKey: .syncStandby)
    }
}

/// /status: the leader's flush LSN (bytes) as of its last successful lock update, plus slot positions.
public struct LeaderStatus: Codable, Sendable, Equatable {
    public var optime: Int64
    public var slots: [String: Int64]?

    public init(optime: Int64, slots: [String: Int64]? = nil) {
        self.optime = optime
        self.slots = slots
    }
}

/// One line of /history: `[timeline, lsn, reason, timestamp, new_leader]`, written by a new primary for
/// the timeline it left (patronictl history shows it as TL | LSN | Reason | Timestamp | New Leader).
public struct HistoryLine: Sendable, Equatable {
    public var timeline: Int
    public var lsn: Int64
    public var reason: String
    public var timestamp: String?
    public var newLeader: String?

    public init(timeline: Int, lsn: Int64, reason: String, timestamp: String? = nil, newLeader: String? = nil) {
        self.timeline = timeline
        self.lsn = lsn
        self.reason = reason
        self.timestamp = timestamp
        self.newLeader = newLeader
    }

    public var json: JSONValue {
        var fields: [JSONValue] = [.int(Int64(timeline)), .int(lsn), .string(reason)]
        if let timestamp { fields.append(.string(timestamp)) }
        if let newLeader { fields.append(.string(newLeader)) }
        return .array(fields)
    }

    /// The timestamp Patroni writes: ISO 8601 in UTC with microseconds and "+00:00",
    /// "2026-11-30T05:26:39.448144+00:00".
    public static func timestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        let microseconds = Int((date.timeIntervalSince1970 * 1_000_000).rounded(.down)) % 1_000_000
        return formatter.string(from: date) + "." + String(format: "%06d", microseconds) + "+00:00"
    }

    /// Accepts Patroni's older 3-field lines too.
    public init?(json: JSONValue) {
        guard case .array(let fields) = json, fields.count >= 3,
              let timeline = fields[0].intValue, let lsn = fields[1].intValue, let reason = fields[2].stringValue
        else { return nil }
        self.init(timeline: Int(timeline), lsn: lsn, reason: reason,
                  timestamp: fields.count > 3 ? fields[3].stringValue : nil,
                  newLeader: fields.count > 4 ? fields[4].stringValue : nil)
    }
}
