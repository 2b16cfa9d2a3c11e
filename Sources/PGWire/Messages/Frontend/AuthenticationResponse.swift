// 'p' messages: the client's answer during authentication. One type byte serves three messages;
// which one it is depends on what the server asked, so the decoder keeps the raw bytes and the
// authentication exchange interprets them:
//   PasswordMessage      String password (md5: "md5" + 32 hex digits)
//   SASLInitialResponse  String mechanism, Int32 length (-1 = none), Byte × length initial response
//   SASLResponse         Byte × n data

import NIOCore

struct AuthenticationResponse: Sendable, Equatable {
    static let type = UInt8(ascii: "p")
    var bytes: [UInt8]

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeMessage(type: Self.type) { $0.writeBytes(bytes) }
    }

    /// As a PasswordMessage.
    func password() throws(PGError) -> String {
        var payload = ByteBuffer(bytes: bytes)
        let password = try payload.readPGString()
        try payload.requireFullyConsumed()
        return password
    }

    /// As a SASLInitialResponse: the mechanism and the client-first-message.
    func saslInitialResponse() throws(PGError) -> (mechanism: String, data: [UInt8]) {
        var payload = ByteBuffer(bytes: bytes)
        let mechanism = try payload.readPGString()
        let length = try payload.readPGInteger(as: Int32.self)
        let data = length < 0 ? [] : try payload.readPGBytes(Int(length))
        try payload.requireFullyConsumed()
        return (mechanism, data)
    }

    /// Client side (tests): a SASLInitialResponse.
    static func saslInitial(mechanism: String, data: [UInt8]) -> AuthenticationResponse {
        var body = ByteBuffer()
        body.writeNullTerminatedString(mechanism)
        body.writeInteger(Int32(data.count))
        body.writeBytes(data)
        return AuthenticationResponse(bytes: Array(body.readableBytesView))
    }

    /// Client side (tests): a PasswordMessage.
    static func password(_ password: String) -> AuthenticationResponse {
        AuthenticationResponse(bytes: Array(password.utf8) + [0])
    }
}
