// RecordingSink: a ConnectionSink that keeps what the worker wrote, so a worker can be driven on
// the test's own thread with no socket.

import NIOCore
import Synchronization
@testable import PGWire

final class RecordingSink: ConnectionSink {
    private let written = Mutex<ByteBuffer>(ByteBuffer())
    private let closedFlag = Mutex<Bool>(false)

    var allocator: ByteBufferAllocator { ByteBufferAllocator() }

    func write(_ buffer: ByteBuffer, waitUntilWritten: Bool) -> Bool {
        var buffer = buffer
        written.withLock { _ = $0.writeBuffer(&buffer) }
        return true
    }
    func resumeReading() {}
    func close() { closedFlag.withLock { $0 = true } }

    var isClosed: Bool { closedFlag.withLock { $0 } }

    /// The raw bytes written so far.
    var bytes: [UInt8] { written.withLock { Array($0.readableBytesView) } }

    /// What was written, decoded; `skipSSLAnswer` drops the leading 'N'.
    func messages(skipSSLAnswer: Bool = false) throws -> [BackendMessage] {
        var buffer = written.withLock { $0 }
        if skipSSLAnswer { buffer.moveReaderIndex(forwardBy: 1) }
        var messages: [BackendMessage] = []
        while let message = try BackendMessage.decode(from: &buffer) { messages.append(message) }
        return messages
    }
}
