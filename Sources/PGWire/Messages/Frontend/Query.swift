// Query ('Q'): a simple-protocol query string.   String query

import NIOCore

struct Query: Sendable, Equatable {
    static let type = UInt8(ascii: "Q")
    var sql: String

    static func decode(from payload: inout ByteBuffer) throws(PGError) -> Query {
        Query(sql: try payload.readPGString())
    }
    func encode(into buffer: inout ByteBuffer) {
        buffer.writeMessage(type: Self.type) { $0.writeNullTerminatedString(sql) }
    }
}
