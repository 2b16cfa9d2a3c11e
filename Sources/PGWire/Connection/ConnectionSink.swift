// ConnectionSink: where a connection's worker writes bytes. The NIO channel in production
// (ChannelSink); a recording sink in tests. Called from the worker thread only.

import NIOCore

protocol ConnectionSink: Sendable {
    var allocator: ByteBufferAllocator { get }
    /// Writes and flushes `buffer`. With `waitUntilWritten` the worker blocks until the socket has
    /// taken it (backpressure for large results). Returns false once the connection is gone.
    func write(_ buffer: ByteBuffer, waitUntilWritten: Bool) -> Bool
    /// The inbound queue drained: read the socket again.
    func resumeReading()
    func close()
}

/// The production sink: a SwiftNIO channel, written from the worker thread (NIO hops to the
/// channel's event loop).
struct ChannelSink: ConnectionSink {
    let channel: Channel

    var allocator: ByteBufferAllocator { channel.allocator }

    func write(_ buffer: ByteBuffer, waitUntilWritten: Bool) -> Bool {
        let written = channel.writeAndFlush(buffer)
        guard waitUntilWritten else { return channel.isActive }
        do {
            try written.wait()
            return true
        } catch {
            return false
        }
    }

    func resumeReading() {
        channel.setOption(ChannelOptions.autoRead, value: true).whenFailure { _ in }
    }

    func close() {
        channel.close(promise: nil)
    }
}
