// PGServer: listens on TCP addresses (and optionally Unix-domain sockets) and runs one
// connection (decoder + handler + worker thread) per client. See Connection/ for what a
// connection does; this file only owns listeners and the set of live connections.

import Logging
import NIOCore
import NIOPosix

public final class PGServer: @unchecked Sendable {
    let hosts: [String]
    let port: Int
    let factory: BackendFactory
    let logger: Logger
    let unixSocketDirectories: [String]

    /// `host` entries as in listen_addresses: "localhost", "*", "0.0.0.0", "::", or IP addresses.
    /// `port` 0 picks a free port (see `localPort`). `unixSocketDirectories`: where to create
    /// `.s.PGSQL.<port>` sockets (PostgreSQL's unix_socket_directories); empty for none.
    public init(host: [String], port: Int, factory: BackendFactory, logger: Logger,
                unixSocketDirectories: [String] = []) {
        self.hosts = host
        self.port = port
        self.factory = factory
        self.logger = logger
        self.unixSocketDirectories = unixSocketDirectories
    }

    /// Binds every listen address; throws if none could be bound.
    public func start() throws {}
    /// The TCP port actually bound (useful with port 0).
    public var localPort: Int? { nil }
    /// Stops accepting new connections (smart shutdown starts here); sessions keep running.
    public func closeListeners() {}
    /// Fast shutdown of the sessions: each gets FATAL 57P01 and is closed.
    public func terminateAllSessions() {}
    /// Live client connections (what max_connections counts).
    public var connectionCount: Int { 0 }
    /// closeListeners + terminateAllSessions, waits (bounded) for the sessions to end, then stops
    /// the event loops.
    public func stop() {}
}
