// A stand-in for an HA agent's REST API that the test controls: GET /primary and GET /replica answer
// 200 or 503 according to the role the test has set. The proxy's checks against it are real HTTP; only
// the decision "who is the leader" is the test's instead of an HA loop's.

import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
@testable import Proxy

final class StandInAgent: Sendable {
    enum Role: Sendable {
        case primary, replica, down
    }

    /// The role the agent claims; the test flips it.
    final class RoleSwitch: Sendable {
        private let role: Mutex<Role>
        init(_ role: Role) { self.role = Mutex(role) }
        var current: Role { role.withLock { $0 } }
        func set(_ newRole: Role) { role.withLock { $0 = newRole } }
    }

    private let role: RoleSwitch
    private let channel: Channel

    var url: String { "http://127.0.0.1:\(channel.localAddress?.port ?? 0)" }

    init(role initial: Role, group: EventLoopGroup) async throws {
        let role = RoleSwitch(initial)
        self.role = role
        channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(answer: { path in
                        switch (role.current, path) {
                        case (.primary, "/primary"), (.replica, "/replica"): return .ok
                        default: return .serviceUnavailable
                        }
                    }))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
    }

    func set(_ newRole: Role) { role.set(newRole) }

    func close() async { try? await channel.close() }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let answer: @Sendable (String) -> HTTPResponseStatus
        private var path = ""

        init(answer: @escaping @Sendable (String) -> HTTPResponseStatus) { self.answer = answer }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head): path = head.uri
            case .body: break
            case .end:
                var headers = HTTPHeaders()
                headers.add(name: "Content-Length", value: "0")
                let head = HTTPResponseHead(version: .http1_1, status: answer(path), headers: headers)
                context.write(wrapOutboundOut(.head(head)), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
