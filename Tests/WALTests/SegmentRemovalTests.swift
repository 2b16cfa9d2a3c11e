// SegmentRemovalTests: removing and recycling old segments after a checkpoint.

import Foundation
import Testing
@testable import WAL

@Suite("Segment removal")
struct SegmentRemovalTests {
    /// Fills about `segments` segments with 64 KiB records; returns their start LSNs.
    private func fill(_ writer: WALWriter, segments: Int) throws -> [LSN] {
        var starts: [LSN] = []
        let recordsPerSegment = TestWAL.segmentSize / (64 * 1024)
        for index in 0..<(segments * recordsPerSegment) {
            starts.append(try writer.insert(TestWAL.heap, info: 0, xid: .invalid,
                                            payload: TestWAL.payload(index, length: 64 * 1024 - 100)).start)
        }
        try writer.flush(upTo: writer.insertLSN)
        return starts
    }

    @Test func oldSegmentsAreRemovedOrRecycledAndTheRestStaysReadable() throws {
        let directory = try ScratchDirectory()
        var configuration = TestWAL.configuration()
        configuration.recycledSegmentsMaximum = 2
        let writer = try TestWAL.writer(directory, configuration: configuration)
        let starts = try fill(writer, segments: 5)
        #expect(directory.files.count == 5)  // records slightly under 64 KiB: the fifth segment is the one being written

        // A checkpoint whose redo point is in segment 4: segments 1, 2, 3 end before it.
        let redo = try #require(starts.first { WALFileName.segmentNumber(of: $0, segmentSize: TestWAL.segmentSize) == 4 })
        try writer.removeSegments(endingAtOrBefore: redo)
        let names = directory.files
        #expect(!names.contains("000000010000000000000001"))
        #expect(!names.contains("000000010000000000000002"))
        #expect(!names.contains("000000010000000000000003"))
        // Two of them were renamed to the next future names, the third deleted.
        #expect(names == ["000000010000000000000004", "000000010000000000000005",
                          "000000010000000000000006", "000000010000000000000007"])
        #expect(writer.statistics.segmentsRecycled == 2)

        // Writing on into the recycled segments: their stale records are never mistaken for new.
        let more = try fill(writer, segments: 2)
        try writer.close()
        let (records, reader) = try TestWAL.readAll(directory, start: redo)
        #expect(records.first?.lsn == redo)
        #expect(records.last?.lsn == more.last)
        #expect(reader.endOfValidWAL == records.last?.endLSN)
    }

    @Test func theSegmentBeingWrittenIsNeverRemoved() throws {
        let directory = try ScratchDirectory()
        let writer = try TestWAL.writer(directory)
        try writer.insert(TestWAL.heap, info: 0, xid: .invalid, payload: [1])
        try writer.flush(upTo: writer.insertLSN)
        try writer.removeSegments(endingAtOrBefore: LSN(100 << 20))
        #expect(directory.files == ["000000010000000000000001"])
        try writer.close()
        #expect(try TestWAL.readAll(directory).0.count == 1)
    }

    @Test func openingAWriterRemovesLaterSegments() throws {
        let directory = try ScratchDirectory()
        let writer = try TestWAL.writer(directory)
        let starts = try fill(writer, segments: 3)
        try writer.close()
        // Recovery decided that WAL ends in segment 2 (say, a bad record there).
        let end = try #require(starts.first { WALFileName.segmentNumber(of: $0, segmentSize: TestWAL.segmentSize) == 2 })
        let previous = try #require(starts.last { $0 < end })
        let reopened = try TestWAL.writer(directory, end: end, previous: previous)
        #expect(directory.files == ["000000010000000000000001", "000000010000000000000002"])
        try reopened.close()
        let (records, reader) = try TestWAL.readAll(directory)
        #expect(records.last?.lsn == previous)
        #expect(reader.endOfValidWAL == end)
    }

    @Test func leftoverTemporaryFilesAreRemovedOnOpen() throws {
        let directory = try ScratchDirectory()
        #expect(FileManager.default.createFile(atPath: directory.filePath("xlogtemp.99999"), contents: Data([1, 2])))
        let writer = try TestWAL.writer(directory)
        #expect(directory.files == ["000000010000000000000001"])
        try writer.close()
    }
}
