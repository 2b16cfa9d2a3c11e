// One HTTP/1.1 connection of the REST API, on NIO's event loop: collects a request's head and body into a
// `RESTRequest`, hands it to the router off the event loop, and writes the `RESTResponse` back. NIO's
// `HTTPServerPipelineHandler` in front of it keeps pipelined requests in order (the next one is delivered
// only after this one's response ended), and its protocol-error handler answers unparsable requests 400.
//
// Invariants:
// - A body never grows past `maximumBodyBytes`: once it would, the rest is read and dropped, the request is
//   answered 413 and the connection closed. Nothing a client sends can make the server buffer more.
// - The event loop never waits for the router: health checks on other connections keep being answered
//   while a switchover request polls the DCS for twenty seconds.
// - HEAD and OPTIONS responses carry no body (HAProxy's `option httpchk OPTIONS /primary` reads the status).
import NIOCore
import NIOHTTP1

final class HTTPRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        case idle
        case receiving(HTTPRequestHead, [UInt8])
        case discardingOversizedBody(HTTPRequestHead)
        case responding
    }

    private let maximumBodyBytes: Int
    private let respond: @Sendable (RESTRequest) async -> RESTResponse
    private var state = State.idle

    init(maximumBodyBytes: Int, respond: @escaping @Sendable (RESTRequest) async -> RESTResponse) {
        self.maximumBodyBytes = maximumBodyBytes
        self.respond = respond
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            if let length = head.headers.first(name: "content-length").flatMap(Int.init), length > maximumBodyBytes {
                state = .discardingOversizedBody(head)
                return
            }
            state = .receiving(head, [])
            if head.headers.first(name: "expect")?.lowercased() == "100-continue" {
                // curl asks before sending a body over 1 kB; without this it waits a second and sends anyway.
                let interim = HTTPResponseHead(version: head.version, status: .continue)
                context.writeAndFlush(wrapOutboundOut(.head(interim)), promise: nil)
            }
        case .body(let chunk):
            guard case .receiving(let head, var body) = state else { return }
            if body.count + chunk.readableBytes > maximumBodyBytes {
                state = .discardingOversizedBody(head)
                return
            }
            state = .idle   // drop the reference so appending does not copy the array
            body.append(contentsOf: chunk.readableBytesView)
            state = .receiving(head, body)
        case .end:
            switch state {
            case .receiving(let head, let body):
                state = .responding
                dispatch(head: head, body: body, context: context)
            case .discardingOversizedBody(let head):
                state = .responding
                let limit = maximumBodyBytes
                write(.text(413, "Request body larger than \(limit) bytes"), closing: true, for: head, context: context)
            case .idle, .responding:
                preconditionFailure("HTTP request end without a head: NIO's decoder delivers head, body, end")
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    private func dispatch(head: HTTPRequestHead, body: [UInt8], context: ChannelHandlerContext) {
        let request = RESTRequest(method: head.method, uri: head.uri, headers: head.headers, body: body)
        let respond = self.respond
        context.eventLoop.makeFutureWithTask { await respond(request) }
            .assumeIsolated()
            .whenSuccess { response in
                self.write(response, closing: response.closesConnection, for: head, context: context)
            }
    }

    private func write(_ response: RESTResponse, closing: Bool, for head: HTTPRequestHead,
                       context: ChannelHandlerContext) {
        let keepAlive = head.isKeepAlive && !closing
        let statusOnly = head.method == .HEAD || head.method == .OPTIONS
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: String(statusOnly ? 0 : response.body.count))
        for header in response.extraHeaders { headers.add(name: header.name, value: header.value) }
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        else if head.version.major == 1, head.version.minor == 0 { headers.add(name: "Connection", value: "keep-alive") }

        let status = HTTPResponseStatus(statusCode: response.status)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))),
                      promise: nil)
        if !statusOnly, !response.body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))),
                          promise: nil)
        }
        state = .idle
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            if !keepAlive { context.close(promise: nil) }
        }
    }
}
