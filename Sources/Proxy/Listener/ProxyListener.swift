// One TCP listener (the primary's, port 5000 in the lab, or the replicas', 5001): for each accepted
// client it asks the routing table for a backend, connects to it on the client's own event loop, and
// splices the two connections together. A failed connect closes the client at once. With no backend in
// rotation, a replicas' client is closed at once (like HAProxy), but a primary's client waits up to
// `primary_wait` (default 30 s, Patroni's default ttl, so any failover at default settings ends within
// it): no primary is almost always a failover in progress, and a client that waits — psql's automatic
// reset after its session was cut, a pool reconnecting — lands on the new primary instead of failing.
// The wait is polled every 100 ms on the client's event loop.
//
// The client channel starts with autoRead off: nothing is read from the client until the backend
// connection is up (the startup packet waits in the kernel's socket buffer, not in the proxy).

import Logging
import NIOCore
import NIOPosix

public final class ProxyListener: Sendable {
    public let role: BackendRole
    private let channel: Channel

    public var localAddress: SocketAddress? { channel.localAddress }

    private init(role: BackendRole, channel: Channel) {
        self.role = role
        self.channel = channel
    }

    public static func bind(role: BackendRole, endpoint: ProxyConfiguration.Endpoint, table: RoutingTable,
                            group: EventLoopGroup, logger: Logger) async throws -> ProxyListener {
        let connectTimeout = TimeAmount.nanoseconds(Int64(table.configuration.connectTimeout / .nanoseconds(1)))
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { client in
                Self.accept(client, role: role, table: table, connectTimeout: connectTimeout, logger: logger)
            }
            .bind(host: endpoint.host, port: endpoint.port)
            .get()
        logger.info("\(role.listenerName) listener on \(endpoint)")
        return ProxyListener(role: role, channel: channel)
    }

    public func close() async {
        try? await channel.close()
    }

    private static func accept(_ client: Channel, role: BackendRole, table: RoutingTable,
                               connectTimeout: TimeAmount, logger: Logger) -> EventLoopFuture<Void> {
        let wait = role == .primary ? table.configuration.primaryWait : .zero
        route(client, role: role, table: table, connectTimeout: connectTimeout, logger: logger,
              deadline: NIODeadline.now() + TimeAmount.nanoseconds(Int64(wait / .nanoseconds(1))))
        return client.eventLoop.makeSucceededVoidFuture()
    }

    static let primaryPollInterval = TimeAmount.milliseconds(100)

    /// Opens the session, or — while `deadline` is ahead and the client is still there — tries again.
    /// (The first call runs in the channel initializer, before the client channel is active.)
    private static func route(_ client: Channel, role: BackendRole, table: RoutingTable,
                              connectTimeout: TimeAmount, logger: Logger, deadline: NIODeadline,
                              isRetry: Bool = false) {
        if isRetry, !client.isActive { return }
        guard let (session, backend) = table.openSession(role: role, cut: { client.close(promise: nil) },
                                                         countRefusal: NIODeadline.now() >= deadline) else {
            if NIODeadline.now() < deadline {
                client.eventLoop.scheduleTask(in: primaryPollInterval) {
                    route(client, role: role, table: table, connectTimeout: connectTimeout, logger: logger,
                          deadline: deadline, isRetry: true)
                }
                return
            }
            logger.debug("no backend in rotation for the \(role.listenerName) listener; closing the client")
            client.close(promise: nil)
            return
        }
        splice(client, session: session, backend: backend, role: role, table: table,
               connectTimeout: connectTimeout, logger: logger, deadline: deadline)
    }

    /// Connects to `backend` and splices. If the connect fails while the primary listener's wait is not
    /// over — the primary just died and its check has not yet seen it — the client is routed again
    /// instead of closed, unless it already sent bytes that the failed attempt holds.
    private static func splice(_ client: Channel, session: ProxySession, backend: ProxyConfiguration.Backend,
                               role: BackendRole, table: RoutingTable, connectTimeout: TimeAmount, logger: Logger,
                               deadline: NIODeadline) {
        client.closeFuture.whenComplete { _ in table.closeSession(session) }
        let (clientEnd, backendEnd) = SpliceHandler.pair(session: session)
        let backendHandler = NIOLoopBound(backendEnd, eventLoop: client.eventLoop)
        do {
            try client.pipeline.syncOperations.addHandler(clientEnd)
        } catch {
            client.close(promise: nil)
            return
        }
        ClientBootstrap(group: client.eventLoop)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .channelInitializer { server in
                server.eventLoop.makeCompletedFuture {
                    try server.pipeline.syncOperations.addHandler(backendHandler.value)
                }
            }
            .connect(host: backend.address.host, port: backend.address.port)
            .whenComplete { result in
                switch result {
                case .success(let server):
                    guard client.isActive else {
                        server.close(promise: nil)
                        return
                    }
                    client.setOption(.autoRead, value: true).whenFailure { _ in client.close(promise: nil) }
                case .failure(let error):
                    logger.warning("cannot connect to backend \(backend.name) at \(backend.address) for the \(role.listenerName) listener: \(error)")
                    if role == .primary, NIODeadline.now() < deadline, client.isActive,
                       !backendHandler.value.hasQueuedInput {
                        table.closeSession(session)
                        client.pipeline.syncOperations.removeHandler(clientEnd, promise: nil)
                        client.eventLoop.scheduleTask(in: primaryPollInterval) {
                            route(client, role: role, table: table, connectTimeout: connectTimeout, logger: logger,
                                  deadline: deadline, isRetry: true)
                        }
                        return
                    }
                    client.close(promise: nil)
                }
            }
    }
}
