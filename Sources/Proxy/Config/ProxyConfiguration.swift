// proxy.yml: what `minipg proxy -c proxy.yml` listens on, which backends it routes to and how it checks
// them. Every key is optional except the backends; defaults are the lab's HAProxy configuration
// (../shared/reference/haproxy.cfg):
//
//     listeners:
//       primary: 127.0.0.1:5000      # → the one backend whose GET <check_url>/primary is 200
//       replicas: 127.0.0.1:5001     # → spread over the backends whose GET <check_url>/replica is 200
//     stats: 127.0.0.1:7000          # HTML at /, JSON at /stats.json (and HAProxy's /;json)
//     balance: roundrobin            # or leastconn, for the replicas listener
//     connect_timeout: 4s
//     primary_wait: 30s              # a client of 5000 with no primary in rotation waits this long for one
//     threads: 1                     # event loop threads; one keeps up with pgbench -S -c 8 on a 2-core lab
//     check: {inter: 3s, fastinter: 1s, downinter: 1s, fall: 3, rise: 2, timeout: 2s,
//             refused_marks_down: true}  # connection refused (agent dead) → DOWN at once, not after fall
//     backends:
//       - {name: patroni1, host: 127.0.0.1, port: 5432, check_url: http://127.0.0.1:8008}
//     members:                       # or: the agents' member records, as in /service/<scope>/members
//       - {name: patroni2, conn_url: postgres://127.0.0.1:5433/postgres, api_url: http://127.0.0.1:8009/patroni}
//
// Unknown keys are errors (a misspelt `fal: 2` must not silently mean the default), and every error
// names the key path it is about.

import Yams

public struct ProxyConfiguration: Sendable, Equatable {
    /// A `host:port` to listen on or connect to.
    public struct Endpoint: Sendable, Equatable, CustomStringConvertible {
        public var host: String
        public var port: Int
        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
        public var description: String { "\(host):\(port)" }
    }

    /// One database node: where its PostgreSQL listens and where its agent answers health checks.
    public struct Backend: Sendable, Equatable {
        public var name: String
        public var address: Endpoint
        /// The agent's REST API base, e.g. `http://127.0.0.1:8008`; checks append `/primary` or `/replica`.
        public var checkURL: String
        public init(name: String, address: Endpoint, checkURL: String) {
            self.name = name
            self.address = address
            self.checkURL = checkURL
        }
    }

    public enum Balance: String, Sendable, Equatable {
        case roundRobin = "roundrobin"
        case leastConnections = "leastconn"
    }

    public var primaryListener: Endpoint? = Endpoint(host: "127.0.0.1", port: 5000)
    public var replicaListener: Endpoint? = Endpoint(host: "127.0.0.1", port: 5001)
    public var statsListener: Endpoint? = Endpoint(host: "127.0.0.1", port: 7000)
    public var balance: Balance = .roundRobin
    public var connectTimeout: Duration = .seconds(4)
    /// How long a new client of the primary listener waits for a primary when none is in rotation (a
    /// failover in progress) before it is closed; 0 closes it at once, as HAProxy does.
    public var primaryWait: Duration = .seconds(30)
    /// NIO event loop threads for the listeners, the checks and the stats page.
    public var threads = 1
    public var check: CheckSettings = .defaults
    public var backends: [Backend] = []

    public init(backends: [Backend]) {
        self.backends = backends
    }

    /// The listeners that are configured, with the role each routes to.
    public var listeners: [(role: BackendRole, endpoint: Endpoint)] {
        var result: [(role: BackendRole, endpoint: Endpoint)] = []
        if let primaryListener { result.append((.primary, primaryListener)) }
        if let replicaListener { result.append((.replica, replicaListener)) }
        return result
    }
}

public struct ProxyConfigurationError: Error, Equatable, CustomStringConvertible {
    /// The key path the error is about, e.g. `backends[1].port`; empty for the document as a whole.
    public var key: String
    public var message: String

    public init(_ key: String, _ message: String) {
        self.key = key
        self.message = message
    }

    public var description: String { key.isEmpty ? message : "\(key): \(message)" }
}

extension ProxyConfiguration {
    public static func parse(yaml: String) throws(ProxyConfigurationError) -> ProxyConfiguration {
        let root: Node
        do {
            guard let document = try Yams.compose(yaml: yaml) else { throw ProxyConfigurationError("", "the file is empty") }
            root = document
        } catch let error as ProxyConfigurationError {
            throw error
        } catch {
            throw ProxyConfigurationError("", "not valid YAML: \(error)")
        }
        let top = try ConfigNode(root, key: "").mapping(allowed: [
            "listeners", "stats", "balance", "connect_timeout", "primary_wait", "threads", "check", "backends",
            "members",
        ])
        var configuration = ProxyConfiguration(backends: [])
        if let listeners = top["listeners"] {
            let keys = try listeners.mapping(allowed: ["primary", "replicas"])
            if let primary = keys["primary"] { configuration.primaryListener = try primary.optionalEndpoint() }
            if let replicas = keys["replicas"] { configuration.replicaListener = try replicas.optionalEndpoint() }
        }
        if let stats = top["stats"] { configuration.statsListener = try stats.optionalEndpoint() }
        if let balance = top["balance"] {
            let text = try balance.string()
            guard let value = Balance(rawValue: text) else {
                throw ProxyConfigurationError(balance.key, "expected roundrobin or leastconn, got \"\(text)\"")
            }
            configuration.balance = value
        }
        if let timeout = top["connect_timeout"] { configuration.connectTimeout = try timeout.duration() }
        if let wait = top["primary_wait"] { configuration.primaryWait = try wait.duration() }
        if let threads = top["threads"] { configuration.threads = try threads.integer(in: 1...64) }
        if let check = top["check"] { configuration.check = try parseCheck(check) }
        if let backends = top["backends"] {
            for item in try backends.sequence() { configuration.backends.append(try parseBackend(item)) }
        }
        if let members = top["members"] {
            for item in try members.sequence() { configuration.backends.append(try parseMember(item)) }
        }
        try configuration.validate()
        return configuration
    }

    /// Checks that need the whole configuration: something to route to, unique names and ports.
    public func validate() throws(ProxyConfigurationError) {
        guard !backends.isEmpty else {
            throw ProxyConfigurationError("backends", "at least one backend (or member) is required")
        }
        guard !listeners.isEmpty else {
            throw ProxyConfigurationError("listeners", "at least one of primary and replicas must be set")
        }
        var names: Set<String> = []
        for (index, backend) in backends.enumerated() where !names.insert(backend.name).inserted {
            throw ProxyConfigurationError("backends[\(index)].name", "duplicate backend name \"\(backend.name)\"")
        }
        let bound = listeners.map(\.endpoint) + (statsListener.map { [$0] } ?? [])
        for (index, endpoint) in bound.enumerated() where bound[..<index].contains(endpoint) {
            throw ProxyConfigurationError("listeners", "\(endpoint) is configured twice")
        }
        guard check.timeout > .zero, check.interval > .zero, check.fastInterval > .zero, check.downInterval > .zero else {
            throw ProxyConfigurationError("check", "inter, fastinter, downinter and timeout must be greater than zero")
        }
    }

    private static func parseCheck(_ node: ConfigNode) throws(ProxyConfigurationError) -> CheckSettings {
        let keys = try node.mapping(allowed: ["inter", "fastinter", "downinter", "fall", "rise", "timeout",
                                                  "refused_marks_down"])
        var settings = CheckSettings.defaults
        if let inter = keys["inter"] { settings.interval = try inter.duration() }
        // Unset, fastinter is 1 s but never slower than inter; downinter follows fastinter.
        settings.fastInterval = try keys["fastinter"]?.duration() ?? min(settings.fastInterval, settings.interval)
        settings.downInterval = try keys["downinter"]?.duration() ?? settings.fastInterval
        if let fall = keys["fall"] { settings.fall = try fall.integer(in: 1...100) }
        if let rise = keys["rise"] { settings.rise = try rise.integer(in: 1...100) }
        if let timeout = keys["timeout"] { settings.timeout = try timeout.duration() }
        if let refused = keys["refused_marks_down"] { settings.refusedMarksDown = try refused.boolean() }
        return settings
    }

    private static func parseBackend(_ node: ConfigNode) throws(ProxyConfigurationError) -> Backend {
        let keys = try node.mapping(allowed: ["name", "host", "port", "check_url"])
        let name = try node.required("name", in: keys).string()
        let host = try node.required("host", in: keys).string()
        let port = try node.required("port", in: keys).integer(in: 1...65535)
        let checkNode = try node.required("check_url", in: keys)
        let checkURL = try checkNode.httpURL()
        return Backend(name: name, address: Endpoint(host: host, port: port), checkURL: checkURL)
    }

    /// A Patroni member record: `conn_url` gives the PostgreSQL address, `api_url` (…/patroni) the agent.
    private static func parseMember(_ node: ConfigNode) throws(ProxyConfigurationError) -> Backend {
        let keys = try node.mapping(allowed: nil)
        let name = try node.required("name", in: keys).string()
        let connNode = try node.required("conn_url", in: keys)
        let connURL = try connNode.string()
        guard let address = Self.hostAndPort(ofURL: connURL, scheme: "postgres", defaultPort: 5432)
            ?? Self.hostAndPort(ofURL: connURL, scheme: "postgresql", defaultPort: 5432) else {
            throw ProxyConfigurationError(connNode.key, "expected postgres://host:port/..., got \"\(connURL)\"")
        }
        var checkURL = try node.required("api_url", in: keys).httpURL()
        if checkURL.hasSuffix("/patroni") { checkURL.removeLast("/patroni".count) }
        return Backend(name: name, address: address, checkURL: checkURL)
    }

    /// `scheme://[user@]host[:port][/...]` → host and port.
    static func hostAndPort(ofURL url: String, scheme: String, defaultPort: Int) -> Endpoint? {
        guard url.hasPrefix(scheme + "://") else { return nil }
        var authority = url.dropFirst(scheme.count + 3)
        if let slash = authority.firstIndex(where: { $0 == "/" || $0 == "?" }) { authority = authority[..<slash] }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        return parseEndpoint(String(authority), defaultPort: defaultPort)
    }

    /// `host:port` (or `host` with a default port); nil when malformed.
    static func parseEndpoint(_ text: String, defaultPort: Int? = nil) -> Endpoint? {
        guard let colon = text.lastIndex(of: ":") else {
            guard let defaultPort, !text.isEmpty else { return nil }
            return Endpoint(host: text, port: defaultPort)
        }
        let host = String(text[..<colon])
        guard !host.isEmpty, let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else {
            return nil
        }
        return Endpoint(host: host, port: port)
    }
}

/// A YAML node with the key path that leads to it, so that every error can name where it is.
struct ConfigNode {
    let node: Node
    let key: String

    init(_ node: Node, key: String) {
        self.node = node
        self.key = key
    }

    private func path(_ child: String) -> String { key.isEmpty ? child : "\(key).\(child)" }

    /// The mapping's children by key; `allowed` nil accepts any key (member records carry many).
    func mapping(allowed: Set<String>?) throws(ProxyConfigurationError) -> [String: ConfigNode] {
        guard let mapping = node.mapping else { throw ProxyConfigurationError(key, "expected a mapping") }
        var result: [String: ConfigNode] = [:]
        for (keyNode, value) in mapping {
            guard let name = keyNode.string else { throw ProxyConfigurationError(key, "keys must be strings") }
            if let allowed, !allowed.contains(name) {
                throw ProxyConfigurationError(path(name), "unknown key (expected one of \(allowed.sorted().joined(separator: ", ")))")
            }
            result[name] = ConfigNode(value, key: path(name))
        }
        return result
    }

    func required(_ name: String, in keys: [String: ConfigNode]) throws(ProxyConfigurationError) -> ConfigNode {
        guard let child = keys[name] else { throw ProxyConfigurationError(path(name), "is required") }
        return child
    }

    func sequence() throws(ProxyConfigurationError) -> [ConfigNode] {
        guard let sequence = node.sequence else { throw ProxyConfigurationError(key, "expected a list") }
        return sequence.enumerated().map { ConfigNode($1, key: "\(key)[\($0)]") }
    }

    func string() throws(ProxyConfigurationError) -> String {
        guard let scalar = node.scalar, !scalar.string.isEmpty else {
            throw ProxyConfigurationError(key, "expected a non-empty string")
        }
        return scalar.string
    }

    func integer(in range: ClosedRange<Int>) throws(ProxyConfigurationError) -> Int {
        guard let value = node.int, range.contains(value) else {
            throw ProxyConfigurationError(key, "expected an integer \(range.lowerBound)-\(range.upperBound), got \"\(node.scalar?.string ?? "a collection")\"")
        }
        return value
    }

    func boolean() throws(ProxyConfigurationError) -> Bool {
        guard let value = node.bool else {
            throw ProxyConfigurationError(key, "expected true or false, got \"\(node.scalar?.string ?? "a collection")\"")
        }
        return value
    }

    /// `host:port`, or null / empty to switch the listener off.
    func optionalEndpoint() throws(ProxyConfigurationError) -> ProxyConfiguration.Endpoint? {
        if node.null != nil || node.scalar?.string == "" { return nil }
        let text = try string()
        guard let endpoint = ProxyConfiguration.parseEndpoint(text) else {
            throw ProxyConfigurationError(key, "expected host:port, got \"\(text)\"")
        }
        return endpoint
    }

    /// `http://host:port[/base]` without a trailing slash.
    func httpURL() throws(ProxyConfigurationError) -> String {
        var text = try string()
        guard ProxyConfiguration.hostAndPort(ofURL: text, scheme: "http", defaultPort: 80) != nil else {
            throw ProxyConfigurationError(key, "expected http://host:port, got \"\(text)\"")
        }
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }

    /// `3s`, `500ms`, `1m`, or a bare number of seconds (`1.5`).
    func duration() throws(ProxyConfigurationError) -> Duration {
        let text = try string()
        let units: [(suffix: String, milliseconds: Double)] = [("ms", 1), ("s", 1000), ("m", 60_000)]
        for unit in units where text.hasSuffix(unit.suffix) {
            if let value = Double(text.dropLast(unit.suffix.count)), value >= 0 {
                return .milliseconds(Int64(value * unit.milliseconds))
            }
        }
        if let seconds = Double(text), seconds >= 0 { return .milliseconds(Int64(seconds * 1000)) }
        throw ProxyConfigurationError(key, "expected a duration such as 3s or 500ms, got \"\(text)\"")
    }
}
