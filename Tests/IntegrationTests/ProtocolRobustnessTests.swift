// ProtocolRobustnessTests: malformed and oversized protocol messages end only the connection that
// sent them, with a FATAL error, never the server; other sessions go on.

import Foundation
import XCTest

final class ProtocolRobustnessTests: XCTestCase {
    /// Opens a raw TCP connection, sends bytes, returns what the server answered before closing.
    private func exchange(port: Int, _ bytes: [UInt8]) -> [UInt8] {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return [] }
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            answer += buffer[0..<n]
        }
        return answer
    }

    private func int32(_ value: Int32) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }

    func testMalformedMessagesDoNotCrashTheServer() throws {
        let instance = try MiniPGInstance(auth: "trust")
        defer { instance.cleanUp() }
        try instance.start()

        // A startup packet claiming 2 GB.
        let huge = exchange(port: instance.port, int32(Int32.max) + int32(196608))
        XCTAssertTrue(huge.isEmpty || huge.first == UInt8(ascii: "E"), "expected an ErrorResponse or a closed connection")
        // A startup packet shorter than its header.
        _ = exchange(port: instance.port, int32(2))
        // An unsupported protocol version.
        let badVersion = exchange(port: instance.port, int32(8) + int32(0x0004_0000))
        XCTAssertEqual(badVersion.first, UInt8(ascii: "E"))
        // Garbage after a valid startup: a message type nobody knows, and a negative length.
        var startup = int32(196608) + Array("user\0postgres\0database\0postgres\0\0".utf8)
        startup = int32(Int32(startup.count + 4)) + startup
        let garbage = exchange(port: instance.port, startup + [UInt8(ascii: "!")] + int32(4) + [UInt8(ascii: "Q")] + int32(-5))
        XCTAssertFalse(garbage.isEmpty)
        // An oversized Query message (length just under 2 GB) gets FATAL and a closed connection.
        let oversized = exchange(port: instance.port, startup + [UInt8(ascii: "Q")] + int32(0x7FFF_FFF0))
        XCTAssertFalse(oversized.isEmpty)

        // The server is still there and answers normally.
        let result = try instance.psql("select 1 as alive;\n")
        XCTAssertTrue(result.output.contains("alive"), result.output + instance.log())
    }
}
