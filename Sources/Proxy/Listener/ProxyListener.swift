// One TCP listener (the primary's, port 5000 in the lab, or the replicas', 5001): for each accepted
// client it asks the routing table for a backend, connects to it on the client's own event loop, and
// splices the two connections together. No backend in rotation, or a failed connect, closes the
// client at once — like HAProxy, which has no server to offer — so a client retrying in a loop gets a
// fast answer instead of a hang.
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
        guard let (session, backend) = table.openSession(role: role, cut: { client.close(promise: nil) }) else {
            logger.debug("no backend in rotation for the \(role.listenerName) listener; closing the client")
            client.close(promise: nil)
            return client.eventLoop.makeSucceededVoidFuture()
        }
        client.closeFuture.whenComplete { _ in table.closeSession(session) }
        let (clientEnd, backendEnd) = SpliceHandler.pair(session: session)
        let backendHandler = NIOLoopBound(backendEnd, eventLoop: client.eventLoop)
        do {
            try client.pipeline.syncOperations.addHandler(clientEnd)
        } catch {
            client.close(promise: nil)
            return client.eventLoop.makeFailedFuture(error)
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
                    client.close(promise: nil)
                }
            }
        return client.eventLoop.makeSucceededVoidFuture()
    }
}
