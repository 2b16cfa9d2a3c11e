// Splices one client connection to one backend connection: every byte read on one side is written to
// the other, unchanged (the proxy never parses the PostgreSQL protocol). One SpliceHandler sits in each
// of the two channels; both channels run on the same event loop, so the pair calls each other directly.
//
// Back-pressure: a side reads only while its partner's socket is writable. When the partner's outbound
// buffer passes its high-water mark the read is held back and resumed from the partner's writability
// change, so a slow reader on one side stalls the fast writer on the other instead of the proxy
// buffering without bound.
//
// Half-close: end of input on one side (the peer's FIN) becomes a shutdown of output on the other;
// a channel whose input and output are both closed is closed. Any error or close on one side closes
// the other.
//
// Before the backend connection is up: the client channel does not read (autoRead off), except that
// NIO drains a socket whose peer has already sent FIN. What the client sent that way (at most its
// socket buffer) is queued in the backend's handler and written, with the FIN, once it is connected.

import NIOCore

final class SpliceHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var partner: SpliceHandler?
    private var context: ChannelHandlerContext?
    private var readPending = false
    private var inputClosed = false
    private var outputClosed = false
    /// This side's channel is connected; until then the partner's bytes (and FIN) wait in `queued`.
    private var isConnected = false
    private var queued: [NIOAny] = []
    private var queuedInputClosed = false
    /// Adds the bytes read on this side to the session's counters.
    private let countRead: (Int) -> Void

    private init(countRead: @escaping (Int) -> Void) {
        self.countRead = countRead
    }

    /// The two ends: `client` goes into the client channel, `backend` into the backend channel.
    static func pair(session: ProxySession) -> (client: SpliceHandler, backend: SpliceHandler) {
        let client = SpliceHandler(countRead: { session.countIn($0) })
        let backend = SpliceHandler(countRead: { session.countOut($0) })
        client.partner = backend
        backend.partner = client
        return (client, backend)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        isConnected = context.channel.isActive
    }

    func channelActive(context: ChannelHandlerContext) {
        isConnected = true
        if !queued.isEmpty {
            for data in queued { context.write(data, promise: nil) }
            queued = []
            context.flush()
        }
        if queuedInputClosed { partnerInputClosed() }
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        self.partner = nil
    }

    // MARK: Called by the partner

    private func partnerWrite(_ data: NIOAny) {
        guard isConnected else {
            queued.append(data)
            return
        }
        context?.write(data, promise: nil)
    }

    private func partnerFlush() {
        if isConnected { context?.flush() }
    }

    private func partnerInputClosed() {
        guard isConnected else {
            queuedInputClosed = true
            return
        }
        guard let context, !outputClosed else { return }
        outputClosed = true
        context.close(mode: .output, promise: nil)
        if inputClosed { context.close(promise: nil) }
    }

    private func partnerClosed() {
        context?.close(promise: nil)
    }

    private func partnerBecameWritable() {
        guard readPending, let context else { return }
        readPending = false
        context.read()
    }

    private var isWritable: Bool { context?.channel.isWritable ?? false }

    /// Bytes or a FIN from the partner wait here for this side's connection (the client's startup
    /// packet, queued on the backend end while the backend connects).
    var hasQueuedInput: Bool { !queued.isEmpty || queuedInputClosed }

    // MARK: This side's events

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        countRead(unwrapInboundIn(data).readableBytes)
        partner?.partnerWrite(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        partner?.partnerFlush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner?.partnerClosed()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            inputClosed = true
            partner?.partnerInputClosed()
            if outputClosed { context.close(promise: nil) }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        partner?.partnerClosed()
        context.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { partner?.partnerBecameWritable() }
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if partner?.isWritable ?? false {
            context.read()
        } else {
            readPending = true
        }
    }
}

/// The client end is removed again when its backend's connect fails and the primary listener routes the
/// client elsewhere (ProxyListener).
extension SpliceHandler: RemovableChannelHandler {}
