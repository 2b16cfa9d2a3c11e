// PGServer: listens on TCP addresses (and optionally Unix-domain sockets) and runs one
// connection (decoder + handler on an event loop, plus a worker thread) per client. It owns the
// listeners and the registry of live connections (what max_connections counts and what a fast
// shutdown terminates); see Connection/ for what a connection does.

import Logging
import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

public final class PGServer: @unchecked Sendable {
    /// How long stop() waits for sessions to end after terminating them.
    static let shutdownWaitMilliseconds = 5_000
    static let shutdownPollMilliseconds = 10

    let hosts: [String]
    let port: Int
    let factory: BackendFactory
    let logger: Logger
    let unixSocketDirectories: [String]
    let limits: MessageLimits

    private let group: MultiThreadedEventLoopGroup
    private let listeners = Mutex<[Channel]>([])
    private let connections = Mutex<[Int32: ConnectionWorker]>([:])
    private let nextProcessID: Atomic<Int32>
    private let boundPort = Mutex<Int?>(nil)
    private let socketFiles = Mutex<[String]>([])

    /// `host` entries as in listen_addresses: "localhost", "*", "0.0.0.0", "::", or IP addresses.
    /// `port` 0 picks a free port (see `localPort`). `unixSocketDirectories`: where to create
    /// `.s.PGSQL.<port>` sockets (PostgreSQL's unix_socket_directories); empty for none.
    public init(host: [String], port: Int, factory: BackendFactory, logger: Logger,
                unixSocketDirectories: [String] = [], limits: MessageLimits = MessageLimits(),
                eventLoopThreads: Int = System.coreCount) {
        self.hosts = host
        self.port = port
        self.factory = factory
        self.logger = logger
        self.unixSocketDirectories = unixSocketDirectories
        self.limits = limits
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, eventLoopThreads))
        // Process IDs shown to clients (BackendKeyData, pg_backend_pid()) start above our own pid.
        self.nextProcessID = Atomic(Int32(truncatingIfNeeded: getpid()) &+ 1)
    }

    /// Binds every listen address; throws if none could be bound.
    public func start() throws {
        var firstError: Error?
        var port = self.port
        for address in Self.expand(hosts) {
            do {
                let channel = try tcpBootstrap(ipv6: address.contains(":"))
                    .bind(host: address, port: port).wait()
                if port == 0, let bound = channel.localAddress?.port { port = bound }
                listeners.withLock { $0.append(channel) }
                logger.info("listening on IP address \"\(address)\", port \(port)")
            } catch {
                logger.warning("could not bind to \"\(address)\" port \(port): \(error)")
                if firstError == nil { firstError = error }
            }
        }
        if listeners.withLock({ $0.isEmpty }), !hosts.isEmpty {
            throw firstError ?? PGError(severity: .fatal, sqlState: "XX000", message: "could not create any TCP/IP sockets")
        }
        boundPort.withLock { $0 = port }
        for directory in unixSocketDirectories {
            let path = "\(directory)/.s.PGSQL.\(port)"
            do {
                let channel = try unixBootstrap().bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).wait()
                listeners.withLock { $0.append(channel) }
                socketFiles.withLock { $0.append(path) }
                logger.info("listening on Unix socket \"\(path)\"")
            } catch {
                logger.warning("could not create Unix socket \"\(path)\": \(error)")
            }
        }
    }

    /// The TCP port actually bound (useful with port 0); nil before start().
    public var localPort: Int? { boundPort.withLock { $0 } }

    /// Live client connections (what max_connections counts).
    public var connectionCount: Int { connections.withLock { $0.count } }

    /// Stops accepting new connections (smart shutdown starts here); sessions keep running.
    public func closeListeners() {
        let channels = listeners.withLock { channels in
            defer { channels.removeAll() }
            return channels
        }
        for channel in channels { try? channel.close().wait() }
        // Like PostgreSQL, remove the socket files so that clients get "no such file" rather than a
        // refused connection.
        for path in socketFiles.withLock({ paths in defer { paths.removeAll() }; return paths }) { unlink(path) }
    }

    /// Fast shutdown of the sessions: a running statement is cancelled, then each session gets
    /// FATAL 57P01 and is closed. Sessions whose process ids are in `sparing` keep running (the WAL
    /// senders, which must still send the shutdown checkpoint).
    public func terminateAllSessions(sparing: Set<Int32> = []) {
        let workers = connections.withLock { $0.filter { !sparing.contains($0.key) }.map(\.value) }
        for worker in workers {
            worker.queue.pushUrgent(.administratorShutdown)
            worker.cancelRunningStatement()
        }
    }

    /// closeListeners + terminateAllSessions, waits (bounded) for the sessions to end, then stops
    /// the event loops.
    public func stop() {
        closeListeners()
        terminateAllSessions()
        var waited = 0
        while connectionCount > 0, waited < Self.shutdownWaitMilliseconds {
            usleep(UInt32(Self.shutdownPollMilliseconds * 1000))
            waited += Self.shutdownPollMilliseconds
        }
        try? group.syncShutdownGracefully()
    }

    // MARK: bootstraps

    /// "*" means every IPv4 and IPv6 address; "localhost" the loopback addresses of both.
    static func expand(_ hosts: [String]) -> [String] {
        var addresses: [String] = []
        for host in hosts {
            switch host {
            case "*": addresses += ["0.0.0.0", "::"]
            case "localhost": addresses += ["127.0.0.1", "::1"]
            case "": continue
            default: addresses.append(host)
            }
        }
        var seen = Set<String>()
        return addresses.filter { seen.insert($0).inserted }
    }

    private func tcpBootstrap(ipv6: Bool) -> ServerBootstrap {
        var bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
        if ipv6 {
            // Like PostgreSQL: an IPv6 socket serves IPv6 only, so "*" can bind 0.0.0.0 and :: on one port.
            bootstrap = bootstrap.serverChannelOption(
                ChannelOptions.socket(SocketOptionLevel(IPPROTO_IPV6), SocketOptionName(IPV6_V6ONLY)), value: 1)
        }
        return bootstrap
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { [self] channel in acceptConnection(channel) }
    }

    private func unixBootstrap() -> ServerBootstrap {
        ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .childChannelInitializer { [self] channel in acceptConnection(channel) }
    }

    /// Sets up one connection: its pipeline on the event loop, its worker thread, its registry entry.
    private func acceptConnection(_ channel: Channel) -> EventLoopFuture<Void> {
        let processID = allocateProcessID()
        let liveConnections = connections.withLock { $0.count }
        let worker = ConnectionWorker(
            sink: ChannelSink(channel: channel), factory: factory, remoteAddress: channel.remoteAddress,
            processID: processID, connectionLimitExceeded: liveConnections >= factory.maxConnections,
            logger: logger)
        connections.withLock { $0[processID] = worker }
        let limits = self.limits
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrontendMessageDecoder(limits: limits)))
            try channel.pipeline.syncOperations.addHandler(ConnectionHandler(queue: worker.queue))
        }.always { [self] result in
            if case .failure = result {
                connections.withLock { $0[processID] = nil }
                return
            }
            worker.start { [self] in connections.withLock { $0[processID] = nil } }
        }
    }

    private func allocateProcessID() -> Int32 {
        while true {
            let processID = nextProcessID.add(1, ordering: .relaxed).oldValue
            if processID > 0 { return processID }
            nextProcessID.store(1, ordering: .relaxed)   // wrapped around: start again from 1
        }
    }
}
