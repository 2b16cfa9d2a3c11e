// Execute ('E'): String portal, Int32 maximum rows (0 = no limit).

import NIOCore

struct Execute: Sendable, Equatable {
    static let type = UInt8(ascii: "E")
    var portal: String
    var maxRows: Int32

    static func decode(from payload: inout ByteBuffer) throws(PGError) -> Execute {
        let portal = try payload.readPGString()
        let maxRows = try payload.readPGInteger(as: Int32.self)
        return Execute(portal: portal, maxRows: maxRows)
    }
    func encode(into buffer: inout ByteBuffer) {
        buffer.writeMessage(type: Self.type) { body in
            body.writeNullTerminatedString(portal)
            body.writeInteger(maxRows)
        }
    }
}
