// Checks a dynamic configuration before anyone relies on it: bootstrap.dcs when a node starts, and the
// edited document before `ctl edit-config` writes /config. Wrong types are refused rather than read as
// defaults (a ttl of "thirty" must not quietly become 30).
//
// Invariant: `validationError` is nil ⇔ every known key has a usable value and `TimingRules` holds.

extension DynamicConfig {
    static let integerKeys = ["ttl", "loop_wait", "retry_timeout", "maximum_lag_on_failover",
                              "maximum_lag_on_syncnode", "primary_start_timeout", "primary_stop_timeout",
                              "synchronous_node_count", "max_timelines_history"]
    static let booleanKeys = ["synchronous_mode", "synchronous_mode_strict", "check_timeline",
                              "failsafe_mode", "pause"]

    /// The first problem, as "key: what is wrong"; nil when the document is usable.
    public var validationError: String? {
        guard case .object(let fields) = document else { return "the dynamic configuration must be a mapping" }
        for key in Self.integerKeys {
            guard let value = fields[key], value != .null else { continue }
            guard value.intValue != nil, value.boolValue == nil || value.intValue != nil else {
                return "\(key): expected an integer, got \(value)"
            }
        }
        for key in Self.booleanKeys {
            guard let value = fields[key], value != .null else { continue }
            if value.boolValue == nil { return "\(key): expected true or false, got \(value)" }
        }
        if maximumLagOnFailover < 0 { return "maximum_lag_on_failover: must not be negative" }
        if synchronousNodeCount < 1 { return "synchronous_node_count: must be at least 1" }
        if let postgresql = fields["postgresql"], postgresql != .null {
            guard case .object(let section) = postgresql else { return "postgresql: expected a mapping" }
            if let parameters = section["parameters"], parameters != .null, parameters.objectValue == nil {
                return "postgresql.parameters: expected a mapping of parameter names to values"
            }
            if let hba = section["pg_hba"], hba != .null {
                guard case .array(let lines) = hba, lines.allSatisfy({ $0.stringValue != nil }) else {
                    return "postgresql.pg_hba: expected a list of pg_hba.conf lines"
                }
            }
        }
        return TimingRules(self).violation
    }
}
