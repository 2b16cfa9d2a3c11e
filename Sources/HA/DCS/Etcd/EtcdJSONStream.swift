// Cuts a watch stream into its JSON messages. The gateway writes one JSON object per message on a
// never-ending chunked body, and chunk boundaries fall anywhere — inside a string, between two objects —
// so bytes are buffered until a top-level object is complete (braces counted outside string literals).
//
// Invariant: `append` returns each complete top-level object exactly once, in order; bytes of an
// unfinished object stay buffered. Whitespace between objects is skipped.
struct EtcdJSONStream {
    /// A watch message is a few kilobytes; a buffer this large means the peer is not speaking the protocol.
    static let maximumMessageBytes = 16 << 20

    private var pending: [UInt8] = []
    /// How far `pending` has been scanned, and the scanner's state at that point.
    private var scanned = 0
    private var depth = 0
    private var inString = false
    private var escaped = false

    /// Feeds bytes; returns the objects they completed.
    mutating func append<Bytes: Sequence>(_ bytes: Bytes) throws -> [[UInt8]] where Bytes.Element == UInt8 {
        pending.append(contentsOf: bytes)
        var messages: [[UInt8]] = []
        var start = 0
        while scanned < pending.count {
            let byte = pending[scanned]
            scanned += 1
            if inString {
                if escaped { escaped = false }
                else if byte == UInt8(ascii: "\\") { escaped = true }
                else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                if depth == 0 { start = scanned - 1 }
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth < 0 { throw DCSError("etcd: malformed watch stream (a closing bracket opens it)") }
                if depth == 0 { messages.append(Array(pending[start..<scanned])) }
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                break
            default:
                if depth == 0 { throw DCSError("etcd: malformed watch stream (byte \(byte) between messages)") }
            }
        }
        // Drop what was handed out; keep the unfinished object (from its opening brace).
        let keepFrom = depth > 0 ? start : pending.count
        pending.removeFirst(keepFrom)
        scanned -= keepFrom
        if pending.count > Self.maximumMessageBytes {
            throw DCSError("etcd: watch message larger than \(Self.maximumMessageBytes) bytes")
        }
        return messages
    }
}
