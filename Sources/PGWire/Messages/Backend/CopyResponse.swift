// CopyInResponse ('G'), CopyOutResponse ('H'), CopyBothResponse ('W'):
//   Int8 overall format (0 text, 1 binary), Int16 column count, Int16 × n column formats.

import NIOCore

struct CopyResponse: Sendable, Equatable {
    enum Direction: UInt8, Sendable {
        case copyIn = 0x47     // 'G'
        case copyOut = 0x48    // 'H'
        case copyBoth = 0x57   // 'W' (replication, later issues)
    }
    var direction: Direction
    var format: Int8
    var columnFormats: [Int16]

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeMessage(type: direction.rawValue) { body in
            body.writeInteger(format)
            body.writeInteger(Int16(truncatingIfNeeded: columnFormats.count))
            for columnFormat in columnFormats { body.writeInteger(columnFormat) }
        }
    }

    static func decode(direction: Direction, from payload: inout ByteBuffer) throws(PGError) -> CopyResponse {
        let format = try payload.readPGInteger(as: Int8.self)
        let count = try payload.readPGInteger(as: Int16.self)
        guard count >= 0 else { throw invalidMessageFormat() }
        var formats: [Int16] = []
        for _ in 0..<count { formats.append(try payload.readPGInteger()) }
        return CopyResponse(direction: direction, format: format, columnFormats: formats)
    }
}
