// WALStreamReceiver's side of the CopyBoth conversation, with the test playing the primary over a
// real TCP socket (messages built with PGWire's own server-side encoders): the first status
// update, XLogData written at its LSN and reported written+flushed, an immediate answer to a
// keepalive that requests a reply, a refused gap in the stream, and the end of a timeline that
// arrives while the receiver still has WAL to flush and report, and the ping of a silent primary.
import Foundation
import Glibc
import NIOCore
import Testing
import WAL
@testable import PGWire
@testable import Replication

/// One accepted connection of a scripted primary.
private final class ScriptedPrimary: @unchecked Sendable {
    let listener: Int32
    let port: Int
    private var peer: Int32 = -1
    private var inbound: [UInt8] = []

    init() {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
        listen(descriptor, 1)
        listener = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit {
        close(listener)
        if peer >= 0 { close(peer) }
    }

    func accept() { peer = Glibc.accept(listener, nil, nil) }

    func send(_ messages: [BackendMessage]) {
        var buffer = ByteBuffer()
        for message in messages { message.encode(into: &buffer) }
        let bytes = Array(buffer.readableBytesView)
        _ = bytes.withUnsafeBytes { Glibc.send(peer, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    private func fill(_ count: Int) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while inbound.count < count {
            let got = recv(peer, &chunk, chunk.count, 0)
            if got <= 0 { return false }
            inbound += chunk[0..<got]
        }
        return true
    }

    /// The untyped startup packet.
    func readStartup() {
        guard fill(4) else { return }
        let length = Int(inbound[0]) << 24 | Int(inbound[1]) << 16 | Int(inbound[2]) << 8 | Int(inbound[3])
        guard fill(length) else { return }
        inbound.removeFirst(length)
    }

    /// The next typed message: its type byte and payload; nil at end of stream.
    func read() -> (type: UInt8, payload: [UInt8])? {
        guard fill(5) else { return nil }
        let length = Int(inbound[1]) << 24 | Int(inbound[2]) << 16 | Int(inbound[3]) << 8 | Int(inbound[4])
        guard fill(1 + length) else { return nil }
        let message = (inbound[0], Array(inbound[5..<(1 + length)]))
        inbound.removeFirst(1 + length)
        return message
    }

    /// The next CopyData payload decoded as a replication message.
    func readStreaming() throws -> StreamingMessage? {
        guard let message = read(), message.type == UInt8(ascii: "d") else { return nil }
        return try StreamingMessage.decode(message.payload)
    }
}

@Suite struct WALStreamReceiverTests {
    @Test func statusUpdatesFollowWritesFlushesAndKeepalives() throws {
        let primary = ScriptedPrimary()
        let directory = "/tmp/rcv-stream-unit-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let start = LSN(0x100_0000)
        let wal = (0..<100).map { UInt8(truncatingIfNeeded: $0 &* 7) }

        let server = Thread {
            primary.accept()
            primary.readStartup()
            primary.send([.authentication(.ok), .readyForQuery(.idle)])
            guard let query = primary.read() else { return }
            #expect(String(decoding: query.payload.dropLast(), as: UTF8.self) == "START_REPLICATION 0/1000000 TIMELINE 1")
            primary.send([.copyResponse(CopyResponse(direction: .copyBoth, format: 0, columnFormats: []))])
            let first = try? primary.readStreaming()
            #expect(first?.withoutTime == .standbyStatusUpdate(StandbyStatus(
                written: start.value, flushed: start.value, applied: 0, clientTime: 0, replyRequested: false)))
            primary.send([.copyData(StreamingMessage.xLogData(dataStart: start.value, walEnd: start.value + 100,
                                                               sendTime: 1, wal: wal).encode())])
            let afterFlush = try? primary.readStreaming()
            #expect(afterFlush?.withoutTime == .standbyStatusUpdate(StandbyStatus(
                written: start.value + 100, flushed: start.value + 100, applied: 0, clientTime: 0, replyRequested: false)))
            primary.send([.copyData(StreamingMessage.primaryKeepalive(walEnd: start.value + 100, sendTime: 2,
                                                                       replyRequested: true).encode())])
            let reply = try? primary.readStreaming()
            #expect(reply?.withoutTime == afterFlush?.withoutTime)
            // A chunk that skips bytes: the receiver must refuse it.
            primary.send([.copyData(StreamingMessage.xLogData(dataStart: start.value + 200, walEnd: start.value + 300,
                                                               sendTime: 3, wal: wal).encode())])
            while primary.read() != nil {}
        }
        server.start()

        let (connection, writer, streamer) = try connectReceiver(to: primary, directory: directory)
        #expect(throws: ReplicationClientError("unexpected WAL position 0/10000C8 in replication stream",
                                               detail: "Expected 0/1000064.")) {
            _ = try streamer.stream(from: start, timeline: .first, slot: nil, shouldStop: { _ in false })
        }
        connection.close()
        #expect(streamer.flushed == LSN(start.value + 100))
        try writer.close()
        let segment = try Data(contentsOf: URL(fileURLWithPath: directory + "/000000010000000000000001"))
        #expect(Array(segment[0..<100]) == wal)
    }
}

extension WALStreamReceiverTests {
    /// The primary ends the timeline (CopyDone) right after a chunk: the receiver flushes it, may
    /// still report that (its half of CopyBoth is open until its own CopyDone), then reads the next
    /// timeline's row. A standby following a promoted primary crashed here once.
    @Test func endOfTimelineRightAfterDataIsFlushedReportedAndFollowed() throws {
        let primary = ScriptedPrimary()
        let directory = "/tmp/rcv-stream-unit-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let start = LSN(0x100_0000)
        let wal = [UInt8](repeating: 0x5A, count: 64)

        let server = Thread {
            primary.accept()
            primary.readStartup()
            primary.send([.authentication(.ok), .readyForQuery(.idle)])
            guard primary.read() != nil else { return }
            primary.send([.copyResponse(CopyResponse(direction: .copyBoth, format: 0, columnFormats: [])),
                          .copyData(StreamingMessage.xLogData(dataStart: start.value, walEnd: start.value + 64,
                                                             sendTime: 1, wal: wal).encode()),
                          .copyDone])
            // Status updates may come first; then the client's CopyDone.
            while let message = primary.read(), message.type != UInt8(ascii: "c") {}
            primary.send([
                .rowDescription([FieldDescription(name: "next_tli", typeOID: 20, typeSize: 8),
                                 FieldDescription(name: "next_tli_startpos", typeOID: 25, typeSize: -1)]),
                .dataRow([Array("2".utf8), Array("0/1000040".utf8)]),
                .commandComplete("START_STREAMING"), .commandComplete("START_REPLICATION"), .readyForQuery(.idle),
            ])
            while primary.read() != nil {}
        }
        server.start()

        let (connection, writer, streamer) = try connectReceiver(to: primary, directory: directory)
        let outcome = try streamer.stream(from: start, timeline: .first, slot: nil, shouldStop: { _ in false })
        #expect(outcome == .endOfTimeline(TimelineEnd(nextTimeline: TimelineID(2), switchPoint: LSN(0x100_0040))))
        #expect(streamer.flushed == LSN(start.value + 64))
        connection.close()
        try writer.close()
    }
}

extension WALStreamReceiverTests {
    /// A silent primary is asked for a reply half-way through wal_receiver_timeout even though
    /// periodic status updates keep going out; its answer keeps the stream alive. (The periodic
    /// updates once postponed the ping forever, and idle standbys timed out every minute.)
    @Test func silentPrimaryIsPingedDespitePeriodicStatusUpdates() throws {
        let primary = ScriptedPrimary()
        let directory = "/tmp/rcv-stream-unit-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let start = LSN(0x100_0000)
        let pinged = Locked(false)

        let server = Thread {
            primary.accept()
            primary.readStartup()
            primary.send([.authentication(.ok), .readyForQuery(.idle)])
            guard primary.read() != nil else { return }
            primary.send([.copyResponse(CopyResponse(direction: .copyBoth, format: 0, columnFormats: []))])
            // Silent: only read status updates until one asks for a reply, then answer it and end.
            while let message = try? primary.readStreaming() {
                guard case .standbyStatusUpdate(let status) = message, status.replyRequested else { continue }
                pinged.set(true)
                primary.send([.copyData(StreamingMessage.primaryKeepalive(walEnd: start.value, sendTime: 1,
                                                                           replyRequested: false).encode()),
                              .copyDone])
                while let message = primary.read(), message.type != UInt8(ascii: "c") {}
                primary.send([.commandComplete("START_STREAMING"), .readyForQuery(.idle)])
                break
            }
            while primary.read() != nil {}
        }
        server.start()

        let (connection, writer, streamer) = try connectReceiver(to: primary, directory: directory) { settings in
            settings.statusInterval = .milliseconds(50)       // far more often than half the timeout
            settings.receiverTimeout = .seconds(2)
            settings.pollInterval = .milliseconds(20)
        }
        // The primary ends the stream without a next timeline once it was pinged: the receiver says
        // so (the timeout error would mean the ping never came).
        #expect(throws: ReplicationClientError("unexpected result set after end-of-streaming")) {
            _ = try streamer.stream(from: start, timeline: .first, slot: nil, shouldStop: { _ in false })
        }
        #expect(pinged.value)
        connection.close()
        try writer.close()
    }
}

/// A receiver connected to `primary`, writing into `directory`; status updates and the timeout are
/// off unless `adjust` turns them on.
private func connectReceiver(to primary: ScriptedPrimary, directory: String,
                             _ adjust: (inout WALStreamReceiver.Settings) -> Void = { _ in })
    throws -> (PGClientConnection, ReceivedWALWriter, WALStreamReceiver) {
    let connection = try PGClientConnection.connect(PGClientConfiguration(host: "127.0.0.1", port: primary.port, user: "u"))
    let writer = try ReceivedWALWriter(directory: directory, timeline: .first)
    var settings = WALStreamReceiver.Settings()
    settings.statusInterval = .zero
    settings.receiverTimeout = .zero
    adjust(&settings)
    let streamer = WALStreamReceiver(connection: connection, writer: writer, progress: WALReceiverProgress(),
                                     settings: settings, logger: ReplicationLog.logger("test"))
    return (connection, writer, streamer)
}

/// A value shared with the scripted primary's thread.
private final class Locked<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value { lock.withLock { stored } }
    func set(_ value: Value) { lock.withLock { stored = value } }
}

private extension StreamingMessage {
    /// The message with its clock zeroed (the clock is the receiver's own).
    var withoutTime: StreamingMessage {
        guard case .standbyStatusUpdate(var status) = self else { return self }
        status.clientTime = 0
        return .standbyStatusUpdate(status)
    }
}
