// RowDescription ('T'): Int16 field count, then per field:
//   String name, Int32 table OID, Int16 column number, Int32 type OID, Int16 type size,
//   Int32 type modifier, Int16 format code.

import NIOCore

enum RowDescription {
    static let type = UInt8(ascii: "T")

    static func encode(_ fields: [FieldDescription], into buffer: inout ByteBuffer) {
        buffer.writeMessage(type: type) { body in
            body.writeInteger(Int16(truncatingIfNeeded: fields.count))
            for field in fields {
                body.writeNullTerminatedString(field.name)
                body.writeInteger(field.tableOID)
                body.writeInteger(field.columnNumber)
                body.writeInteger(field.typeOID)
                body.writeInteger(field.typeSize)
                body.writeInteger(field.typeModifier)
                body.writeInteger(field.format)
            }
        }
    }

    static func decode(from payload: inout ByteBuffer) throws(PGError) -> [FieldDescription] {
        let count = try payload.readPGInteger(as: Int16.self)
        guard count >= 0 else { throw invalidMessageFormat() }
        var fields: [FieldDescription] = []
        for _ in 0..<count {
            fields.append(FieldDescription(
                name: try payload.readPGString(), tableOID: try payload.readPGInteger(),
                columnNumber: try payload.readPGInteger(), typeOID: try payload.readPGInteger(),
                typeSize: try payload.readPGInteger(), typeModifier: try payload.readPGInteger(),
                format: try payload.readPGInteger()))
        }
        return fields
    }
}
