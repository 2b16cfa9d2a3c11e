// ConnectionInfo: a libpq keyword/value connection string, as in primary_conninfo:
//
//   host=127.0.0.1 port=5432 user=replicator password='it''s \'x\'' application_name=node2
//
// Syntax (libpq's conninfo_parse): pairs separated by whitespace; spaces around "=" are allowed;
// a value is either a run of non-space characters or a single-quoted string; inside either, a
// backslash takes the next character literally (\' and \\). Keywords are libpq's; an unknown one
// is an error, as in libpq. Pairs keep their order; a repeated keyword keeps the last value.

public struct ConnectionInfo: Sendable, Equatable {
    public private(set) var pairs: [(key: String, value: String)]

    /// The keywords libpq accepts (those that only configure TLS/GSS/Kerberos are accepted and ignored).
    static let knownKeywords: Set<String> = [
        "host", "hostaddr", "port", "dbname", "user", "password", "passfile", "connect_timeout",
        "client_encoding", "options", "application_name", "fallback_application_name", "keepalives",
        "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout", "replication",
        "sslmode", "sslcompression", "sslcert", "sslkey", "sslpassword", "sslrootcert", "sslcrl", "sslcrldir",
        "sslsni", "requirepeer", "ssl_min_protocol_version", "ssl_max_protocol_version", "gssencmode",
        "krbsrvname", "gsslib", "target_session_attrs", "channel_binding", "service",
    ]

    public init(pairs: [(key: String, value: String)]) {
        self.pairs = pairs
    }

    public static func == (lhs: ConnectionInfo, rhs: ConnectionInfo) -> Bool {
        lhs.pairs.elementsEqual(rhs.pairs, by: { $0 == $1 })
    }

    /// Parses a connection string; errors use libpq's wording.
    public init(parsing text: String) throws(PGConnectionError) {
        var characters = Array(text)[...]
        var pairs: [(key: String, value: String)] = []
        func skipSpaces() { while let first = characters.first, first.isWhitespace { characters.removeFirst() } }
        while true {
            skipSpaces()
            guard !characters.isEmpty else { break }
            var key = ""
            while let first = characters.first, first != "=", !first.isWhitespace {
                key.append(characters.removeFirst())
            }
            skipSpaces()
            guard characters.first == "=" else {
                throw PGConnectionError("missing \"=\" after \"\(key)\" in connection info string")
            }
            characters.removeFirst()
            skipSpaces()
            var value = ""
            if characters.first == "'" {
                characters.removeFirst()
                var closed = false
                while let character = characters.popFirst() {
                    if character == "\\", let escaped = characters.popFirst() {
                        value.append(escaped)
                    } else if character == "'" {
                        closed = true
                        break
                    } else {
                        value.append(character)
                    }
                }
                guard closed else { throw PGConnectionError("unterminated quoted string in connection info string") }
            } else {
                while let first = characters.first, !first.isWhitespace {
                    characters.removeFirst()
                    if first == "\\", let escaped = characters.popFirst() {
                        value.append(escaped)
                    } else {
                        value.append(first)
                    }
                }
            }
            guard Self.knownKeywords.contains(key) else {
                throw PGConnectionError("invalid connection option \"\(key)\"")
            }
            pairs.removeAll { $0.key == key }
            pairs.append((key, value))
        }
        self.pairs = pairs
    }

    public subscript(key: String) -> String? {
        get { pairs.last(where: { $0.key == key })?.value }
        set {
            if let index = pairs.firstIndex(where: { $0.key == key }) {
                if let newValue { pairs[index].value = newValue } else { pairs.remove(at: index) }
            } else if let newValue {
                pairs.append((key, newValue))
            }
        }
    }

    /// The string again, each value quoted when it has to be (spaces, quotes, backslashes, empty).
    public var text: String { render(hidingPassword: false) }

    /// As pg_stat_wal_receiver.conninfo shows it: the password replaced by asterisks.
    public var textWithoutPassword: String { render(hidingPassword: true) }

    private func render(hidingPassword: Bool) -> String {
        pairs.map { pair in
            let value = hidingPassword && pair.key == "password" ? "********" : pair.value
            return pair.key + "=" + Self.quote(value)
        }.joined(separator: " ")
    }

    static func quote(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.contains { $0.isWhitespace || $0 == "'" || $0 == "\\" }
        guard needsQuotes else { return value }
        var quoted = "'"
        for character in value {
            if character == "'" || character == "\\" { quoted.append("\\") }
            quoted.append(character)
        }
        return quoted + "'"
    }

    /// A client configuration for this connection string, with libpq's defaults and environment
    /// (PGHOST, PGPORT, PGUSER, PGPASSWORD) for what it leaves out.
    public func clientConfiguration(environment: [String: String], replication: String? = nil,
                                    defaultApplicationName: String? = nil) throws(PGConnectionError) -> PGClientConfiguration {
        let host = self["host"].flatMap { $0.isEmpty ? nil : $0 } ?? self["hostaddr"] ?? environment["PGHOST"] ?? "localhost"
        let portText = self["port"] ?? environment["PGPORT"] ?? String(PGClientConfiguration.defaultPort)
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw PGConnectionError("invalid port number: \"\(portText)\"")
        }
        var timeout = PGClientConfiguration.defaultConnectTimeout
        if let text = self["connect_timeout"] {
            guard let seconds = Int(text) else {
                throw PGConnectionError("invalid integer value \"\(text)\" for connection option \"connect_timeout\"")
            }
            if seconds > 0 { timeout = .seconds(max(2, seconds)) }
        }
        let user = self["user"] ?? environment["PGUSER"] ?? environment["USER"] ?? "postgres"
        return PGClientConfiguration(
            host: host, port: port, user: user, password: self["password"] ?? environment["PGPASSWORD"],
            database: self["dbname"], applicationName: self["application_name"] ?? self["fallback_application_name"] ?? defaultApplicationName,
            replication: replication ?? self["replication"], connectTimeout: timeout)
    }
}
