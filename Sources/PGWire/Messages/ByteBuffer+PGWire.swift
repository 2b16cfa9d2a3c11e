// ByteBuffer helpers for the v3 protocol (Int16/Int32 are big-endian, NIO's default; NIO's
// read/writeNullTerminatedString are the protocol's "String"): a framed message whose Int32 length
// (which counts itself but not the type byte) is filled in after the body is written.

import NIOCore

extension ByteBuffer {
    /// Writes `type`, a placeholder length, the body, then patches the length.
    mutating func writeMessage(type: UInt8, _ body: (inout ByteBuffer) -> Void) {
        writeInteger(type)
        let lengthIndex = writerIndex
        writeInteger(Int32(0))
        body(&self)
        setInteger(Int32(writerIndex - lengthIndex), at: lengthIndex)
    }

    /// A startup-phase packet: no type byte, just the length.
    mutating func writeUntypedMessage(_ body: (inout ByteBuffer) -> Void) {
        let lengthIndex = writerIndex
        writeInteger(Int32(0))
        body(&self)
        setInteger(Int32(writerIndex - lengthIndex), at: lengthIndex)
    }
}

/// Payload decoding failed: PostgreSQL's "invalid message format" (08P01); the connection is closed.
func invalidMessageFormat() -> PGError { .protocolViolation("invalid message format") }

extension ByteBuffer {
    /// Reads an integer or throws "invalid message format".
    mutating func readPGInteger<T: FixedWidthInteger>(as: T.Type = T.self) throws(PGError) -> T {
        guard let value = readInteger(as: T.self) else { throw invalidMessageFormat() }
        return value
    }
    mutating func readPGString() throws(PGError) -> String {
        guard let value = readNullTerminatedString() else { throw invalidMessageFormat() }
        return value
    }
    mutating func readPGBytes(_ count: Int) throws(PGError) -> [UInt8] {
        guard count >= 0, let value = readBytes(length: count) else { throw invalidMessageFormat() }
        return value
    }
    /// After a payload is decoded no byte may remain.
    func requireFullyConsumed() throws(PGError) {
        guard readableBytes == 0 else { throw invalidMessageFormat() }
    }
}
