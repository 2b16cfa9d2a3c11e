// The byte pipe itself, without PostgreSQL: a client sends a request and half-closes; a backend reads
// it to the end, answers with 32 MB (far more than socket buffers hold, so the proxy must hold reads
// back while the client catches up) and closes. Every byte must arrive in both directions, the
// half-close must travel through, and the stats must count the bytes.
import Dispatch
import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization
import Testing
@testable import Proxy

@Suite struct SpliceTests {
    static let requestBytes = 100_000
    static let answerBytes = 32 << 20

    /// Reads the whole request (until the client's FIN arrives through the proxy), then answers and closes.
    final class BulkBackend: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let counter: ByteCounter
        init(counter: ByteCounter) { self.counter = counter }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            counter.add(unwrapInboundIn(data).readableBytes)
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            guard let event = event as? ChannelEvent, event == .inputClosed else { return }
            let chunk = context.channel.allocator.buffer(repeating: 7, count: 1 << 20)
            for _ in 0..<(SpliceTests.answerBytes >> 20) { context.write(wrapOutboundOut(chunk), promise: nil) }
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0))).whenComplete { _ in
                channel.close(promise: nil)
            }
        }
    }

    final class ByteCounter: Sendable {
        private let count = Atomic<Int>(0)
        func add(_ bytes: Int) { count.add(bytes, ordering: .relaxed) }
        var value: Int { count.load(ordering: .relaxed) }
    }

    /// A blocking client: connect, send, shutdown(SHUT_WR), read to EOF; returns the bytes read.
    static func exchange(port: Int) throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw TestFailure("connect failed: errno \(errno)") }
        let request = [UInt8](repeating: 1, count: requestBytes)
        var sent = 0
        while sent < request.count {
            let written = request[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard written > 0 else { throw TestFailure("write failed: errno \(errno)") }
            sent += written
        }
        shutdown(fd, Int32(SHUT_WR))
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var total = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            total += count
        }
        return total
    }

    @Test func bothDirectionsArriveWholeAndTheHalfCloseTravelsThrough() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let counter = ByteCounter()
        let backend = try await ServerBootstrap(group: group)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(BulkBackend(counter: counter))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let agent = try await StandInAgent(role: .primary, group: group)
        var configuration = ProxyConfiguration(backends: [
            .init(name: "bulk", address: .init(host: "127.0.0.1", port: try #require(backend.localAddress?.port)),
                  checkURL: agent.url),
        ])
        configuration.primaryListener = .init(host: "127.0.0.1", port: 0)
        configuration.replicaListener = nil
        configuration.statsListener = nil
        configuration.threads = 2                          // as a multi-core deployment would run it
        let service = try await ProxyService.start(configuration: configuration, logger: Logger(label: "splice-test"))
        let port = try #require(service.port(of: .primary))
        for _ in 0..<600 where service.table.snapshot().listeners[0].routesTo == nil {
            try await Task.sleep(for: .milliseconds(50))
        }

        let received = try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try Self.exchange(port: port) }) }
        }
        #expect(received == Self.answerBytes)
        #expect(counter.value == Self.requestBytes)
        for _ in 0..<600 where service.table.snapshot().listeners[0].currentSessions > 0 {
            try await Task.sleep(for: .milliseconds(50))
        }
        let stats = service.table.snapshot().listeners[0].backends[0]
        #expect(stats.currentSessions == 0)
        #expect(stats.bytesIn == UInt64(Self.requestBytes))
        #expect(stats.bytesOut == UInt64(Self.answerBytes))

        await service.stop()
        await agent.close()
        try await backend.close()
        try await group.shutdownGracefully()
    }
}
