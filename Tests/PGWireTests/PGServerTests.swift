// PGServer over real sockets on 127.0.0.1: a raw client sends exact bytes (malformed ones too)
// and reads the answers; shutdown and max_connections are exercised the same way.

import Foundation
import NIOCore
import Testing
@testable import PGWire

@Suite(.serialized) struct PGServerTests {
    @Test func trustSessionOverTCP() throws {
        let factory = TestFactory()
        let (server, port) = try makeTestServer(factory)
        defer { server.stop() }
        let client = try RawClient(port: port)
        client.send([.sslRequest])
        #expect(client.readByte() == UInt8(ascii: "N"))
        let startup = try client.startTrusted()
        #expect(startup.first == .authentication(.ok))
        #expect(startup.last == .readyForQuery(.idle))
        client.send([.query(Query(sql: "select 1"))])
        #expect(try client.readUntilReady() == ConnectionWorkerTests.selectOneResult + [.readyForQuery(.idle)])
        client.send([.terminate])
        #expect(try client.readUntilClosed().isEmpty)
    }

    @Test func malformedMessagesCloseOnlyThatConnection() throws {
        let (server, port) = try makeTestServer(TestFactory())
        defer { server.stop() }
        let bystander = try RawClient(port: port)
        _ = try bystander.startTrusted()
        let cases: [([UInt8], String)] = [
            ([UInt8(ascii: "Q"), 0, 0, 0, 2], "invalid message length"),
            ([UInt8(ascii: "Q"), 0x40, 0, 0, 1], "invalid message length"),
            ([UInt8(ascii: "?"), 0, 0, 0, 4], "invalid frontend message type 63"),
            ([UInt8(ascii: "Q"), 0, 0, 0, 5, UInt8(ascii: "x")], "invalid message format"),
        ]
        for (bytes, message) in cases {
            let client = try RawClient(port: port)
            _ = try client.startTrusted()
            client.send(bytes)
            #expect(try client.readUntilClosed() == [.errorResponse(.protocolViolation(message))])
        }
        // An oversized startup packet and an unsupported protocol version.
        let startupCases: [([UInt8], String)] = [([0, 0, 0x30, 0, 0, 3, 0, 0], "invalid length of startup packet"),
                                 ([0, 0, 0, 8, 0, 4, 0, 0], "unsupported frontend protocol 4.0: server supports 3.0 to 3.0")]
        for (bytes, message) in startupCases {
            let client = try RawClient(port: port)
            client.send(bytes)
            #expect(try client.readUntilClosed() == [.errorResponse(.protocolViolation(message))])
        }
        bystander.send([.query(Query(sql: "select 1"))])
        #expect(try bystander.readUntilReady().last == .readyForQuery(.idle))
    }

    @Test func tooManyClients() throws {
        let (server, port) = try makeTestServer(TestFactory(maxConnections: 1))
        defer { server.stop() }
        let first = try RawClient(port: port)
        _ = try first.startTrusted()
        let second = try RawClient(port: port)
        second.send([.startup(StartupMessage(protocolMinorVersion: 0, parameters: [("user", "bob")]))])
        #expect(try second.readUntilClosed() == [.errorResponse(.tooManyConnections)])
        #expect(server.connectionCount >= 1)
    }

    @Test func fastShutdownTerminatesSessions() throws {
        let factory = TestFactory()
        let (server, port) = try makeTestServer(factory)
        let client = try RawClient(port: port)
        _ = try client.startTrusted()
        #expect(server.connectionCount == 1)
        server.stop()
        #expect(try client.readUntilClosed() == [.errorResponse(.administratorShutdown)])
        #expect(server.connectionCount == 0)
        #expect(factory.events.all.contains("terminate"))
    }

    @Test func cancelRequestOverTCP() throws {
        let factory = TestFactory()
        let (server, port) = try makeTestServer(factory)
        defer { server.stop() }
        let client = try RawClient(port: port)
        client.send([.cancelRequest(CancelRequest(processID: 11, secretKey: 22))])
        #expect(try client.readUntilClosed().isEmpty)
        #expect(factory.events.all == ["cancel 11 22"])
    }

    @Test func largeResultStreamsThroughSmallBuffer() throws {
        let (server, port) = try makeTestServer(TestFactory())
        defer { server.stop() }
        let client = try RawClient(port: port)
        _ = try client.startTrusted()
        // Many pipelined queries: answers exceed the 64 KiB flush threshold several times.
        let count = 5_000
        client.send(Array(repeating: FrontendMessage.query(Query(sql: "select 1")), count: count))
        var ready = 0
        while ready < count, let message = try client.readMessage() {
            if case .readyForQuery = message { ready += 1 }
        }
        #expect(ready == count)
    }

    @Test func largeResultIsStreamed() throws {
        let (server, port) = try makeTestServer(TestFactory())
        defer { server.stop() }
        let client = try RawClient(port: port)
        _ = try client.startTrusted()
        client.send([.query(Query(sql: "select many"))])
        var rows = 0
        var last: BackendMessage?
        while let message = try client.readMessage() {
            if case .dataRow(let values) = message {
                rows += 1
                #expect(values.first??.count == TestBackend.manyRowBytes)
            }
            last = message
            if case .readyForQuery = message { break }
        }
        #expect(rows == TestBackend.manyRowCount)
        #expect(last == .readyForQuery(.idle))
    }

    @Test func gssEncryptionRequestIsRefusedToo() throws {
        let (server, port) = try makeTestServer(TestFactory())
        defer { server.stop() }
        let client = try RawClient(port: port)
        client.send([.gssEncryptionRequest])
        #expect(client.readByte() == UInt8(ascii: "N"))
        client.send([.sslRequest])
        #expect(client.readByte() == UInt8(ascii: "N"))
        #expect(try client.startTrusted().last == .readyForQuery(.idle))
    }

    @Test func copyFromStdinWithMoreMessagesThanTheQueueHolds() throws {
        let (server, port) = try makeTestServer(TestFactory())
        defer { server.stop() }
        let client = try RawClient(port: port)
        _ = try client.startTrusted()
        client.send([.query(Query(sql: "copy t from stdin"))])
        #expect(try client.readMessage() == .copyResponse(CopyResponse(direction: .copyIn, format: 0, columnFormats: [0])))
        // Several times InboundQueue.maxEvents: reading the socket pauses and resumes along the way.
        let rows = InboundQueue.maxEvents * 8
        client.send(Array(repeating: FrontendMessage.copyData(CopyData(bytes: Array("1\tone\n".utf8))), count: rows)
                    + [.copyDone])
        #expect(try client.readUntilReady() == [.commandComplete("COPY \(rows)"), .readyForQuery(.idle)])
    }

    static let cancelled = PGError(sqlState: "57014", message: "canceling statement due to user request")

    @Test func cancelRequestFromAnotherConnectionStopsTheStatement() throws {
        let (server, port) = try makeTestServer(TestFactory())
        defer { server.stop() }
        let client = try RawClient(port: port)
        let startup = try client.startTrusted()
        guard let (processID, secretKey) = startup.lazy.compactMap({ message -> (Int32, Int32)? in
            if case .backendKeyData(let processID, let secretKey) = message { (processID, secretKey) } else { nil }
        }).first else {
            Issue.record("no BackendKeyData")
            return
        }
        client.send([.query(Query(sql: "wait for cancel"))])
        let wrongKey = try RawClient(port: port)
        wrongKey.send([.sslRequest])
        _ = wrongKey.readByte()
        wrongKey.send([.cancelRequest(CancelRequest(processID: processID, secretKey: secretKey &+ 1))])
        #expect(try wrongKey.readUntilClosed().isEmpty)
        let canceller = try RawClient(port: port)
        canceller.send([.cancelRequest(CancelRequest(processID: processID, secretKey: secretKey))])
        #expect(try canceller.readUntilClosed().isEmpty)
        #expect(try client.readUntilReady() == [.errorResponse(Self.cancelled), .readyForQuery(.idle)])
    }

    @Test func fastShutdownCancelsARunningStatement() throws {
        let factory = TestFactory()
        let (server, port) = try makeTestServer(factory)
        let client = try RawClient(port: port)
        _ = try client.startTrusted()
        client.send([.query(Query(sql: "wait for cancel"))])
        // Wait (bounded) until the statement runs, so that there is something to cancel.
        var polls = 0
        while !factory.events.all.contains("simpleQuery wait for cancel"), polls < TestBackend.cancelPollLimit {
            usleep(TestBackend.cancelPollMicroseconds)
            polls += 1
        }
        server.stop()
        let received = try client.readUntilClosed()
        #expect(received == [.errorResponse(Self.cancelled), .errorResponse(.administratorShutdown)], "\(received)")
    }
}
