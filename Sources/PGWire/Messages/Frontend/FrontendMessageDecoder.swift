// FrontendMessageDecoder: frames the client's byte stream into FrontendMessages, incrementally
// (returns .needMoreData on short input, consuming nothing). Two phases:
//   startup  untyped packets (length, code, body) until a StartupMessage or CancelRequest;
//            SSLRequest/GSSENCRequest keep it in this phase (the client sends its startup next)
//   typed    Byte1 type, Int32 length (counts itself), payload
// Any framing or payload error throws a FATAL 08P01 PGError; the handler sends it and closes that
// connection. The decoder never traps on input.

import NIOCore

/// Size limits, as PostgreSQL's (MAX_STARTUP_PACKET_LENGTH, PQ_LARGE_MESSAGE_LIMIT).
public struct MessageLimits: Sendable {
    /// The largest startup packet accepted, in bytes (length field included).
    public var startupPacketMaxBytes: Int = 10_000
    /// The largest typed message accepted, in bytes (length field included, type byte not).
    public var messageMaxBytes: Int = 1 << 30
    public init() {}
}

struct FrontendMessageDecoder: ByteToMessageDecoder {
    typealias InboundOut = FrontendMessage

    enum Phase { case startup, typed, finished }

    static let lengthFieldBytes = 4
    static let startupHeaderBytes = 8          // length + code

    private(set) var phase: Phase = .startup
    let limits: MessageLimits

    init(limits: MessageLimits = MessageLimits()) {
        self.limits = limits
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let message = try next(from: &buffer) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(message))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // A partial message at EOF is simply dropped: the connection is gone.
        try decode(context: context, buffer: &buffer)
    }

    /// The next complete message, or nil (nothing consumed) if more bytes are needed.
    mutating func next(from buffer: inout ByteBuffer) throws(PGError) -> FrontendMessage? {
        switch phase {
        case .startup: return try nextStartupPacket(from: &buffer)
        case .typed: return try nextTypedMessage(from: &buffer)
        case .finished:
            // Bytes after a CancelRequest are ignored; the connection is being closed.
            buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
            return nil
        }
    }

    private mutating func nextStartupPacket(from buffer: inout ByteBuffer) throws(PGError) -> FrontendMessage? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: Int32.self) else { return nil }
        guard length >= Self.startupHeaderBytes, length <= limits.startupPacketMaxBytes else {
            throw PGError.protocolViolation("invalid length of startup packet")
        }
        guard var packet = buffer.getSlice(at: buffer.readerIndex, length: Int(length)) else { return nil }
        buffer.moveReaderIndex(forwardBy: Int(length))
        packet.moveReaderIndex(forwardBy: Self.lengthFieldBytes)
        let code = try packet.readPGInteger(as: Int32.self)
        switch code {
        case StartupPacketCode.sslRequest:
            try packet.requireFullyConsumed()
            return .sslRequest
        case StartupPacketCode.gssEncryptionRequest:
            try packet.requireFullyConsumed()
            return .gssEncryptionRequest
        case StartupPacketCode.cancelRequest:
            let processID = try packet.readPGInteger(as: Int32.self)
            let secretKey = try packet.readPGInteger(as: Int32.self)
            try packet.requireFullyConsumed()
            phase = .finished
            return .cancelRequest(CancelRequest(processID: processID, secretKey: secretKey))
        default:
            let major = code >> 16
            let minor = code & 0xFFFF
            guard major == StartupPacketCode.protocolMajorVersion3 else {
                throw PGError.protocolViolation(
                    "unsupported frontend protocol \(major).\(minor): server supports 3.0 to 3.\(StartupPacketCode.newestMinorVersion)")
            }
            let startup = try StartupMessage.decode(minorVersion: minor, body: &packet)
            phase = .typed
            return .startup(startup)
        }
    }

    private func nextTypedMessage(from buffer: inout ByteBuffer) throws(PGError) -> FrontendMessage? {
        guard let type = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return nil }
        guard FrontendMessage.isKnownType(type) else { throw invalidFrontendMessageType(type) }
        guard let length = buffer.getInteger(at: buffer.readerIndex + 1, as: Int32.self) else { return nil }
        guard length >= Self.lengthFieldBytes, length <= limits.messageMaxBytes else {
            throw PGError.protocolViolation("invalid message length")
        }
        let payloadLength = Int(length) - Self.lengthFieldBytes
        guard var payload = buffer.getSlice(at: buffer.readerIndex + 1 + Self.lengthFieldBytes, length: payloadLength) else {
            return nil
        }
        buffer.moveReaderIndex(forwardBy: 1 + Int(length))
        return try FrontendMessage.decode(type: type, payload: &payload)
    }
}
