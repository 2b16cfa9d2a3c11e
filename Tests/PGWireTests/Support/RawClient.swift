// RawClient: a blocking TCP client for tests that speaks bytes, so a test can send exactly what
// it wants (malformed messages included) and read the server's messages back.

import Foundation
import Logging
import NIOCore
@testable import PGWire

#if canImport(Glibc)
import Glibc
#endif

final class RawClient {
    /// A read that waits longer than this fails the test instead of hanging it.
    static let receiveTimeoutSeconds = 10

    private let socketFD: Int32
    private var pending = ByteBuffer()

    init(port: Int) throws {
        socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: Self.receiveTimeoutSeconds, tv_usec: 0)
        setsockopt(socketFD, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else { throw PGError(sqlState: "08006", message: "connect failed: \(errno)") }
    }

    deinit { close(socketFD) }

    func send(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            var offset = 0
            while offset < raw.count {
                let sent = Glibc.send(socketFD, base + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if sent <= 0 { return }
                offset += sent
            }
        }
    }

    func send(_ messages: [FrontendMessage]) {
        var buffer = ByteBuffer()
        for message in messages { message.encode(into: &buffer) }
        send(Array(buffer.readableBytesView))
    }

    /// Reads one byte (the SSL answer).
    func readByte() -> UInt8? {
        if pending.readableBytes == 0, !fill() { return nil }
        return pending.readInteger(as: UInt8.self)
    }

    /// The next message, or nil when the server closed the connection.
    func readMessage() throws -> BackendMessage? {
        while true {
            if let message = try BackendMessage.decode(from: &pending) { return message }
            if !fill() { return nil }
        }
    }

    /// Messages up to and including the next ReadyForQuery (or until EOF).
    func readUntilReady() throws -> [BackendMessage] {
        var messages: [BackendMessage] = []
        while let message = try readMessage() {
            messages.append(message)
            if case .readyForQuery = message { break }
        }
        return messages
    }

    /// Everything until the server closes the connection.
    func readUntilClosed() throws -> [BackendMessage] {
        var messages: [BackendMessage] = []
        while let message = try readMessage() { messages.append(message) }
        return messages
    }

    /// Startup with trust authentication, up to the first ReadyForQuery.
    func startTrusted(user: String = "alice", database: String = "db") throws -> [BackendMessage] {
        send([.startup(StartupMessage(protocolMinorVersion: 0, parameters: [("user", user), ("database", database)]))])
        return try readUntilReady()
    }

    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { raw -> Int in
            guard let base = raw.baseAddress else { return 0 }
            return recv(socketFD, base, raw.count, 0)
        }
        guard count > 0 else { return false }
        pending.writeBytes(chunk[0..<count])
        return true
    }
}

/// A PGServer on 127.0.0.1 (unless told otherwise) and a free port, stopped by `stop()`.
func makeTestServer(_ factory: TestFactory, hosts: [String] = ["127.0.0.1"],
                    unixSocketDirectories: [String] = []) throws -> (server: PGServer, port: Int) {
    var logger = Logger(label: "PGWireTests")
    logger.logLevel = .error
    let server = PGServer(host: hosts, port: 0, factory: factory, logger: logger,
                          unixSocketDirectories: unixSocketDirectories, eventLoopThreads: 1)
    try server.start()
    guard let port = server.localPort else { throw PGError(sqlState: "XX000", message: "no port") }
    return (server, port)
}
