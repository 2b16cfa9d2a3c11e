// Timelines: history files in PostgreSQL's format (round trip through pg_wal/, parsing rules),
// choosing the newest timeline, the first segment of a new timeline (a copy up to the switch
// point), and a writer that starts in recovery and begins writing the new timeline at promotion.

import Foundation
import Logging
import Testing
@testable import WAL

@Suite("Timelines")
struct TimelineTests {
    private let logger = Logger(label: "wal-tests")

    @Test func historyFileRoundTripsInPostgreSQLFormat() throws {
        let scratch = try ScratchDirectory()
        let history = TimelineHistory(timeline: .first, entries: [])
            .branching(at: LSN(0x300_0158), to: TimelineID(2))
            .branching(at: LSN(0x500_0060), to: TimelineID(3))
        #expect(history.text == "1\t0/3000158\tno recovery target specified\n2\t0/5000060\tno recovery target specified\n")
        try history.write(directory: scratch.path, synchronize: false)
        #expect(scratch.files.contains("00000003.history"))
        let read = try TimelineHistory.read(directory: scratch.path, timeline: TimelineID(3))
        #expect(read == history)
        #expect(try String(contentsOfFile: scratch.filePath("00000003.history"), encoding: .utf8) == history.text)
    }

    @Test func parsingSkipsCommentsAndRefusesBrokenAncestry() throws {
        let text = "# made by hand\n\n1\t0/3000158\tno recovery target specified\n2\t0/5000060\tbefore 2026-11-29\n"
        let history = try TimelineHistory(parsing: text, timeline: TimelineID(3))
        #expect(history.entries.map(\.parent) == [TimelineID(1), TimelineID(2)])
        #expect(history.entries[1].reason == "before 2026-11-29")
        #expect(throws: WALError.self) { try TimelineHistory(parsing: "2\t0/1\tx\n1\t0/2\tx\n", timeline: TimelineID(3)) }
        #expect(throws: WALError.self) { try TimelineHistory(parsing: "3\t0/1\tx\n", timeline: TimelineID(3)) }
        #expect(throws: WALError.self) { try TimelineHistory(parsing: "1\tnot-an-lsn\tx\n", timeline: TimelineID(2)) }
        #expect(throws: WALError.self) { try TimelineHistory(parsing: "1\t0/5\tx\n2\t0/4\tx\n", timeline: TimelineID(3)) }
    }

    @Test func historyAnswersWhichTimelineHoldsAPosition() {
        let history = TimelineHistory(timeline: .first, entries: [])
            .branching(at: LSN(0x300_0000), to: TimelineID(2))
            .branching(at: LSN(0x500_0000), to: TimelineID(4))
        #expect(history.timeline(holding: LSN(0x100_0000)) == TimelineID(1))
        #expect(history.timeline(holding: LSN(0x300_0000)) == TimelineID(2))
        #expect(history.timeline(holding: LSN(0x600_0000)) == TimelineID(4))
        #expect(history.successor(of: TimelineID(1)) == TimelineID(2))
        #expect(history.successor(of: TimelineID(2)) == TimelineID(4))
        #expect(history.successor(of: TimelineID(3)) == nil)
        #expect(history.switchPoint(ending: TimelineID(2)) == LSN(0x500_0000))
        #expect(history.switchPoint(ending: TimelineID(4)) == nil)
        #expect(history.contains(TimelineID(2)) && !history.contains(TimelineID(3)))
    }

    @Test func newestTimelineIsTheHighestHistoryFile() throws {
        let scratch = try ScratchDirectory()
        #expect(try TimelineHistory.newestTimeline(directory: scratch.path, atLeast: .first) == .first)
        for timeline in [2, 5, 3] {
            try TimelineHistory(timeline: .first, entries: [])
                .branching(at: LSN(UInt64(timeline) << 24), to: TimelineID(UInt32(timeline)))
                .write(directory: scratch.path, synchronize: false)
        }
        try Data().write(to: URL(fileURLWithPath: scratch.filePath("000000090000000000000001")))
        #expect(try TimelineHistory.newestTimeline(directory: scratch.path, atLeast: .first) == TimelineID(5))
        #expect(try TimelineHistory.newestTimeline(directory: scratch.path, atLeast: TimelineID(7)) == TimelineID(7))
    }

    /// A standby's writer refuses WAL until promotion; then it writes the new timeline from the
    /// switch point, whose first segment holds the old timeline's records before that point.
    @Test func promotionStartsTheNextTimelineAtTheSwitchPoint() throws {
        let scratch = try ScratchDirectory()
        let old = try WALWriter(directory: scratch.path, timeline: .first, end: TestWAL.start, previousRecord: .invalid,
                                configuration: TestWAL.configuration(), logger: logger)
        var switchPoint = TestWAL.start, lastRecord = LSN.invalid
        for n in 0..<100 {
            (lastRecord, switchPoint) = try old.insert(TestWAL.heap, info: 0, xid: TransactionID(3), payload: Array(repeating: UInt8(n), count: 100))
        }
        try old.close()

        let standby = WALWriter(inRecoveryAt: switchPoint, timeline: .first, configuration: TestWAL.configuration(), logger: logger)
        #expect(throws: WALError.self) { try standby.insert(TestWAL.heap, info: 0, xid: TransactionID(3), payload: [1]) }
        try TimelineSwitch.copySegmentPrefix(directory: scratch.path, from: .first, to: TimelineID(2), upTo: switchPoint,
                                             segmentSize: TestWAL.segmentSize, synchronize: false)
        try standby.startWriting(directory: scratch.path, timeline: TimelineID(2), end: switchPoint, previousRecord: lastRecord)
        #expect(standby.timeline == TimelineID(2))
        let (first, end) = try standby.insert(TestWAL.heap, info: 1, xid: TransactionID(4), payload: [7, 7, 7])
        #expect(first == switchPoint)
        try standby.close()

        var reader = try WALReader(directory: scratch.path, timeline: TimelineID(2), start: TestWAL.start,
                                   segmentSize: TestWAL.segmentSize)
        var records: [WALRecord] = []
        while let record = try reader.next() { records.append(record) }
        #expect(records.count == 101)
        #expect(records.last?.payload == [7, 7, 7] && records.last?.info == 1)
        #expect(reader.endOfValidWAL == end)
        // The old timeline's file is untouched: its WAL still ends at the switch point.
        var oldReader = try WALReader(directory: scratch.path, timeline: .first, start: TestWAL.start,
                                      segmentSize: TestWAL.segmentSize)
        var oldCount = 0
        while try oldReader.next() != nil { oldCount += 1 }
        #expect(oldCount == 100 && oldReader.endOfValidWAL == switchPoint)
    }
}
