// COPY sub-protocol, client to server:
//   CopyData ('d'): Byte × n data      CopyDone ('c'): empty      CopyFail ('f'): String reason

import NIOCore

struct CopyData: Sendable, Equatable {
    static let type = UInt8(ascii: "d")
    var bytes: [UInt8]

    static func decode(from payload: inout ByteBuffer) throws(PGError) -> CopyData {
        CopyData(bytes: try payload.readPGBytes(payload.readableBytes))
    }
    func encode(into buffer: inout ByteBuffer) {
        buffer.writeMessage(type: Self.type) { $0.writeBytes(bytes) }
    }
}

struct CopyFail: Sendable, Equatable {
    static let type = UInt8(ascii: "f")
    var reason: String

    static func decode(from payload: inout ByteBuffer) throws(PGError) -> CopyFail {
        CopyFail(reason: try payload.readPGString())
    }
    func encode(into buffer: inout ByteBuffer) {
        buffer.writeMessage(type: Self.type) { $0.writeNullTerminatedString(reason) }
    }
}
