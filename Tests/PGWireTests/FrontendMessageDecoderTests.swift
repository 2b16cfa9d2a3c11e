// The frontend decoder: every message round-trips, input drip-fed one byte at a time decodes the
// same, and malformed or oversized input is a FATAL 08P01 error, never a trap.

import NIOCore
import NIOEmbedded
import Testing
@testable import PGWire

@Suite struct FrontendMessageDecoderTests {
    static let startupMessages: [FrontendMessage] = [
        .sslRequest,
        .gssEncryptionRequest,
        .startup(StartupMessage(protocolMinorVersion: 0, parameters: [
            ("user", "postgres"), ("database", "postgres"), ("application_name", "psql")])),
    ]
    static let typedMessages: [FrontendMessage] = [
        .authenticationResponse(.password("md5abc")),
        .authenticationResponse(.saslInitial(mechanism: "SCRAM-SHA-256", data: Array("n,,n=,r=abc".utf8))),
        .query(Query(sql: "select 1; select 'é'")),
        .parse(Parse(statement: "P_0", query: "select $1::int", parameterTypes: [21, 0])),
        .bind(Bind(portal: "", statement: "P_0", parameterFormats: [1], parameters: [[0, 1], nil, []],
                   resultFormats: [0])),
        .describe(Describe(target: .portal(""))),
        .describe(Describe(target: .statement("P_0"))),
        .execute(Execute(portal: "", maxRows: 0)),
        .close(Close(target: .statement("P_0"))),
        .close(Close(target: .portal("c"))),
        .sync, .flush,
        .copyData(CopyData(bytes: Array("1\tone\n".utf8))), .copyDone,
        .copyFail(CopyFail(reason: "aborted")),
        .terminate,
    ]

    static func encode(_ messages: [FrontendMessage]) -> ByteBuffer {
        var buffer = ByteBuffer()
        for message in messages { message.encode(into: &buffer) }
        return buffer
    }

    static func decodeAll(_ bytes: ByteBuffer, chunkSize: Int) throws -> [FrontendMessage] {
        var decoder = FrontendMessageDecoder()
        var input = ByteBuffer()
        var messages: [FrontendMessage] = []
        var rest = bytes
        while let chunk = rest.readSlice(length: min(chunkSize, rest.readableBytes)), chunk.readableBytes > 0 {
            var chunk = chunk
            input.writeBuffer(&chunk)
            while let message = try decoder.next(from: &input) { messages.append(message) }
        }
        #expect(input.readableBytes == 0)
        return messages
    }

    @Test func everyMessageRoundTrips() throws {
        let all = Self.startupMessages + Self.typedMessages
        #expect(try Self.decodeAll(Self.encode(all), chunkSize: 1 << 20) == all)
    }

    @Test func dripFedOneByteAtATime() throws {
        let all = Self.startupMessages + Self.typedMessages
        #expect(try Self.decodeAll(Self.encode(all), chunkSize: 1) == all)
    }

    @Test func cancelRequestEndsDecoding() throws {
        let messages: [FrontendMessage] = [.cancelRequest(CancelRequest(processID: 42, secretKey: -7))]
        #expect(try Self.decodeAll(Self.encode(messages), chunkSize: 1) == messages)
    }

    @Test func worksInsideByteToMessageHandler() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrontendMessageDecoder()))
        var bytes = Self.encode(Self.startupMessages + [.query(Query(sql: "select 1"))])
        while let byte = bytes.readSlice(length: 1) { try channel.writeInbound(byte) }
        var decoded: [FrontendMessage] = []
        while let message = try channel.readInbound(as: FrontendMessage.self) { decoded.append(message) }
        #expect(decoded == Self.startupMessages + [.query(Query(sql: "select 1"))])
        _ = try channel.finish()
    }

    static func decodingError(_ bytes: [UInt8], afterStartup: Bool = true) -> PGError? {
        var decoder = FrontendMessageDecoder()
        var input = afterStartup ? encode([startupMessages[2]]) : ByteBuffer()
        input.writeBytes(bytes)
        do {
            while try decoder.next(from: &input) != nil {}
            return nil
        } catch {
            return error
        }
    }

    @Test func malformedInputIsFatalProtocolViolation() throws {
        let cases: [([UInt8], String, Bool)] = [
            ([UInt8(ascii: "Q"), 0, 0, 0, 3], "invalid message length", true),                 // length < 4
            ([UInt8(ascii: "Q"), 0x7F, 0xFF, 0xFF, 0xFF], "invalid message length", true),      // beyond 1 GiB
            ([UInt8(ascii: "Q"), 0xFF, 0xFF, 0xFF, 0xFF], "invalid message length", true),      // negative
            ([UInt8(ascii: "z")], "invalid frontend message type 122", true),
            ([UInt8(ascii: "Q"), 0, 0, 0, 6, 0x41, 0x42], "invalid message format", true),      // no terminator
            ([UInt8(ascii: "S"), 0, 0, 0, 5, 0], "invalid message format", true),               // trailing byte
            ([UInt8(ascii: "E"), 0, 0, 0, 6, 0, 0], "invalid message format", true),            // short Execute
            ([UInt8(ascii: "D"), 0, 0, 0, 6, UInt8(ascii: "X"), 0], "invalid message format", true),
            ([UInt8(ascii: "B"), 0, 0, 0, 12, 0, 0, 0, 0, 0, 1, 0xFF, 0xFF], "invalid message format", true),
            ([0, 0, 0, 4], "invalid length of startup packet", false),
            ([0, 0, 0x27, 0x11, 0, 3, 0, 0], "invalid length of startup packet", false),       // 10,001 bytes
            ([0, 0, 0, 8, 0, 2, 0, 0], "unsupported frontend protocol 2.0: server supports 3.0 to 3.0", false),
            ([0, 0, 0, 9, 0, 3, 0, 0, 0x41], "invalid message format", false),                  // unterminated name
        ]
        for (bytes, message, afterStartup) in cases {
            let error = Self.decodingError(bytes, afterStartup: afterStartup)
            #expect(error?.message == message, "\(bytes)")
            #expect(error?.sqlState == "08P01")
            #expect(error?.severity == .fatal)
        }
    }

    @Test func shortInputNeedsMoreDataWithoutConsuming() throws {
        var decoder = FrontendMessageDecoder()
        var input = Self.encode([Self.startupMessages[2]])
        _ = try decoder.next(from: &input)
        input.writeBytes([UInt8(ascii: "Q"), 0, 0, 0, 9, 0x41])
        let before = input.readerIndex
        #expect(try decoder.next(from: &input) == nil)
        #expect(input.readerIndex == before)
    }

    @Test func limitsAreConfigurable() {
        var limits = MessageLimits()
        limits.messageMaxBytes = 16
        var decoder = FrontendMessageDecoder(limits: limits)
        var input = Self.encode([Self.startupMessages[2], .query(Query(sql: String(repeating: "x", count: 20)))])
        #expect(throws: PGError.protocolViolation("invalid message length")) {
            while try decoder.next(from: &input) != nil {}
        }
    }
}
