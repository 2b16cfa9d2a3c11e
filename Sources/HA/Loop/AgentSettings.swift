// What the HA loop knows about its own node that never changes while it runs: its name and addresses
// (published in its member key), its tags, the PostgreSQL parameters set locally in its YAML file, and the
// bootstrap dynamic configuration it writes to /config if it is the node that initializes the cluster.
//
// Invariant: local parameters win over the cluster-wide ones in /config (as in Patroni), except the ones
// the loop itself manages (synchronous_standby_names), which neither may set.

public struct AgentSettings: Sendable, Equatable {
    public var scope: String
    public var name: String
    public var connURL: String                       // postgres://127.0.0.1:5432/postgres
    public var apiURL: String                        // http://127.0.0.1:8008/patroni
    public var tags: [String: JSONValue]
    public var localParameters: [String: String]
    public var bootstrapConfig: DynamicConfig
    public var version: String

    public init(scope: String, name: String, connURL: String, apiURL: String, tags: [String: JSONValue] = [:],
                localParameters: [String: String] = [:], bootstrapConfig: DynamicConfig = DynamicConfig(),
                version: String = AgentSettings.agentVersion) {
        self.scope = scope
        self.name = name
        self.connURL = connURL
        self.apiURL = apiURL
        self.tags = tags
        self.localParameters = localParameters
        self.bootstrapConfig = bootstrapConfig
        self.version = version
    }

    /// From the node's YAML file.
    public init(_ configuration: NodeConfiguration) {
        var parameters: [String: String] = [:]
        for (name, value) in configuration.postgresql.parameters {
            if let text = value.stringValue { parameters[name] = text }
        }
        self.init(scope: configuration.scope, name: configuration.name,
                  connURL: configuration.postgresql.connURL, apiURL: configuration.restAPI.apiURL,
                  tags: configuration.publishedTags, localParameters: parameters,
                  bootstrapConfig: configuration.bootstrapDynamicConfig)
    }

    /// The version string in member keys and /patroni (Patroni's `version`).
    public static let agentVersion = "0.1.0"

    /// Parameters the loop owns; a value for them in /config or the YAML file is ignored.
    static let managedParameters: Set<String> = ["synchronous_standby_names"]

    /// The server's parameters: /config's postgresql.parameters, overridden by the local ones.
    func serverParameters(_ config: DynamicConfig) -> [String: String] {
        var result = config.postgresqlParameters
        for (name, value) in localParameters { result[name] = value }
        for name in Self.managedParameters { result[name] = nil }
        return result
    }

    /// A `MemberStatus` with this node's tags, for the race rules in `MemberStatus` (nofailover, priority).
    var tagRules: MemberStatus {
        var status = MemberStatus(connURL: connURL, apiURL: apiURL, state: "", role: "", version: version)
        status.tags = tags.isEmpty ? nil : tags
        return status
    }
}
