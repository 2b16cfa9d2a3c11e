// The cluster-wide ("dynamic") configuration kept in /service/<scope>/config — the document
// `ctl show-config` prints and `ctl edit-config` / PATCH /config change. It is free-form JSON (users may
// put any PostgreSQL parameter under postgresql.parameters); this type reads the fields the HA loop obeys,
// with Patroni's defaults (patroni.md §1).
//
// Invariant: reading never rewrites: a value a user set survives a read-modify-write even when this type
// has no accessor for it.

public struct DynamicConfig: Sendable, Equatable {
    public var document: JSONValue

    public init(document: JSONValue = .object([:])) { self.document = document }

    public static let defaultTTL = 30
    public static let defaultLoopWait = 10
    public static let defaultRetryTimeout = 10
    public static let defaultMaximumLagOnFailover: Int64 = 1_048_576

    public var ttl: Int { int("ttl") ?? Self.defaultTTL }
    public var loopWait: Int { int("loop_wait") ?? Self.defaultLoopWait }
    public var retryTimeout: Int { int("retry_timeout") ?? Self.defaultRetryTimeout }
    public var maximumLagOnFailover: Int64 {
        document["maximum_lag_on_failover"]?.intValue ?? Self.defaultMaximumLagOnFailover
    }
    public var primaryStartTimeout: Int { int("primary_start_timeout") ?? 300 }
    public var synchronousMode: Bool { document["synchronous_mode"]?.boolValue ?? false }
    public var synchronousModeStrict: Bool { document["synchronous_mode_strict"]?.boolValue ?? false }
    public var synchronousNodeCount: Int { int("synchronous_node_count") ?? 1 }
    public var checkTimeline: Bool { document["check_timeline"]?.boolValue ?? false }
    public var isPaused: Bool { document["pause"]?.boolValue ?? false }
    public var usePgRewind: Bool { document["postgresql"]?["use_pg_rewind"]?.boolValue ?? false }
    public var useSlots: Bool { document["postgresql"]?["use_slots"]?.boolValue ?? true }

    /// postgresql.parameters as name → value text (what goes into the server's configuration).
    public var postgresqlParameters: [String: String] {
        var result: [String: String] = [:]
        for (name, value) in document["postgresql"]?["parameters"]?.objectValue ?? [:] {
            if let text = value.stringValue { result[name] = text }
        }
        return result
    }

    private func int(_ key: String) -> Int? { document[key]?.intValue.map { Int($0) } }
}
