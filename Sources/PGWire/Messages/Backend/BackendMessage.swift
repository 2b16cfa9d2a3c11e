// BackendMessage: every message this server sends, with its encoding, and the reverse decoding
// so that tests can play the client. Messages with a body of their own have a type in this folder;
// the rest are one-liners here:
//   ParameterStatus 'S'   String name, String value
//   BackendKeyData  'K'   Int32 process ID, Int32 secret key
//   ReadyForQuery   'Z'   Byte1 transaction status ('I', 'T', 'E')
//   CommandComplete 'C'   String tag
//   ParameterDescription 't'  Int16 n, Int32 × n type OIDs
//   CopyData 'd' Byte × n;  empty bodies: ParseComplete '1', BindComplete '2', CloseComplete '3',
//   NoData 'n', PortalSuspended 's', EmptyQueryResponse 'I', CopyDone 'c'

import NIOCore

enum BackendMessage: Sendable, Equatable {
    case authentication(Authentication)
    case parameterStatus(name: String, value: String)
    case backendKeyData(processID: Int32, secretKey: Int32)
    case readyForQuery(TransactionState)
    case rowDescription([FieldDescription])
    case dataRow([[UInt8]?])
    case commandComplete(String)
    case emptyQueryResponse
    case errorResponse(PGError)
    case noticeResponse(PGError)
    case parseComplete
    case bindComplete
    case closeComplete
    case noData
    case parameterDescription([UInt32])
    case portalSuspended
    case copyResponse(CopyResponse)
    case copyData([UInt8])
    case copyDone
    case negotiateProtocolVersion(NegotiateProtocolVersion)

    enum TypeByte {
        static let parameterStatus = UInt8(ascii: "S")
        static let backendKeyData = UInt8(ascii: "K")
        static let readyForQuery = UInt8(ascii: "Z")
        static let commandComplete = UInt8(ascii: "C")
        static let emptyQueryResponse = UInt8(ascii: "I")
        static let parseComplete = UInt8(ascii: "1")
        static let bindComplete = UInt8(ascii: "2")
        static let closeComplete = UInt8(ascii: "3")
        static let noData = UInt8(ascii: "n")
        static let parameterDescription = UInt8(ascii: "t")
        static let portalSuspended = UInt8(ascii: "s")
        static let copyData = UInt8(ascii: "d")
        static let copyDone = UInt8(ascii: "c")
    }

    func encode(into buffer: inout ByteBuffer) {
        switch self {
        case .authentication(let message): message.encode(into: &buffer)
        case .parameterStatus(let name, let value):
            buffer.writeMessage(type: TypeByte.parameterStatus) { body in
                body.writeNullTerminatedString(name)
                body.writeNullTerminatedString(value)
            }
        case .backendKeyData(let processID, let secretKey):
            buffer.writeMessage(type: TypeByte.backendKeyData) { body in
                body.writeInteger(processID)
                body.writeInteger(secretKey)
            }
        case .readyForQuery(let state):
            buffer.writeMessage(type: TypeByte.readyForQuery) { $0.writeInteger(state.rawValue) }
        case .rowDescription(let fields): RowDescription.encode(fields, into: &buffer)
        case .dataRow(let values): DataRow.encode(values, into: &buffer)
        case .commandComplete(let tag):
            buffer.writeMessage(type: TypeByte.commandComplete) { $0.writeNullTerminatedString(tag) }
        case .emptyQueryResponse: buffer.writeMessage(type: TypeByte.emptyQueryResponse) { _ in }
        case .errorResponse(let error): ErrorResponse.encode(error, asNotice: false, into: &buffer)
        case .noticeResponse(let notice): ErrorResponse.encode(notice, asNotice: true, into: &buffer)
        case .parseComplete: buffer.writeMessage(type: TypeByte.parseComplete) { _ in }
        case .bindComplete: buffer.writeMessage(type: TypeByte.bindComplete) { _ in }
        case .closeComplete: buffer.writeMessage(type: TypeByte.closeComplete) { _ in }
        case .noData: buffer.writeMessage(type: TypeByte.noData) { _ in }
        case .parameterDescription(let types):
            buffer.writeMessage(type: TypeByte.parameterDescription) { body in
                body.writeInteger(Int16(truncatingIfNeeded: types.count))
                for oid in types { body.writeInteger(oid) }
            }
        case .portalSuspended: buffer.writeMessage(type: TypeByte.portalSuspended) { _ in }
        case .copyResponse(let message): message.encode(into: &buffer)
        case .copyData(let bytes): buffer.writeMessage(type: TypeByte.copyData) { $0.writeBytes(bytes) }
        case .copyDone: buffer.writeMessage(type: TypeByte.copyDone) { _ in }
        case .negotiateProtocolVersion(let message): message.encode(into: &buffer)
        }
    }

    /// Client side (tests): decodes one framed message; nil if `buffer` does not hold a whole one.
    static func decode(from buffer: inout ByteBuffer) throws(PGError) -> BackendMessage? {
        guard let type = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
              let length = buffer.getInteger(at: buffer.readerIndex + 1, as: Int32.self) else { return nil }
        guard length >= 4 else { throw invalidMessageFormat() }
        guard var payload = buffer.getSlice(at: buffer.readerIndex + 5, length: Int(length) - 4) else { return nil }
        buffer.moveReaderIndex(forwardBy: 1 + Int(length))
        let message = try decode(type: type, payload: &payload)
        try payload.requireFullyConsumed()
        return message
    }

    private static func decode(type: UInt8, payload: inout ByteBuffer) throws(PGError) -> BackendMessage {
        switch type {
        case Authentication.type: return .authentication(try .decode(from: &payload))
        case TypeByte.parameterStatus:
            return .parameterStatus(name: try payload.readPGString(), value: try payload.readPGString())
        case TypeByte.backendKeyData:
            return .backendKeyData(processID: try payload.readPGInteger(), secretKey: try payload.readPGInteger())
        case TypeByte.readyForQuery:
            guard let state = TransactionState(rawValue: try payload.readPGInteger()) else { throw invalidMessageFormat() }
            return .readyForQuery(state)
        case RowDescription.type: return .rowDescription(try RowDescription.decode(from: &payload))
        case DataRow.type: return .dataRow(try DataRow.decode(from: &payload))
        case TypeByte.commandComplete: return .commandComplete(try payload.readPGString())
        case TypeByte.emptyQueryResponse: return .emptyQueryResponse
        case ErrorResponse.errorType: return .errorResponse(try ErrorResponse.decode(from: &payload))
        case ErrorResponse.noticeType: return .noticeResponse(try ErrorResponse.decode(from: &payload))
        case TypeByte.parseComplete: return .parseComplete
        case TypeByte.bindComplete: return .bindComplete
        case TypeByte.closeComplete: return .closeComplete
        case TypeByte.noData: return .noData
        case TypeByte.parameterDescription:
            let count = try payload.readPGInteger(as: Int16.self)
            guard count >= 0 else { throw invalidMessageFormat() }
            var types: [UInt32] = []
            for _ in 0..<count { types.append(try payload.readPGInteger()) }
            return .parameterDescription(types)
        case TypeByte.portalSuspended: return .portalSuspended
        case CopyResponse.Direction.copyIn.rawValue: return .copyResponse(try .decode(direction: .copyIn, from: &payload))
        case CopyResponse.Direction.copyOut.rawValue: return .copyResponse(try .decode(direction: .copyOut, from: &payload))
        case CopyResponse.Direction.copyBoth.rawValue: return .copyResponse(try .decode(direction: .copyBoth, from: &payload))
        case TypeByte.copyData: return .copyData(try payload.readPGBytes(payload.readableBytes))
        case TypeByte.copyDone: return .copyDone
        case NegotiateProtocolVersion.type: return .negotiateProtocolVersion(try .decode(from: &payload))
        default: throw invalidMessageFormat()
        }
    }
}
