// Authentication ('R'): Int32 request code, then code-specific data.
//   0  AuthenticationOk
//   3  AuthenticationCleartextPassword   (pg_hba `password`; the client side needs it)
//   5  AuthenticationMD5Password    Byte4 salt
//   10 AuthenticationSASL           (String mechanism)* \0
//   11 AuthenticationSASLContinue   Byte × n server-first-message
//   12 AuthenticationSASLFinal      Byte × n server-final-message

import NIOCore

enum Authentication: Sendable, Equatable {
    static let type = UInt8(ascii: "R")
    enum Code {
        static let ok: Int32 = 0
        static let cleartextPassword: Int32 = 3
        static let md5Password: Int32 = 5
        static let sasl: Int32 = 10
        static let saslContinue: Int32 = 11
        static let saslFinal: Int32 = 12
    }

    case ok
    case cleartextPassword
    case md5Password(salt: [UInt8])
    case sasl(mechanisms: [String])
    case saslContinue([UInt8])
    case saslFinal([UInt8])

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeMessage(type: Self.type) { body in
            switch self {
            case .ok:
                body.writeInteger(Code.ok)
            case .cleartextPassword:
                body.writeInteger(Code.cleartextPassword)
            case .md5Password(let salt):
                body.writeInteger(Code.md5Password)
                body.writeBytes(salt)
            case .sasl(let mechanisms):
                body.writeInteger(Code.sasl)
                for mechanism in mechanisms { body.writeNullTerminatedString(mechanism) }
                body.writeInteger(UInt8(0))
            case .saslContinue(let data):
                body.writeInteger(Code.saslContinue)
                body.writeBytes(data)
            case .saslFinal(let data):
                body.writeInteger(Code.saslFinal)
                body.writeBytes(data)
            }
        }
    }

    static func decode(from payload: inout ByteBuffer) throws(PGError) -> Authentication {
        switch try payload.readPGInteger(as: Int32.self) {
        case Code.ok: return .ok
        case Code.cleartextPassword: return .cleartextPassword
        case Code.md5Password: return .md5Password(salt: try payload.readPGBytes(MD5Password.saltByteCount))
        case Code.sasl:
            var mechanisms: [String] = []
            while true {
                let mechanism = try payload.readPGString()
                if mechanism.isEmpty { break }
                mechanisms.append(mechanism)
            }
            return .sasl(mechanisms: mechanisms)
        case Code.saslContinue: return .saslContinue(try payload.readPGBytes(payload.readableBytes))
        case Code.saslFinal: return .saslFinal(try payload.readPGBytes(payload.readableBytes))
        default: throw invalidMessageFormat()
        }
    }
}
