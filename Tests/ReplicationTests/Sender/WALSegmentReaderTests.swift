// WALSegmentReader: streaming timeline 2 from a segment whose timeline-2 file is gone must not
// hand out the timeline-1 file's bytes past the switch point — those are the old primary's WAL
// (a promoted standby keeps the old timeline's file) — but only the shared bytes before it.
import Foundation
import PGWire
import Testing
import WAL
@testable import Replication

@Suite struct WALSegmentReaderTests {
    @Test func anAncestorFileServesOnlyTheBytesBeforeItsSwitchPoint() throws {
        let directory = "/tmp/segment-reader-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let segmentSize = 1 << 20
        let oldTimeline = [UInt8](repeating: 0xAA, count: segmentSize)
        try Data(oldTimeline).write(to: URL(fileURLWithPath: directory + "/000000010000000000000003"))
        let reader = WALSegmentReader(walDirectory: directory, segmentSize: segmentSize)
        let segmentStart = LSN(UInt64(3 * segmentSize))
        let switchPoint = segmentStart.advanced(by: 1000)
        let timelines = [TimelineID(2), .first], ends = [TimelineID.first: switchPoint]

        let shared = try reader.read(from: segmentStart, count: 4096, timelines: timelines, ends: ends)
        #expect(shared == Array(oldTimeline[0..<1000]))
        #expect(throws: PGError(sqlState: "58P01", message: "requested WAL segment 000000020000000000000003 has already been removed")) {
            try reader.read(from: switchPoint, count: 4096, timelines: timelines, ends: ends)
        }
    }
}
