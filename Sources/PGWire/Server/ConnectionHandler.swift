// ConnectionHandler: the event-loop side of a connection. It only forwards: decoded messages,
// decoding errors and EOF go into the worker's InboundQueue; when the queue is full it stops
// reading the socket (the worker turns reading back on once it has drained it).

import NIOCore

final class ConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = FrontendMessage

    private let queue: InboundQueue

    init(queue: InboundQueue) {
        self.queue = queue
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        enqueue(.message(unwrapInboundIn(data)), context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        _ = queue.push(.connectionLost)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if let protocolError = error as? PGError {
            // The decoder refused the input: the worker sends the FATAL error and closes.
            enqueue(.decodingFailed(protocolError), context: context)
        } else {
            // A socket error (reset, …): the connection is gone.
            context.close(promise: nil)
        }
    }

    private func enqueue(_ event: WorkerEvent, context: ChannelHandlerContext) {
        if queue.push(event) {
            context.channel.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in }
        }
    }
}
