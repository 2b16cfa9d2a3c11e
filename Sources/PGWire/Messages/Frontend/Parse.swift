// Parse ('P'): String statement name, String query, Int16 n, Int32 × n parameter type OIDs (0 = unspecified).

import NIOCore

struct Parse: Sendable, Equatable {
    static let type = UInt8(ascii: "P")
    var statement: String
    var query: String
    var parameterTypes: [UInt32]

    static func decode(from payload: inout ByteBuffer) throws(PGError) -> Parse {
        let statement = try payload.readPGString()
        let query = try payload.readPGString()
        let count = try payload.readPGInteger(as: Int16.self)
        guard count >= 0 else { throw invalidMessageFormat() }
        var types: [UInt32] = []
        types.reserveCapacity(Int(count))
        for _ in 0..<count { types.append(try payload.readPGInteger(as: UInt32.self)) }
        return Parse(statement: statement, query: query, parameterTypes: types)
    }
    func encode(into buffer: inout ByteBuffer) {
        buffer.writeMessage(type: Self.type) { body in
            body.writeNullTerminatedString(statement)
            body.writeNullTerminatedString(query)
            body.writeInteger(Int16(parameterTypes.count))
            for oid in parameterTypes { body.writeInteger(oid) }
        }
    }
}
