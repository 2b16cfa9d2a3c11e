// StartupInfo: what a client said in its StartupMessage, plus where it connected from.
// `user` is always present (PostgreSQL refuses a startup packet without it); `database`
// defaults to the user name as PostgreSQL does.

import NIOCore

public struct StartupInfo: Sendable, Equatable {
    public var user: String
    public var database: String
    /// application_name as sent, or "" (echoed back in ParameterStatus).
    public var applicationName: String
    /// The `replication` parameter as sent ("true", "database", …), nil for a normal session.
    public var replication: String?
    /// Every other startup parameter as sent (client_encoding, DateStyle, options, …).
    public var options: [String: String]
    /// The peer address; nil when unknown.
    public var remoteAddress: SocketAddress?

    public init(user: String, database: String, applicationName: String = "", replication: String? = nil,
                options: [String: String] = [:], remoteAddress: SocketAddress? = nil) {
        self.user = user
        self.database = database
        self.applicationName = applicationName
        self.replication = replication
        self.options = options
        self.remoteAddress = remoteAddress
    }

    /// The host as PostgreSQL prints it in messages and pg_hba matching: "127.0.0.1", "::1", or
    /// "[local]" for a Unix-domain socket.
    public var remoteHost: String {
        guard let remoteAddress else { return "[local]" }
        switch remoteAddress {
        case .unixDomainSocket: return "[local]"
        case .v4, .v6: return remoteAddress.ipAddress ?? "[local]"
        }
    }
}
