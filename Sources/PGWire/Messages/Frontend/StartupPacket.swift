// The untyped packets a client may send first, before any typed message:
//
//   +-----------------+-----------------+---------------------------------------------+
//   | Int32 length    | Int32 code      | body                                        |
//   | (counts itself) |                 |                                             |
//   +-----------------+-----------------+---------------------------------------------+
//   code 196608 (3.0)  StartupMessage:  (name\0 value\0)* \0
//   code 80877103      SSLRequest       (length 8; answer 'N' then read the real startup)
//   code 80877104      GSSENCRequest    (length 8; answer 'N' too)
//   code 80877102      CancelRequest    Int32 process ID, Int32 secret key (length 16)
//
// A protocol code is major << 16 | minor; only major 3 is served.

import NIOCore

enum StartupPacketCode {
    static let sslRequest: Int32 = 80_877_103
    static let gssEncryptionRequest: Int32 = 80_877_104
    static let cancelRequest: Int32 = 80_877_102
    static let protocolMajorVersion3: Int32 = 3
    /// The newest minor version of protocol 3 this server speaks.
    static let newestMinorVersion: Int32 = 0
}

/// StartupMessage: the protocol version and the connection parameters, in the order sent.
struct StartupMessage: Sendable, Equatable {
    var protocolMinorVersion: Int32
    var parameters: [(String, String)]

    static func == (lhs: StartupMessage, rhs: StartupMessage) -> Bool {
        lhs.protocolMinorVersion == rhs.protocolMinorVersion
            && lhs.parameters.elementsEqual(rhs.parameters, by: { $0 == $1 })
    }

    /// Decodes the body after the protocol code.
    static func decode(minorVersion: Int32, body: inout ByteBuffer) throws(PGError) -> StartupMessage {
        var parameters: [(String, String)] = []
        while true {
            let name = try body.readPGString()
            if name.isEmpty { break }
            let value = try body.readPGString()
            parameters.append((name, value))
        }
        try body.requireFullyConsumed()
        return StartupMessage(protocolMinorVersion: minorVersion, parameters: parameters)
    }

    /// Client side (tests).
    func encode(into buffer: inout ByteBuffer) {
        buffer.writeUntypedMessage { body in
            body.writeInteger(StartupPacketCode.protocolMajorVersion3 << 16 | protocolMinorVersion)
            for (name, value) in parameters {
                body.writeNullTerminatedString(name)
                body.writeNullTerminatedString(value)
            }
            body.writeInteger(UInt8(0))
        }
    }
}

/// CancelRequest: which backend to cancel, and its secret key from BackendKeyData.
struct CancelRequest: Sendable, Equatable {
    var processID: Int32
    var secretKey: Int32

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeUntypedMessage { body in
            body.writeInteger(StartupPacketCode.cancelRequest)
            body.writeInteger(processID)
            body.writeInteger(secretKey)
        }
    }
}
