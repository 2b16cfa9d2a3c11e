// Describe ('D') and Close ('C') share a body: Byte1 'S' (prepared statement) or 'P' (portal), String name.

import NIOCore

/// What a Describe or Close names.
enum StatementOrPortal: Sendable, Equatable {
    case statement(String)
    case portal(String)

    static let statementKind = UInt8(ascii: "S")
    static let portalKind = UInt8(ascii: "P")

    static func decode(from payload: inout ByteBuffer) throws(PGError) -> StatementOrPortal {
        let kind = try payload.readPGInteger(as: UInt8.self)
        let name = try payload.readPGString()
        switch kind {
        case statementKind: return .statement(name)
        case portalKind: return .portal(name)
        default: throw invalidMessageFormat()
        }
    }
    func encode(into body: inout ByteBuffer) {
        switch self {
        case .statement(let name):
            body.writeInteger(Self.statementKind)
            body.writeNullTerminatedString(name)
        case .portal(let name):
            body.writeInteger(Self.portalKind)
            body.writeNullTerminatedString(name)
        }
    }
}

struct Describe: Sendable, Equatable {
    static let type = UInt8(ascii: "D")
    var target: StatementOrPortal

    static func decode(from payload: inout ByteBuffer) throws(PGError) -> Describe {
        Describe(target: try .decode(from: &payload))
    }
    func encode(into buffer: inout ByteBuffer) {
        buffer.writeMessage(type: Self.type) { target.encode(into: &$0) }
    }
}

struct Close: Sendable, Equatable {
    static let type = UInt8(ascii: "C")
    var target: StatementOrPortal

    static func decode(from payload: inout ByteBuffer) throws(PGError) -> Close {
        Close(target: try .decode(from: &payload))
    }
    func encode(into buffer: inout ByteBuffer) {
        buffer.writeMessage(type: Self.type) { target.encode(into: &$0) }
    }
}
