// PostgresProcessSettings: what ProcessPostgresController needs to know about its node — built by the
// agent from the node's YAML config (postgresql.data_dir, listen, connect_address, authentication),
// so the controller does not depend on the config's shape.
//
// Defaults follow Patroni's: the server's log next to the data directory, a 2 s bound on each
// observation, 60 s for a start or a fast stop (pg_ctl's default wait).

import Foundation

public struct PostgresProcessSettings: Sendable {
    public struct Credentials: Sendable, Equatable {
        public var username: String
        public var password: String?
        public init(username: String, password: String?) {
            self.username = username
            self.password = password
        }
    }

    /// The member name: application_name of this node's replication connection, and its slot name.
    public var memberName: String
    public var dataDirectory: String
    /// The `minipg` binary that runs `server`, `initdb`, `basebackup`, `rewind`, `controldata`.
    public var executable: String
    /// The server's (and the tools') standard output and error are appended here.
    public var logFile: String
    /// postgresql.listen: what the server binds (listen_addresses) and its port.
    public var listenAddresses: String
    public var port: Int
    /// Where the agent connects to its own server (127.0.0.1 unless it listens elsewhere only).
    public var localHost: String
    public var superuser: Credentials
    public var replication: Credentials
    /// Adds primary_slot_name = <member name, Patroni-style> to a standby's configuration.
    public var usesReplicationSlots: Bool
    /// Bounds one observation (connect + queries).
    public var observeTimeout: Duration
    /// Bounds waiting for a started server to accept connections.
    public var startTimeout: Duration
    /// A fast stop that has not finished by then is escalated to an immediate one.
    public var fastStopTimeout: Duration
    /// An immediate stop (SIGQUIT) that has not finished by then is finished with SIGKILL.
    public var immediateStopGracePeriod: Duration

    public init(memberName: String, dataDirectory: String, executable: String? = nil, logFile: String? = nil,
                listenAddresses: String = "127.0.0.1", port: Int, localHost: String = "127.0.0.1",
                superuser: Credentials, replication: Credentials, usesReplicationSlots: Bool = false,
                observeTimeout: Duration = .seconds(2), startTimeout: Duration = .seconds(60),
                fastStopTimeout: Duration = .seconds(60), immediateStopGracePeriod: Duration = .seconds(5)) {
        let directory = URL(fileURLWithPath: dataDirectory).standardizedFileURL
        self.memberName = memberName
        self.dataDirectory = directory.path
        self.executable = executable ?? Self.currentExecutable
        self.logFile = logFile ?? directory.deletingLastPathComponent().appendingPathComponent("\(memberName).log").path
        self.listenAddresses = listenAddresses
        self.port = port
        self.localHost = localHost
        self.superuser = superuser
        self.replication = replication
        self.usesReplicationSlots = usesReplicationSlots
        self.observeTimeout = observeTimeout
        self.startTimeout = startTimeout
        self.fastStopTimeout = fastStopTimeout
        self.immediateStopGracePeriod = immediateStopGracePeriod
    }

    /// The agent is `minipg node`: the server is the same binary (/proc/self/exe).
    public static var currentExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// Patroni's slot name for a member: lower case, anything but [a-z0-9_] replaced by '_'.
    public static func slotName(forMember name: String) -> String {
        String(name.lowercased().map { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "_" ? $0 : "_" })
    }
}
