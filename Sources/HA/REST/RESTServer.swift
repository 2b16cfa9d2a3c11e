// The agent's REST API server (Patroni's port 8008): HTTP/1.1 with keep-alive on SwiftNIO, answering load
// balancers' health checks, peers' status requests during the leader race, and operators' `ctl` commands.
// Routing is RESTRouter's; one connection's bytes are HTTPRequestHandler's.
//
//   let server = RESTServer(host: "127.0.0.1", port: 8008, agent: agent, authentication: auth, logger: log)
//   let port = try await server.start()      // port 0 binds a free one
//   …
//   try await server.shutdown()
//
// Invariants: the server has its own event loop (or one passed in) and answers from the agent's snapshots,
// so it stays up while the HA loop is busy; a request body is at most `maximumBodyBytes` (larger: 413).
import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

public final class RESTServer: Sendable {
    /// Enough for any configuration document; a body past this is refused with 413 without being stored.
    public static let defaultMaximumBodyBytes = 1 << 20

    let host: String
    let port: Int
    let logger: Logger
    let maximumBodyBytes: Int
    private let group: any EventLoopGroup
    private let ownsGroup: Bool
    private let peerClient: HTTPClient
    private let router: RESTRouter
    private let listener = Mutex<(any Channel)?>(nil)
    private let connections = Mutex<[ObjectIdentifier: any Channel]>([:])

    /// `eventLoopGroup`: nil gives the server a one-thread group of its own (shut down with the server).
    /// `peerTimeout`: how long a switchover pre-check waits for a candidate's GET /patroni (Patroni: 2 s).
    public init(host: String, port: Int, agent: any AgentControl, authentication: RESTAuthentication?,
                logger: Logger, eventLoopGroup: (any EventLoopGroup)? = nil,
                maximumBodyBytes: Int = RESTServer.defaultMaximumBodyBytes,
                peerTimeout: TimeAmount = HTTPPeerStatusFetcher.defaultTimeout) {
        self.host = host
        self.port = port
        self.logger = logger
        self.maximumBodyBytes = maximumBodyBytes
        self.group = eventLoopGroup ?? MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.ownsGroup = eventLoopGroup == nil
        self.peerClient = HTTPClient(eventLoopGroup: group, configuration: HTTPPeerStatusFetcher.clientConfiguration)
        self.router = RESTRouter(agent: agent, authentication: authentication,
                                 peers: HTTPPeerStatusFetcher(client: peerClient, timeout: peerTimeout), logger: logger)
    }

    /// Binds and starts answering; returns the bound port.
    @discardableResult
    public func start() async throws -> Int {
        let router = self.router
        let maximumBodyBytes = self.maximumBodyBytes
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { [self] channel in
                track(channel)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(
                        HTTPRequestHandler(maximumBodyBytes: maximumBodyBytes) { await router.handle($0) })
                }
            }
        let channel = try await bootstrap.bind(host: host, port: port).get()
        listener.withLock { $0 = channel }
        let boundPort = channel.localAddress?.port ?? port
        logger.info("REST API listening on \(host):\(boundPort)")
        return boundPort
    }

    /// Stops listening, closes open connections and releases the event loop group if it is the server's own.
    public func shutdown() async throws {
        if let channel = listener.withLock({ $0.take() }) { try? await channel.close() }
        for connection in connections.withLock({ $0.values }) { try? await connection.close() }
        try await peerClient.shutdown()
        if ownsGroup { try await group.shutdownGracefully() }
    }

    private func track(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        connections.withLock { $0[id] = channel }
        channel.closeFuture.whenComplete { [self] _ in _ = connections.withLock { $0.removeValue(forKey: id) } }
    }
}
