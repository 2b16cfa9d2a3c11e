// The CopyBoth payloads byte for byte: sizes and field order as captured from PostgreSQL 15
// (clients.md §3.1), and decode(encode(m)) == m for each kind.
import PGWire
import Testing
import WAL

@Suite struct StreamingMessageTests {
    @Test func xLogDataHasTheTwentyFiveByteHeader() throws {
        let message = StreamingMessage.xLogData(dataStart: 0x600_0000, walEnd: 0x600_7448, sendTime: 42, wal: [1, 2, 3])
        let bytes = message.encode()
        #expect(bytes.count == StreamingMessage.xLogDataHeaderSize + 3)
        #expect(bytes[0] == UInt8(ascii: "w"))
        #expect(Array(bytes[1..<9]) == [0, 0, 0, 0, 0x06, 0, 0, 0])
        #expect(Array(bytes[25...]) == [1, 2, 3])
        #expect(try StreamingMessage.decode(bytes) == message)
    }

    @Test func keepaliveStatusAndFeedbackRoundTrip() throws {
        let messages: [(StreamingMessage, Int)] = [
            (.primaryKeepalive(walEnd: 0x1_0000_0000, sendTime: -5, replyRequested: true), 18),
            (.standbyStatusUpdate(StandbyStatus(written: 3, flushed: 2, applied: 1, clientTime: 7, replyRequested: false)), 34),
            (.hotStandbyFeedback(HotStandbyFeedback(clientTime: 9, xmin: 700, xminEpoch: 0, catalogXmin: 0, catalogXminEpoch: 0)), 25),
        ]
        for (message, size) in messages {
            let bytes = message.encode()
            #expect(bytes.count == size)
            #expect(try StreamingMessage.decode(bytes) == message)
        }
    }

    @Test func malformedPayloadsAreProtocolViolations() {
        #expect(throws: PGError.self) { try StreamingMessage.decode([]) }
        #expect(throws: PGError.self) { try StreamingMessage.decode([UInt8(ascii: "x")]) }
        #expect(throws: PGError.self) { try StreamingMessage.decode([UInt8(ascii: "r"), 0, 0]) }
        var long = StreamingMessage.primaryKeepalive(walEnd: 1, sendTime: 1, replyRequested: false).encode()
        long.append(0)
        #expect(throws: PGError.self) { try StreamingMessage.decode(long) }
    }

    @Test func replicationClockCountsFromTheYear2000() {
        // 2026 is more than 26 years after 2000-01-01.
        #expect(PostgresTimestamp.now() > 26 * 365 * 86_400 * 1_000_000)
    }
}
