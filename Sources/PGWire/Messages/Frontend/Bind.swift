// Bind ('B'):
//   String portal, String statement,
//   Int16 n, Int16 × n parameter format codes (0 text, 1 binary; 0 codes = all text, 1 = for all),
//   Int16 n, then per parameter Int32 length (-1 = NULL) and that many bytes,
//   Int16 n, Int16 × n result-column format codes.

import NIOCore

struct Bind: Sendable, Equatable {
    static let type = UInt8(ascii: "B")
    static let nullLength: Int32 = -1
    var portal: String
    var statement: String
    var parameterFormats: [Int16]
    var parameters: [[UInt8]?]
    var resultFormats: [Int16]

    static func decode(from payload: inout ByteBuffer) throws(PGError) -> Bind {
        let portal = try payload.readPGString()
        let statement = try payload.readPGString()
        let parameterFormats = try readInt16Array(&payload)
        let parameterCount = try payload.readPGInteger(as: Int16.self)
        guard parameterCount >= 0 else { throw invalidMessageFormat() }
        var parameters: [[UInt8]?] = []
        parameters.reserveCapacity(Int(parameterCount))
        for _ in 0..<parameterCount {
            let length = try payload.readPGInteger(as: Int32.self)
            if length == nullLength {
                parameters.append(nil)
            } else {
                parameters.append(try payload.readPGBytes(Int(length)))
            }
        }
        let resultFormats = try readInt16Array(&payload)
        return Bind(portal: portal, statement: statement, parameterFormats: parameterFormats,
                    parameters: parameters, resultFormats: resultFormats)
    }

    private static func readInt16Array(_ payload: inout ByteBuffer) throws(PGError) -> [Int16] {
        let count = try payload.readPGInteger(as: Int16.self)
        guard count >= 0 else { throw invalidMessageFormat() }
        var values: [Int16] = []
        values.reserveCapacity(Int(count))
        for _ in 0..<count { values.append(try payload.readPGInteger(as: Int16.self)) }
        return values
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeMessage(type: Self.type) { body in
            body.writeNullTerminatedString(portal)
            body.writeNullTerminatedString(statement)
            body.writeInteger(Int16(parameterFormats.count))
            for format in parameterFormats { body.writeInteger(format) }
            body.writeInteger(Int16(parameters.count))
            for parameter in parameters {
                if let parameter {
                    body.writeInteger(Int32(parameter.count))
                    body.writeBytes(parameter)
                } else {
                    body.writeInteger(Self.nullLength)
                }
            }
            body.writeInteger(Int16(resultFormats.count))
            for format in resultFormats { body.writeInteger(format) }
        }
    }
}
