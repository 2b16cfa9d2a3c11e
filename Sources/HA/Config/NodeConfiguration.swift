// One node's configuration: the Patroni-shaped YAML file `minipg node -c patroni1.yml` and
// `minipg ctl -c …` read (../shared/reference/patroni1.yml). Sections: scope/namespace/name, restapi,
// etcd3 (or etcd) hosts, bootstrap.dcs (the first dynamic configuration), postgresql, tags, ctl.
//
// Invariants: a configuration that exists has passed `NodeConfiguration.parse`: required keys present,
// addresses are host:port with a port in 1…65535, and bootstrap.dcs obeys `TimingRules` — nothing is
// adjusted behind the user's back (Patroni silently raises or shrinks timing values; we refuse and say
// which key is wrong). Keys minipg does not use (bootstrap.initdb, postgresql.bin_dir, pgpass) are
// accepted so a Patroni file works unchanged.

/// `host:port`. The host part may be a list ("127.0.0.1,::1") or "*" in listen addresses, as in Patroni.
public struct HostPort: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses "host:port" (the port is what follows the last colon); nil when malformed.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let colon = trimmed.lastIndex(of: ":"),
              let port = Int(trimmed[trimmed.index(after: colon)...]), (1...65_535).contains(port) else { return nil }
        var host = String(trimmed[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        self.init(host: host, port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// A user name and password (REST API basic auth, PostgreSQL superuser and replication users).
public struct Credentials: Sendable, Equatable {
    public var username: String
    public var password: String?

    public init(username: String, password: String? = nil) {
        self.username = username
        self.password = password
    }
}

public struct NodeConfiguration: Sendable, Equatable {
    public var scope: String
    /// With a leading and a trailing slash, as Patroni writes it: "/service/".
    public var namespace: String
    public var name: String
    public var restAPI: RESTAPISettings
    /// etcd client endpoints, tried in order (`etcd3.hosts` or `etcd.hosts`).
    public var etcdHosts: [HostPort]
    /// bootstrap.dcs: written to /config by the node that initializes the cluster.
    public var bootstrapDynamicConfig: DynamicConfig
    public var postgresql: PostgreSQLSettings
    /// nofailover, noloadbalance, failover_priority, nosync, clonefrom, replicatefrom and custom tags.
    public var tags: [String: JSONValue]
    /// `ctl:` — credentials `minipg ctl` uses for the REST API (default: restapi.authentication).
    public var ctlAuthentication: Credentials?

    public struct RESTAPISettings: Sendable, Equatable {
        public var listen: HostPort
        public var connectAddress: HostPort
        public var authentication: Credentials?

        public init(listen: HostPort, connectAddress: HostPort, authentication: Credentials? = nil) {
            self.listen = listen
            self.connectAddress = connectAddress
            self.authentication = authentication
        }

        /// The URL peers and ctl use for this node's status: http://host:port/patroni.
        public var apiURL: String { "http://\(connectAddress)/patroni" }
    }

    public struct PostgreSQLSettings: Sendable, Equatable {
        public var listen: HostPort
        public var connectAddress: HostPort
        public var dataDirectory: String
        /// Patroni's bin_dir; minipg runs its own binary, so this is informational.
        public var binDirectory: String?
        public var superuser: Credentials
        public var replication: Credentials
        /// Local parameters (they win over bootstrap.dcs / /config postgresql.parameters).
        public var parameters: [String: JSONValue]
        /// pg_hba lines for this node (the dynamic config's postgresql.pg_hba applies when absent).
        public var pgHBA: [String]

        public init(listen: HostPort, connectAddress: HostPort, dataDirectory: String, binDirectory: String? = nil,
                    superuser: Credentials, replication: Credentials, parameters: [String: JSONValue] = [:],
                    pgHBA: [String] = []) {
            self.listen = listen
            self.connectAddress = connectAddress
            self.dataDirectory = dataDirectory
            self.binDirectory = binDirectory
            self.superuser = superuser
            self.replication = replication
            self.parameters = parameters
            self.pgHBA = pgHBA
        }

        /// The member key's conn_url: postgres://host:port/postgres.
        public var connURL: String { "postgres://\(connectAddress)/postgres" }
    }

    /// The DCS key prefix, "/service/demo/" (what `ClusterStore` is built with).
    public var clusterPrefix: String { namespace + scope + "/" }

    /// The tags as Patroni publishes them in the member key: the boolean tags only when true (nofailover
    /// also when false if failover_priority is set, so that the priority is not misread), others always.
    public var publishedTags: [String: JSONValue] {
        let booleanTags: Set = ["clonefrom", "nofailover", "noloadbalance", "nosync", "nostream"]
        return tags.filter { key, value in
            guard booleanTags.contains(key) else { return value != .null }
            return value.boolValue == true || (key == "nofailover" && tags["failover_priority"] != nil)
        }
    }

    /// The credentials ctl sends to the REST API.
    public var restClientAuthentication: Credentials? { ctlAuthentication ?? restAPI.authentication }
}
