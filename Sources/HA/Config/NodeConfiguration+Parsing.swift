// Reading a `NodeConfiguration` from YAML text. Every refusal names the key, as `restapi.listen: …`,
// so a typo in a 60-line file is found at once.
import Foundation

public struct NodeConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Dotted path of the offending key ("bootstrap.dcs.ttl"); empty for the document as a whole.
    public var key: String
    public var message: String

    public init(key: String, _ message: String) {
        self.key = key
        self.message = message
    }

    public var description: String {
        key.isEmpty ? "invalid configuration: \(message)" : "invalid configuration: \(key): \(message)"
    }
}

extension NodeConfiguration {
    public static func load(path: String) throws -> NodeConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw NodeConfigurationError(key: "", "could not read \"\(path)\": \(error.localizedDescription)")
        }
        return try parse(yaml: text)
    }

    public static func parse(yaml: String) throws -> NodeConfiguration {
        let document: JSONValue
        do {
            document = try JSONValue.parseYAML(yaml)
        } catch let error as YAMLSyntaxError {
            throw NodeConfigurationError(key: "", error.description)
        }
        return try parse(document: document)
    }

    public static func parse(document: JSONValue) throws -> NodeConfiguration {
        let root = try ConfigSection(document, path: "")
        let scope = try root.requiredString("scope")
        let name = try root.requiredString("name")
        var namespace = try root.string("namespace") ?? "/service/"
        if !namespace.hasPrefix("/") { namespace = "/" + namespace }
        if !namespace.hasSuffix("/") { namespace += "/" }

        let restapi = try root.requiredSection("restapi")
        let restListen = try restapi.requiredAddress("listen")
        let restAPI = RESTAPISettings(listen: restListen,
                                      connectAddress: try restapi.address("connect_address") ?? restListen,
                                      authentication: try restapi.section("authentication")?.credentials())

        let etcd: ConfigSection
        if let section = try root.section("etcd3") { etcd = section }
        else if let section = try root.section("etcd") { etcd = section }
        else { throw NodeConfigurationError(key: "etcd3", "missing: the etcd endpoints (etcd3.hosts)") }
        let hosts = try etcd.hostList("hosts") ?? (try etcd.address("host")).map { [$0] } ?? []
        guard !hosts.isEmpty else { throw NodeConfigurationError(key: "\(etcd.path).hosts", "missing") }

        var dynamic = DynamicConfig()
        if let dcs = try root.section("bootstrap")?.section("dcs") {
            dynamic = DynamicConfig(document: dcs.value)
            if let problem = dynamic.validationError { throw NodeConfigurationError(key: "bootstrap.dcs", problem) }
        }

        let pg = try root.requiredSection("postgresql")
        let pgListen = try pg.requiredAddress("listen")
        let authentication = try pg.requiredSection("authentication")
        let postgresql = PostgreSQLSettings(
            listen: pgListen, connectAddress: try pg.address("connect_address") ?? pgListen,
            dataDirectory: try pg.requiredString("data_dir"), binDirectory: try pg.string("bin_dir"),
            superuser: try authentication.requiredSection("superuser").credentials(),
            replication: try authentication.requiredSection("replication").credentials(),
            parameters: try pg.section("parameters")?.fields ?? [:],
            pgHBA: try pg.stringList("pg_hba") ?? [])

        let tags = try root.section("tags")?.fields ?? [:]
        try checkTags(tags)
        return NodeConfiguration(scope: scope, namespace: namespace, name: name, restAPI: restAPI,
                                 etcdHosts: hosts, bootstrapDynamicConfig: dynamic, postgresql: postgresql,
                                 tags: tags,
                                 ctlAuthentication: try root.section("ctl")?.section("authentication")?.credentials())
    }

    private static func checkTags(_ tags: [String: JSONValue]) throws {
        for key in ["nofailover", "noloadbalance", "nosync", "nostream", "clonefrom"] {
            if let value = tags[key], value != .null, value.boolValue == nil {
                throw NodeConfigurationError(key: "tags.\(key)", "expected true or false, got \(value)")
            }
        }
        if let value = tags["failover_priority"], value != .null, value.intValue == nil {
            throw NodeConfigurationError(key: "tags.failover_priority", "expected an integer, got \(value)")
        }
        if let value = tags["replicatefrom"], value != .null, value.stringValue == nil {
            throw NodeConfigurationError(key: "tags.replicatefrom", "expected a member name, got \(value)")
        }
    }
}

/// A mapping of the YAML document and where it sits, for error messages.
struct ConfigSection {
    let value: JSONValue
    let fields: [String: JSONValue]
    let path: String

    init(_ value: JSONValue, path: String) throws {
        guard case .object(let fields) = value else {
            throw NodeConfigurationError(key: path, "expected a mapping")
        }
        self.value = value
        self.fields = fields
        self.path = path
    }

    func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private func present(_ key: String) -> JSONValue? {
        guard let value = fields[key], value != .null else { return nil }
        return value
    }

    func section(_ key: String) throws -> ConfigSection? {
        try present(key).map { try ConfigSection($0, path: keyPath(key)) }
    }

    func requiredSection(_ key: String) throws -> ConfigSection {
        guard let section = try section(key) else { throw NodeConfigurationError(key: keyPath(key), "missing") }
        return section
    }

    func string(_ key: String) throws -> String? {
        guard let value = present(key) else { return nil }
        switch value {
        case .string, .int, .double, .bool: return value.stringValue
        default: throw NodeConfigurationError(key: keyPath(key), "expected a single value, got \(value)")
        }
    }

    func requiredString(_ key: String) throws -> String {
        guard let text = try string(key), !text.isEmpty else {
            throw NodeConfigurationError(key: keyPath(key), "missing")
        }
        return text
    }

    func address(_ key: String) throws -> HostPort? {
        guard let text = try string(key) else { return nil }
        guard let address = HostPort(parsing: text) else {
            throw NodeConfigurationError(key: keyPath(key), "expected host:port with a port in 1-65535, got \"\(text)\"")
        }
        return address
    }

    func requiredAddress(_ key: String) throws -> HostPort {
        guard let address = try address(key) else { throw NodeConfigurationError(key: keyPath(key), "missing") }
        return address
    }

    func stringList(_ key: String) throws -> [String]? {
        guard let value = present(key) else { return nil }
        guard case .array(let items) = value else {
            throw NodeConfigurationError(key: keyPath(key), "expected a list")
        }
        return try items.map { item in
            guard let text = item.stringValue else {
                throw NodeConfigurationError(key: keyPath(key), "expected a list of strings, got \(item)")
            }
            return text
        }
    }

    /// "h:p,h:p" or a YAML list of "h:p".
    func hostList(_ key: String) throws -> [HostPort]? {
        guard let value = present(key) else { return nil }
        let texts: [String]
        if case .array = value { texts = try stringList(key) ?? [] }
        else { texts = (try string(key) ?? "").split(separator: ",").map(String.init) }
        return try texts.map { text in
            guard let address = HostPort(parsing: text) else {
                throw NodeConfigurationError(key: keyPath(key), "expected host:port entries, got \"\(text)\"")
            }
            return address
        }
    }

    func credentials() throws -> Credentials {
        Credentials(username: try requiredString("username"), password: try string("password"))
    }
}
