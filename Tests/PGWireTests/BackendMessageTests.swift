// Backend messages: each one encodes to the bytes the protocol documents and decodes back.

import NIOCore
import Testing
@testable import PGWire

@Suite struct BackendMessageTests {
    static let messages: [BackendMessage] = [
        .authentication(.ok),
        .authentication(.md5Password(salt: [1, 2, 3, 4])),
        .authentication(.sasl(mechanisms: ["SCRAM-SHA-256"])),
        .authentication(.saslContinue(Array("r=abc,s=c2FsdA==,i=4096".utf8))),
        .authentication(.saslFinal(Array("v=xyz".utf8))),
        .parameterStatus(name: "server_version", value: "15.0"),
        .backendKeyData(processID: 1234, secretKey: -99),
        .readyForQuery(.idle), .readyForQuery(.inTransaction), .readyForQuery(.failed),
        .rowDescription([FieldDescription(name: "a", tableOID: 16384, columnNumber: 1, typeOID: 23, typeSize: 4),
                         FieldDescription(name: "b", typeOID: 25, typeSize: -1, format: 1)]),
        .dataRow([Array("1".utf8), nil, []]),
        .commandComplete("INSERT 0 5"),
        .emptyQueryResponse,
        .errorResponse(PGError(sqlState: "42P01", message: "relation \"x\" does not exist", position: 15)),
        .errorResponse(PGError(severity: .fatal, sqlState: "28P01", message: "password authentication failed for user \"x\"",
                               detail: "d", hint: "h", routine: "auth_failed")),
        .noticeResponse(PGError(severity: .notice, sqlState: "00000", message: "table \"t\" does not exist, skipping")),
        .parseComplete, .bindComplete, .closeComplete, .noData,
        .parameterDescription([23, 25]),
        .portalSuspended,
        .copyResponse(CopyResponse(direction: .copyIn, format: 0, columnFormats: [0, 0, 0])),
        .copyResponse(CopyResponse(direction: .copyOut, format: 1, columnFormats: [1])),
        .copyData(Array("1\tone\n".utf8)), .copyDone,
        .negotiateProtocolVersion(NegotiateProtocolVersion(newestMinorVersion: 0, unrecognizedOptions: ["_pq_.x"])),
    ]

    @Test func everyMessageRoundTrips() throws {
        var buffer = ByteBuffer()
        for message in Self.messages { message.encode(into: &buffer) }
        var decoded: [BackendMessage] = []
        while let message = try BackendMessage.decode(from: &buffer) { decoded.append(message) }
        #expect(decoded == Self.messages)
        #expect(buffer.readableBytes == 0)
    }

    @Test func readyForQueryBytes() {
        var buffer = ByteBuffer()
        BackendMessage.readyForQuery(.idle).encode(into: &buffer)
        #expect(Array(buffer.readableBytesView) == [UInt8(ascii: "Z"), 0, 0, 0, 5, UInt8(ascii: "I")])
    }

    @Test func errorResponseFieldsInOrder() {
        var buffer = ByteBuffer()
        BackendMessage.errorResponse(PGError(sqlState: "42601", message: "m", position: 3)).encode(into: &buffer)
        let expected: [UInt8] = [UInt8(ascii: "E"), 0, 0, 0, 32]
            + Array("SERROR\0VERROR\0C42601\0Mm\0P3\0".utf8) + [0]
        #expect(Array(buffer.readableBytesView) == expected)
    }

    @Test func authenticationMD5Bytes() {
        var buffer = ByteBuffer()
        BackendMessage.authentication(.md5Password(salt: [9, 8, 7, 6])).encode(into: &buffer)
        #expect(Array(buffer.readableBytesView) == [UInt8(ascii: "R"), 0, 0, 0, 12, 0, 0, 0, 5, 9, 8, 7, 6])
    }
}
