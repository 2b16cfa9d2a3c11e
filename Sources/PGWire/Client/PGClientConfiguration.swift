// PGClientConfiguration: where and as whom a client connection goes, and what its StartupMessage
// says. Built by hand or from a libpq connection string (ConnectionInfo).

public struct PGClientConfiguration: Sendable, Equatable {
    /// A host name or address; a path starting with "/" is a Unix-socket directory (libpq's rule).
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    /// nil: libpq's default for the mode ("replication" on a physical replication connection,
    /// otherwise the user name).
    public var database: String?
    public var applicationName: String?
    /// The startup parameter `replication`: "true" for a physical walsender, "database" for a
    /// logical one, nil for a normal session.
    public var replication: String?
    /// Bounds each connect attempt (libpq's connect_timeout).
    public var connectTimeout: Duration

    public static let defaultPort = 5432
    public static let defaultConnectTimeout = Duration.seconds(10)

    public init(host: String = "localhost", port: Int = defaultPort, user: String, password: String? = nil,
                database: String? = nil, applicationName: String? = nil, replication: String? = nil,
                connectTimeout: Duration = defaultConnectTimeout) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.applicationName = applicationName
        self.replication = replication
        self.connectTimeout = connectTimeout
    }

    /// The StartupMessage parameters in libpq's order: user, database, replication, application_name.
    var startupParameters: [(String, String)] {
        var parameters = [("user", user)]
        parameters.append(("database", database ?? (replication == "true" ? "replication" : user)))
        if let replication { parameters.append(("replication", replication)) }
        if let applicationName { parameters.append(("application_name", applicationName)) }
        return parameters
    }
}
