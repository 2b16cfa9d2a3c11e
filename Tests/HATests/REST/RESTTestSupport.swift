// Real HTTP against a RESTServer on a loopback port: AsyncHTTPClient for ordinary requests, a bare TCP
// connection (NIO) for what a well-behaved client never sends — garbage, unknown methods, pipelining.
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
@testable import HA

struct RESTTestServer {
    let server: RESTServer
    let port: Int
    let client: HTTPClient

    var baseURL: String { "http://127.0.0.1:\(port)" }

    struct Reply {
        var status: Int
        var headers: HTTPHeaders
        var body: String
    }

    /// Starts a server for `agent`, runs `body` with it, and shuts both the server and the client down.
    /// The peer timeout is generous: the suites run in parallel on a small machine, and a live peer that
    /// answers late must not read as "did not answer" (the dead peers in these tests refuse at once).
    static func with<T>(_ agent: FakeAgent, authentication: RESTAuthentication? = nil,
                        _ body: (RESTTestServer) async throws -> T) async throws -> T {
        let server = RESTServer(host: "127.0.0.1", port: 0, agent: agent, authentication: authentication,
                                logger: Logger(label: "rest-test"), peerTimeout: .seconds(20))
        let port = try await server.start()
        let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        let harness = RESTTestServer(server: server, port: port, client: client)
        do {
            let result = try await body(harness)
            try await client.shutdown()
            try await server.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            try? await server.shutdown()
            throw error
        }
    }

    func send(_ method: HTTPMethod, _ path: String, json: String? = nil,
              credentials: (String, String)? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        if let (user, password) = credentials {
            let token = Data("\(user):\(password)".utf8).base64EncodedString()
            request.headers.add(name: "Authorization", value: "Basic \(token)")
        }
        let response = try await client.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 4 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, body: String(buffer: body))
    }

    func send(_ method: HTTPMethod, _ path: String, body: [UInt8]) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await client.execute(request, timeout: .seconds(60))
        let text = try await response.body.collect(upTo: 4 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, body: String(buffer: text))
    }

    /// Writes `bytes` on a fresh TCP connection and returns everything the server sends until it closes.
    func raw(_ bytes: String) async throws -> String {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: bytes))
            var text = ""
            for try await chunk in inbound { text += String(buffer: chunk) }
            return text
        }
    }
}
