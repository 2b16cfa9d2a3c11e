// HostBasedAuthentication: pg_hba.conf — which connections may authenticate, and how.
//
// Syntax as PostgreSQL's: one rule per line, `#` comments, fields separated by blanks:
//   local      DATABASE USER                METHOD
//   host       DATABASE USER ADDRESS        METHOD     (also hostnossl; hostssl never matches: no TLS)
//   host       DATABASE USER IP-ADDRESS IP-MASK METHOD
// DATABASE: all | sameuser | replication | name[,name...]; USER: all | name[,name...];
// ADDRESS: CIDR (127.0.0.1/32, ::1/128), all, samehost. METHOD: trust | reject | md5 | scram-sha-256.
// Rules are tried in order and the FIRST whose type, database, user and address match decides; no
// match means the connection is refused (PostgreSQL's `no pg_hba.conf entry` error).
// Invariant: `all` does not match a physical replication connection; only `replication` does.

public enum HBAMethod: String, Sendable {
    case trust
    case reject
    case md5
    case scramSHA256 = "scram-sha-256"
}

public enum HBAConnectionType: Sendable, Equatable {
    case local
    case host
}

public struct HBARule: Sendable, Equatable {
    public enum DatabaseMatch: Sendable, Equatable { case all, sameUser, replication, named(String) }
    public enum UserMatch: Sendable, Equatable { case all, named(String) }
    public enum AddressMatch: Sendable, Equatable { case all, sameHost, network(IPNetwork) }

    public var line: Int
    public var connectionType: HBAConnectionType
    public var databases: [DatabaseMatch]
    public var users: [UserMatch]
    public var address: AddressMatch?
    public var method: HBAMethod
}

public struct HostBasedAuthentication: Sendable {
    public private(set) var rules: [HBARule]

    public init(rules: [HBARule]) { self.rules = rules }

    public init(parsing text: String, file: String) throws {
        var rules: [HBARule] = []
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let content = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let fields = content.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            if fields.isEmpty { continue }
            rules.append(try Self.parseRule(fields, line: lineNumber, file: file))
        }
        self.rules = rules
    }

    /// The first rule that matches the connection, or nil (the connection is refused).
    public func match(connectionType: HBAConnectionType, database: String, user: String,
                      isReplication: Bool, address: IPAddress?) -> HBARule? {
        rules.first { rule in
            guard rule.connectionType == connectionType else { return false }
            guard rule.databases.contains(where: { Self.matches($0, database: database, user: user, isReplication: isReplication) }) else { return false }
            guard rule.users.contains(where: { if case .named(let name) = $0 { return name == user } else { return true } }) else { return false }
            switch rule.address {
            case nil, .all?: return true
            case .sameHost?: return address?.isLoopback ?? false
            case .network(let network)?: return address.map(network.contains) ?? false
            }
        }
    }

    private static func matches(_ match: HBARule.DatabaseMatch, database: String, user: String, isReplication: Bool) -> Bool {
        switch match {
        case .replication: return isReplication
        case .all: return !isReplication
        case .sameUser: return !isReplication && database == user
        case .named(let name): return !isReplication && name == database
        }
    }

    private static func parseRule(_ fields: [String], line: Int, file: String) throws -> HBARule {
        func fail(_ message: String) -> ConfigFileError { ConfigFileError(file: file, line: line, message: message) }
        let type: HBAConnectionType
        switch fields[0] {
        case "local": type = .local
        case "host", "hostnossl": type = .host
        case "hostssl", "hostgssenc", "hostnogssenc":
            throw fail("connection type \"\(fields[0])\" is not supported by minipg (no TLS or GSSAPI)")
        default: throw fail("invalid connection type \"\(fields[0])\"")
        }
        let needed = type == .local ? 4 : 5
        guard fields.count >= needed else { throw fail("end-of-line before authentication method") }
        let databases = fields[1].split(separator: ",").map { name -> HBARule.DatabaseMatch in
            switch name {
            case "all": return .all
            case "sameuser": return .sameUser
            case "replication": return .replication
            default: return .named(String(name))
            }
        }
        let users = fields[2].split(separator: ",").map { $0 == "all" ? HBARule.UserMatch.all : .named(String($0)) }
        var methodIndex = 3
        var address: HBARule.AddressMatch?
        if type == .host {
            methodIndex = 4
            switch fields[3] {
            case "all": address = .all
            case "samehost": address = .sameHost
            default:
                if fields[3].contains("/") {
                    guard let network = IPNetwork(cidr: fields[3]) else { throw fail("invalid IP address \"\(fields[3])\"") }
                    address = .network(network)
                } else {
                    guard fields.count >= 6, let ip = IPAddress(fields[3]), let mask = IPAddress(fields[4]),
                          let network = IPNetwork(address: ip, mask: mask) else {
                        throw fail("invalid IP address \"\(fields[3])\"")
                    }
                    address = .network(network)
                    methodIndex = 5
                }
            }
        }
        guard methodIndex < fields.count else { throw fail("end-of-line before authentication method") }
        guard let method = HBAMethod(rawValue: fields[methodIndex]) else {
            throw fail("invalid authentication method \"\(fields[methodIndex])\" (minipg supports trust, reject, md5, scram-sha-256)")
        }
        return HBARule(line: line, connectionType: type, databases: databases, users: users, address: address, method: method)
    }
}
