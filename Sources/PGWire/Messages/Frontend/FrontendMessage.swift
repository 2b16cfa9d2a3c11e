// FrontendMessage: every message a client can send, decoded. The untyped startup-phase packets
// come first (StartupPacket.swift); everything after the StartupMessage starts with a type byte.

import NIOCore

enum FrontendMessage: Sendable, Equatable {
    // Startup phase (untyped packets).
    case sslRequest
    case gssEncryptionRequest
    case startup(StartupMessage)
    case cancelRequest(CancelRequest)
    // Typed messages.
    case authenticationResponse(AuthenticationResponse)   // 'p'
    case query(Query)                                     // 'Q'
    case parse(Parse)                                     // 'P'
    case bind(Bind)                                       // 'B'
    case describe(Describe)                               // 'D'
    case execute(Execute)                                 // 'E'
    case close(Close)                                     // 'C'
    case sync                                             // 'S'
    case flush                                            // 'H'
    case copyData(CopyData)                               // 'd'
    case copyDone                                         // 'c'
    case copyFail(CopyFail)                               // 'f'
    case terminate                                        // 'X'

    enum TypeByte {
        static let sync = UInt8(ascii: "S")
        static let flush = UInt8(ascii: "H")
        static let copyDone = UInt8(ascii: "c")
        static let terminate = UInt8(ascii: "X")
    }

    /// Whether `type` starts a message a client may send (checked before its length is read).
    static func isKnownType(_ type: UInt8) -> Bool {
        switch type {
        case AuthenticationResponse.type, Query.type, Parse.type, Bind.type, Describe.type, Execute.type,
             Close.type, TypeByte.sync, TypeByte.flush, CopyData.type, TypeByte.copyDone, CopyFail.type,
             TypeByte.terminate:
            return true
        default:
            return false
        }
    }

    /// Decodes one typed message's payload; the whole payload must be consumed.
    static func decode(type: UInt8, payload: inout ByteBuffer) throws(PGError) -> FrontendMessage {
        let message: FrontendMessage
        switch type {
        case AuthenticationResponse.type:
            message = .authenticationResponse(AuthenticationResponse(bytes: try payload.readPGBytes(payload.readableBytes)))
        case Query.type: message = .query(try .decode(from: &payload))
        case Parse.type: message = .parse(try .decode(from: &payload))
        case Bind.type: message = .bind(try .decode(from: &payload))
        case Describe.type: message = .describe(try .decode(from: &payload))
        case Execute.type: message = .execute(try .decode(from: &payload))
        case Close.type: message = .close(try .decode(from: &payload))
        case TypeByte.sync: message = .sync
        case TypeByte.flush: message = .flush
        case CopyData.type: message = .copyData(try .decode(from: &payload))
        case TypeByte.copyDone: message = .copyDone
        case CopyFail.type: message = .copyFail(try .decode(from: &payload))
        case TypeByte.terminate: message = .terminate
        default: throw invalidFrontendMessageType(type)
        }
        try payload.requireFullyConsumed()
        return message
    }

    /// The protocol documentation's name, for error messages and logs.
    var name: String {
        switch self {
        case .sslRequest: "SSLRequest"
        case .gssEncryptionRequest: "GSSENCRequest"
        case .startup: "StartupMessage"
        case .cancelRequest: "CancelRequest"
        case .authenticationResponse: "PasswordMessage"
        case .query: "Query"
        case .parse: "Parse"
        case .bind: "Bind"
        case .describe: "Describe"
        case .execute: "Execute"
        case .close: "Close"
        case .sync: "Sync"
        case .flush: "Flush"
        case .copyData: "CopyData"
        case .copyDone: "CopyDone"
        case .copyFail: "CopyFail"
        case .terminate: "Terminate"
        }
    }

    /// Client side (tests): the message on the wire.
    func encode(into buffer: inout ByteBuffer) {
        switch self {
        case .sslRequest:
            buffer.writeUntypedMessage { $0.writeInteger(StartupPacketCode.sslRequest) }
        case .gssEncryptionRequest:
            buffer.writeUntypedMessage { $0.writeInteger(StartupPacketCode.gssEncryptionRequest) }
        case .startup(let message): message.encode(into: &buffer)
        case .cancelRequest(let message): message.encode(into: &buffer)
        case .authenticationResponse(let message): message.encode(into: &buffer)
        case .query(let message): message.encode(into: &buffer)
        case .parse(let message): message.encode(into: &buffer)
        case .bind(let message): message.encode(into: &buffer)
        case .describe(let message): message.encode(into: &buffer)
        case .execute(let message): message.encode(into: &buffer)
        case .close(let message): message.encode(into: &buffer)
        case .sync: buffer.writeMessage(type: TypeByte.sync) { _ in }
        case .flush: buffer.writeMessage(type: TypeByte.flush) { _ in }
        case .copyData(let message): message.encode(into: &buffer)
        case .copyDone: buffer.writeMessage(type: TypeByte.copyDone) { _ in }
        case .copyFail(let message): message.encode(into: &buffer)
        case .terminate: buffer.writeMessage(type: TypeByte.terminate) { _ in }
        }
    }
}

func invalidFrontendMessageType(_ type: UInt8) -> PGError {
    .protocolViolation("invalid frontend message type \(type)")
}
