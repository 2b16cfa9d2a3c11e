// WALWriterReaderTests: what is written is read back identical; torn and stale tails end the WAL.

import Foundation
import Testing
@testable import WAL

@Suite("WAL writer and reader")
struct WALWriterReaderTests {
    @Test func recordsReadBackIdentical() throws {
        let directory = try ScratchDirectory()
        let writer = try TestWAL.writer(directory)
        var written: [(start: LSN, end: LSN, payload: [UInt8])] = []
        for index in 0..<500 {
            let payload = TestWAL.payload(index, length: index % 41 * 13)
            let (start, end) = try writer.insert(TestWAL.heap, info: UInt8(index % 7), xid: TransactionID(UInt32(index + 3)),
                                                 payload: payload)
            written.append((start, end, payload))
        }
        try writer.flush(upTo: writer.insertLSN)
        #expect(writer.flushedLSN == writer.insertLSN)
        try writer.close()

        let (records, reader) = try TestWAL.readAll(directory)
        #expect(records.count == written.count)
        for (index, (record, expected)) in zip(records, written).enumerated() {
            #expect(record.lsn == expected.start)
            #expect(record.endLSN == expected.end)
            #expect(record.payload == expected.payload)
            #expect(record.info == UInt8(index % 7))
            #expect(record.xid == TransactionID(UInt32(index + 3)))
            #expect(record.resourceManager == TestWAL.heap)
            #expect(record.previous == (index == 0 ? .invalid : written[index - 1].start))
            #expect(record.lsn.value % 8 == 0)
        }
        #expect(reader.endOfValidWAL == written.last?.end)
        #expect(reader.lastRecordStart == written.last?.start)
        #expect(reader.stopReason?.message.hasPrefix("invalid record length at") == true)
    }

    @Test func firstRecordIsAtTheStartOfSegmentOne() throws {
        let directory = try ScratchDirectory()
        let writer = try TestWAL.writer(directory)
        let (start, end) = try writer.insert(TestWAL.heap, info: 0, xid: .invalid, payload: [1, 2, 3])
        #expect(start == LSN(1 << 20))
        #expect(end == LSN((1 << 20) + 32))  // 24-byte header + 3 bytes, padded to 8
        try writer.close()
        #expect(directory.files == ["000000010000000000000001"])
    }

    @Test func recordsSpanSegmentBoundaries() throws {
        let directory = try ScratchDirectory()
        let writer = try TestWAL.writer(directory)
        // Large records so that several straddle the 1 MiB boundaries, one of them larger than a
        // whole segment, and small ones so that headers land right at and across the boundaries.
        var payloads: [[UInt8]] = []
        for index in 0..<40 {
            let length = index == 20 ? 2_500_000 : (index % 3 == 0 ? 300_001 : index * 5)
            payloads.append(TestWAL.payload(index, length: length))
        }
        for payload in payloads {
            try writer.insert(TestWAL.heap, info: 1, xid: .firstNormal, payload: payload)
        }
        try writer.flush(upTo: writer.insertLSN)
        try writer.close()
        #expect(directory.files.count > 5)

        let (records, reader) = try TestWAL.readAll(directory)
        #expect(records.map(\.payload) == payloads)
        #expect(reader.endOfValidWAL == records.last?.endLSN)
    }

    @Test func headersSplitAtEveryOffsetAcrossABoundary() throws {
        let directory = try ScratchDirectory()
        let writer = try TestWAL.writer(directory)
        let boundary = LSN(2 << 20)
        // Walk the insert position up to just before the boundary, then write small records so
        // that each 8-byte step of the header falls on the boundary once over the runs.
        let filler = Int(boundary.value - writer.insertLSN.value) - WALRecordHeader.size - 40
        try writer.insert(TestWAL.heap, info: 0, xid: .invalid, payload: [UInt8](repeating: 9, count: filler))
        var payloads: [[UInt8]] = []
        for index in 0..<12 {
            let payload = TestWAL.payload(index, length: 3)
            payloads.append(payload)
            try writer.insert(TestWAL.heap, info: 0, xid: .invalid, payload: payload)
        }
        try writer.close()
        let (records, _) = try TestWAL.readAll(directory)
        #expect(Array(records.dropFirst().map(\.payload)) == payloads)
        #expect(records.contains { $0.lsn < boundary && $0.endLSN > boundary })
    }

    @Test func tornTailEndsTheWALAndEarlierRecordsSurvive() throws {
        let directory = try ScratchDirectory()
        let writer = try TestWAL.writer(directory)
        var ends: [(start: LSN, end: LSN)] = []
        for index in 0..<20 {
            ends.append(try writer.insert(TestWAL.heap, info: 0, xid: .invalid, payload: TestWAL.payload(index, length: 100)))
        }
        try writer.close()
        let last = try #require(ends.last)
        let segmentFile = directory.filePath("000000010000000000000001")
        let offsetOfLast = Int(last.start.value - TestWAL.start.value)

        // A crash tore the last record: only its first 50 bytes reached the disk.
        try patchFile(segmentFile, at: offsetOfLast + 50, with: [UInt8](repeating: 0, count: 100))
        var (records, reader) = try TestWAL.readAll(directory)
        #expect(records.count == 19)
        #expect(reader.endOfValidWAL == last.start)
        #expect(reader.lastRecordStart == ends[18].start)
        #expect(reader.stopReason?.message.contains("incorrect resource manager data checksum in record at \(last.start)") == true)
        #expect(reader.stopReason?.file == "000000010000000000000001")
        #expect(reader.stopReason?.offset == Int64(offsetOfLast))

        // A flipped bit in the middle record stops there too, naming file and offset.
        let middle = ends[10]
        try patchFile(segmentFile, at: Int(middle.start.value - TestWAL.start.value) + 30, with: [0xFF])
        (records, reader) = try TestWAL.readAll(directory)
        #expect(records.count == 10)
        #expect(reader.endOfValidWAL == middle.start)
        #expect(reader.stopReason?.description.contains("offset \(middle.start.value - TestWAL.start.value)") == true)
    }

    @Test func truncatedSegmentFileEndsTheWAL() throws {
        let directory = try ScratchDirectory()
        let writer = try TestWAL.writer(directory)
        var records: [(start: LSN, end: LSN)] = []
        for index in 0..<10 {
            records.append(try writer.insert(TestWAL.heap, info: 0, xid: .invalid, payload: TestWAL.payload(index, length: 64)))
        }
        try writer.close()
        let cut = Int(records[7].start.value - TestWAL.start.value) + 10
        #expect(truncate(directory.filePath("000000010000000000000001"), off_t(cut)) == 0)
        let (read, reader) = try TestWAL.readAll(directory)
        #expect(read.count == 7)
        #expect(reader.endOfValidWAL == records[7].start)
    }

    @Test func writerResumesAtTheEndOfValidWAL() throws {
        let directory = try ScratchDirectory()
        let first = try TestWAL.writer(directory)
        for index in 0..<5 {
            try first.insert(TestWAL.heap, info: 0, xid: .invalid, payload: TestWAL.payload(index, length: 10))
        }
        // Written to the kernel but never flushed, then the process dies (no close()).
        try first.flush(upTo: first.insertLSN)
        let torn = try first.insert(TestWAL.heap, info: 0, xid: .invalid, payload: TestWAL.payload(99, length: 500))
        try first.flush(upTo: torn.end)
        try patchFile(directory.filePath("000000010000000000000001"),
                      at: Int(torn.start.value - TestWAL.start.value) + 200, with: [0xAA, 0xBB])

        var (records, reader) = try TestWAL.readAll(directory)
        #expect(records.count == 5)
        let second = try TestWAL.writer(directory, end: reader.endOfValidWAL, previous: reader.lastRecordStart)
        let appended = try second.insert(TestWAL.heap, info: 0, xid: .invalid, payload: [42])
        #expect(appended.start == torn.start)
        try second.close()
        (records, reader) = try TestWAL.readAll(directory)
        #expect(records.count == 6)
        #expect(records.last?.payload == [42])
        #expect(records.last?.previous == records[4].lsn)
        try first.close()
    }

    /// After a crash, a record written at the same place with the same length could be followed
    /// by an intact old record whose xl_prev matches. Opening the writer wipes that old tail.
    @Test func staleRecordsAfterTheEndAreNeverResurrected() throws {
        let directory = try ScratchDirectory()
        let first = try TestWAL.writer(directory)
        var records: [(start: LSN, end: LSN)] = []
        for index in 0..<6 {
            records.append(try first.insert(TestWAL.heap, info: 0, xid: .invalid, payload: TestWAL.payload(index, length: 40)))
        }
        try first.close()
        // Record 3 is torn; records 4 and 5 reached the disk intact.
        try patchFile(directory.filePath("000000010000000000000001"),
                      at: Int(records[3].start.value - TestWAL.start.value) + 30, with: [0xEE])
        let (before, reader) = try TestWAL.readAll(directory)
        #expect(before.count == 3)

        let second = try TestWAL.writer(directory, end: reader.endOfValidWAL, previous: reader.lastRecordStart)
        try second.insert(TestWAL.heap, info: 0, xid: .invalid, payload: TestWAL.payload(3, length: 40))
        try second.close()
        let (after, _) = try TestWAL.readAll(directory)
        #expect(after.count == 4)
    }

    @Test func readerStartsMidStreamAndChecksTheFirstBackLinkWhenAsked() throws {
        let directory = try ScratchDirectory()
        let writer = try TestWAL.writer(directory)
        var starts: [LSN] = []
        for index in 0..<10 {
            starts.append(try writer.insert(TestWAL.heap, info: 0, xid: .invalid, payload: TestWAL.payload(index, length: 20)).start)
        }
        try writer.close()
        let (tail, _) = try TestWAL.readAll(directory, start: starts[6])
        #expect(tail.map(\.lsn) == Array(starts[6...]))

        var wrongBackLink = try WALReader(directory: directory.path, timeline: TestWAL.timeline, start: starts[6],
                                          segmentSize: TestWAL.segmentSize, expectedPrevious: starts[4])
        #expect(try wrongBackLink.next() == nil)
        #expect(wrongBackLink.stopReason?.message.contains("incorrect prev-link") == true)
    }

    @Test func readerFollowsAGrowingWAL() throws {
        let directory = try ScratchDirectory()
        let writer = try TestWAL.writer(directory)
        try writer.insert(TestWAL.heap, info: 0, xid: .invalid, payload: [1])
        try writer.flush(upTo: writer.insertLSN)
        var reader = try TestWAL.reader(directory)
        #expect(try reader.next()?.payload == [1])
        #expect(try reader.next() == nil)
        try writer.insert(TestWAL.heap, info: 0, xid: .invalid, payload: [2])
        try writer.flush(upTo: writer.insertLSN)
        #expect(try reader.next()?.payload == [2])
        try writer.close()
    }

    @Test func missingStartSegmentIsAnError() throws {
        let directory = try ScratchDirectory()
        #expect(throws: WALError.self) { try TestWAL.reader(directory) }
    }

    @Test func bufferFullWritesWithoutAFlush() throws {
        let directory = try ScratchDirectory()
        let writer = try TestWAL.writer(directory, configuration: TestWAL.configuration(walBuffers: 4096))
        for index in 0..<100 {
            try writer.insert(TestWAL.heap, info: 0, xid: .invalid, payload: TestWAL.payload(index, length: 1000))
        }
        #expect(writer.statistics.buffersFull > 0)
        #expect(writer.writtenLSN > TestWAL.start)
        #expect(writer.flushedLSN <= writer.writtenLSN)
        // Already written records are readable before any flush (the kernel has them).
        var reader = try TestWAL.reader(directory)
        #expect(try reader.next() != nil)
        try writer.close()
        #expect(try TestWAL.readAll(directory).0.count == 100)
    }

    @Test func invalidRequestsAreRejected() throws {
        let directory = try ScratchDirectory()
        #expect(throws: WALError.self) { try TestWAL.writer(directory, end: .invalid) }
        #expect(throws: WALError.self) { try TestWAL.writer(directory, end: TestWAL.start.advanced(by: 3)) }
        var badSize = TestWAL.configuration()
        badSize.segmentSize = 3 << 20
        #expect(throws: WALError.self) { try TestWAL.writer(directory, configuration: badSize) }

        let writer = try TestWAL.writer(directory)
        #expect(throws: WALError.self) { try writer.flush(upTo: writer.insertLSN.advanced(by: 8)) }
        try writer.close()
        try writer.close()
        #expect(throws: WALError.self) { try writer.insert(TestWAL.heap, info: 0, xid: .invalid, payload: [1]) }
    }
}
