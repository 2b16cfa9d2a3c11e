// OutboundBuffer: the worker's write buffer. Messages are encoded into one ByteBuffer and written
// as a batch at ReadyForQuery, Flush, the end of an Execute (unless more messages wait), or when
// the buffer passes `flushThresholdBytes` — then the worker waits until the socket took the bytes,
// so a result of millions of rows streams in bounded memory instead of piling up. When a write fails (the client
// went away) later output is dropped and `onDisconnect` runs once, so that the running statement
// can be cancelled instead of producing rows nobody reads.

import NIOCore

final class OutboundBuffer {
    /// Buffered bytes that trigger a write that waits for the socket.
    static let flushThresholdBytes = 64 * 1024

    private let sink: ConnectionSink
    private var buffer: ByteBuffer
    /// False once a write failed: later output is dropped.
    private(set) var isConnected = true
    /// Runs once, when the first write fails.
    var onDisconnect: () -> Void = {}

    init(sink: ConnectionSink) {
        self.sink = sink
        self.buffer = sink.allocator.buffer(capacity: 1024)
    }

    func append(_ message: BackendMessage) {
        message.encode(into: &buffer)
        flushIfLarge()
    }

    func append(_ messages: [BackendMessage]) {
        for message in messages { message.encode(into: &buffer) }
        flushIfLarge()
    }

    /// The DataRow fast path: encoded straight into the buffer.
    func appendDataRow(_ values: [[UInt8]?]) {
        DataRow.encode(values, into: &buffer)
        flushIfLarge()
    }

    func appendRaw(_ bytes: [UInt8]) {
        buffer.writeBytes(bytes)
    }

    /// Writes what is buffered; with `waitUntilWritten` returns only once the socket took it.
    func flush(waitUntilWritten: Bool = false) {
        guard buffer.readableBytes > 0 else { return }
        let batch = buffer
        buffer = sink.allocator.buffer(capacity: 1024)
        guard isConnected else { return }
        if !sink.write(batch, waitUntilWritten: waitUntilWritten) {
            isConnected = false
            onDisconnect()
        }
    }

    private func flushIfLarge() {
        if buffer.readableBytes >= Self.flushThresholdBytes { flush(waitUntilWritten: true) }
    }
}
