// NegotiateProtocolVersion ('v'): Int32 newest minor version supported (for the client's major),
// Int32 count, String × count protocol options ("_pq_.…") the server did not recognise.
// Sent right after the StartupMessage when the client asked for 3.x, x > 0, or sent `_pq_.` options.

import NIOCore

struct NegotiateProtocolVersion: Sendable, Equatable {
    static let type = UInt8(ascii: "v")
    var newestMinorVersion: Int32
    var unrecognizedOptions: [String]

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeMessage(type: Self.type) { body in
            body.writeInteger(newestMinorVersion)
            body.writeInteger(Int32(unrecognizedOptions.count))
            for option in unrecognizedOptions { body.writeNullTerminatedString(option) }
        }
    }

    static func decode(from payload: inout ByteBuffer) throws(PGError) -> NegotiateProtocolVersion {
        let minor = try payload.readPGInteger(as: Int32.self)
        let count = try payload.readPGInteger(as: Int32.self)
        guard count >= 0 else { throw invalidMessageFormat() }
        var options: [String] = []
        for _ in 0..<count { options.append(try payload.readPGString()) }
        return NegotiateProtocolVersion(newestMinorVersion: minor, unrecognizedOptions: options)
    }
}
