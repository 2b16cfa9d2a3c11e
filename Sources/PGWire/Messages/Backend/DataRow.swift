// DataRow ('D'): Int16 column count, then per column Int32 length (-1 = NULL) and that many bytes.

import NIOCore

enum DataRow {
    static let type = UInt8(ascii: "D")
    static let nullLength: Int32 = -1

    static func encode(_ values: [[UInt8]?], into buffer: inout ByteBuffer) {
        buffer.writeMessage(type: type) { body in
            body.writeInteger(Int16(truncatingIfNeeded: values.count))
            for value in values {
                if let value {
                    body.writeInteger(Int32(truncatingIfNeeded: value.count))
                    body.writeBytes(value)
                } else {
                    body.writeInteger(nullLength)
                }
            }
        }
    }

    static func decode(from payload: inout ByteBuffer) throws(PGError) -> [[UInt8]?] {
        let count = try payload.readPGInteger(as: Int16.self)
        guard count >= 0 else { throw invalidMessageFormat() }
        var values: [[UInt8]?] = []
        for _ in 0..<count {
            let length = try payload.readPGInteger(as: Int32.self)
            values.append(length == nullLength ? nil : try payload.readPGBytes(Int(length)))
        }
        return values
    }
}
