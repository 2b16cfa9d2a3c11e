// What the stats page shows, as plain values copied out of the routing table under its lock: per
// listener and per backend the health state ("UP", "DOWN", "UP 1/3" = going down after one failed
// check of three), why a backend is out of rotation, sessions and bytes. Served as JSON at /stats.json
// (snake_case keys) and rendered as an HTML table at /.

import Foundation

public struct StatsSnapshot: Codable, Sendable, Equatable {
    public var generatedAt: String
    public var listeners: [ListenerStats]
}

public struct ListenerStats: Codable, Sendable, Equatable {
    /// "primary" or "replicas", as in the lab's haproxy.cfg.
    public var name: String
    public var bind: String
    /// The check each backend must pass to be in rotation here: `/primary` or `/replica`.
    public var checkPath: String
    public var balance: String
    /// For the primary listener: the backend new sessions go to, nil when none.
    public var routesTo: String?
    /// Why the listener routes nowhere (no primary, split brain), nil when it routes.
    public var note: String?
    public var currentSessions: Int
    public var totalSessions: Int
    /// Client connections closed at once because no backend was in rotation.
    public var refusedSessions: Int
    public var backends: [BackendStats]
}

public struct BackendStats: Codable, Sendable, Equatable {
    public var name: String
    public var address: String
    /// The full check URL, e.g. http://127.0.0.1:8008/primary.
    public var healthCheck: String
    /// "UP", "DOWN", "UP 1/3" (going down), "DOWN 1/2" (going up) or "unknown" before the first check.
    public var state: String
    public var inRotation: Bool
    /// Why new sessions do not go here ("check failed: HTTP 503", "split brain: …"), nil when in rotation.
    public var outOfRotationReason: String?
    /// The last check's outcome: "HTTP 200", "HTTP 503", "timeout", "connection refused", …
    public var lastCheck: String?
    public var lastCheckMilliseconds: Int?
    /// When the backend was last marked UP or DOWN (ISO 8601), and how long ago.
    public var lastChange: String?
    public var secondsSinceLastChange: Int?
    public var currentSessions: Int
    public var totalSessions: Int
    /// Client → backend.
    public var bytesIn: UInt64
    /// Backend → client.
    public var bytesOut: UInt64
}

extension StatsSnapshot {
    public func json() -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data("{}".utf8)
    }

    public static func decode(json: Data) throws -> StatsSnapshot {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(StatsSnapshot.self, from: json)
    }
}
