// The stats page's small HTTP server (HAProxy's `listen stats`): GET / → HTML, GET /stats.json or
// HAProxy's /;json → JSON. Each request copies a fresh snapshot out of the routing table.

import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

public final class StatsServer: Sendable {
    private let channel: Channel

    public var localAddress: SocketAddress? { channel.localAddress }

    private init(channel: Channel) {
        self.channel = channel
    }

    public static func bind(endpoint: ProxyConfiguration.Endpoint, table: RoutingTable, group: EventLoopGroup,
                            logger: Logger) async throws -> StatsServer {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 32)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(StatsRequestHandler(table: table))
                }
            }
            .bind(host: endpoint.host, port: endpoint.port)
            .get()
        logger.info("stats page on http://\(endpoint)/")
        return StatsServer(channel: channel)
    }

    public func close() async {
        try? await channel.close()
    }
}

final class StatsRequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let table: RoutingTable
    private var request: HTTPRequestHead?

    init(table: RoutingTable) {
        self.table = table
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
        case .body:
            break
        case .end:
            guard let head = request else { return }
            request = nil
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        let status: HTTPResponseStatus
        let contentType: String
        let body: String
        switch (head.method, path) {
        case (.GET, "/"), (.HEAD, "/"):
            (status, contentType, body) = (.ok, "text/html; charset=utf-8", table.snapshot().html())
        case (.GET, "/stats.json"), (.GET, "/;json"), (.HEAD, "/stats.json"):
            (status, contentType, body) = (.ok, "application/json", String(decoding: table.snapshot().json(), as: UTF8.self) + "\n")
        default:
            (status, contentType, body) = (.notFound, "text/plain", "not found: try / or /stats.json\n")
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(body.utf8.count))
        headers.add(name: "Cache-Control", value: "no-cache")
        if !head.isKeepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if head.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
        }
        let keepAlive = head.isKeepAlive
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            if !keepAlive { channel.close(promise: nil) }
        }
    }
}
