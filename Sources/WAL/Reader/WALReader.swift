// WALReader: reads records in order from pg_wal/, verifying each one, and finds the end of WAL.
//
// `next()` returns the next record, or nil where valid WAL ends. A record is valid when
//   1. its totalLength is not 0 (zero-filled space: the normal end) and lies in 24 ... 1 GiB,
//   2. its xl_prev equals the start of the record read just before it (stale bytes from a
//      recycled segment, or from before a crash, point elsewhere),
//   3. its CRC32C matches, and all of its bytes exist in segment files.
// A torn write at a crash fails 1, 2 or 3, so recovery redoes exactly the records before it. The
// reader cannot tell a torn tail from corruption in the middle of the WAL (neither can
// PostgreSQL): it stops, and `stopReason` says where and why, naming the file and offset.
// After nil, `endOfValidWAL` is where the writer resumes and `lastRecordStart` its xl_prev.
// Calling next() again retries at the same place, so a reader can follow a WAL being written.

public struct WALReader {
    private let segments: SegmentDirectory
    private var cursor: SegmentCursor
    private var position: LSN
    private var expectedPrevious: LSN?
    private var scratch: [UInt8] = []

    /// Where the next record would start; after next() returned nil, where writing resumes.
    public private(set) var endOfValidWAL: LSN
    /// Start of the last valid record returned (.invalid before the first).
    public private(set) var lastRecordStart = LSN.invalid
    /// Why the last next() returned nil: names the file, the offset and the problem.
    public private(set) var stopReason: WALError?

    /// Starts reading at `start`, which must be the start of a record (e.g. a checkpoint's redo
    /// point). The first record's xl_prev is not checked unless `expectedPrevious` is given.
    public init(directory: String, timeline: TimelineID, start: LSN,
                segmentSize: Int = WALConfiguration().segmentSize, expectedPrevious: LSN? = nil) throws {
        guard WALFileName.isValidSegmentSize(segmentSize) else {
            throw WALError(.invalidArgument, "invalid WAL segment size \(segmentSize)")
        }
        guard WALRecordHeader.aligned(start) == start else {
            throw WALError(.invalidArgument, "invalid WAL record start \(start): not 8-byte aligned")
        }
        segments = SegmentDirectory(path: directory, timeline: timeline, segmentSize: segmentSize, synchronizes: false)
        cursor = SegmentCursor(segments: segments)
        position = start
        endOfValidWAL = start
        self.expectedPrevious = expectedPrevious
        let first = WALFileName.segmentNumber(of: start, segmentSize: segmentSize)
        guard try SegmentFile.openIfExists(path: segments.filePath(of: first), segmentNumber: first,
                                           writable: false) != nil else {
            throw WALError(.io, "could not open file \"\(segments.fileName(of: first))\": No such file or directory",
                           file: segments.fileName(of: first))
        }
    }

    /// The next valid record, or nil at the end of valid WAL (see stopReason).
    public mutating func next() throws -> WALRecord? {
        let start = position
        // The header bytes go to a buffer reused across calls (moved out of self while in use).
        var headerBytes: [UInt8] = []
        swap(&headerBytes, &scratch)
        defer { swap(&headerBytes, &scratch) }
        headerBytes.removeAll(keepingCapacity: true)
        if let stop = try readOrStop(at: start, count: WALRecordHeader.size, into: &headerBytes) {
            return finish(stop)
        }
        let header = headerBytes.withUnsafeBytes { WALRecordHeader(decoding: $0) }
        let length = Int(header.totalLength)
        guard length >= WALRecordHeader.size && length <= WALRecordHeader.maximumTotalLength else {
            return finish(problem("invalid record length at \(start): expected at least \(WALRecordHeader.size), got \(length)",
                                  at: start))
        }
        if let expectedPrevious, header.previous != expectedPrevious {
            return finish(problem("record with incorrect prev-link \(header.previous) at \(start)", at: start))
        }
        var payload: [UInt8] = []
        payload.reserveCapacity(header.payloadLength)
        if let stop = try readOrStop(at: start.advanced(by: UInt64(WALRecordHeader.size)),
                                     count: header.payloadLength, into: &payload) {
            return finish(stop)
        }
        let payloadCRC = CRC32C.checksum(payload)
        let crc = headerBytes.withUnsafeBytes { WALRecordHeader.recordCRC(payloadCRC: payloadCRC, encodedHeader: $0) }
        guard crc == header.crc else {
            return finish(problem("incorrect resource manager data checksum in record at \(start)", at: start))
        }

        let end = WALRecordHeader.aligned(start.advanced(by: UInt64(length)))
        position = end
        endOfValidWAL = end
        lastRecordStart = start
        expectedPrevious = start
        stopReason = nil
        return WALRecord(lsn: start, endLSN: end, previous: header.previous, xid: header.xid,
                         resourceManager: header.resourceManager, info: header.info, payload: payload)
    }

    private mutating func readOrStop(at lsn: LSN, count: Int, into output: inout [UInt8]) throws -> WALError? {
        switch try cursor.read(at: lsn, count: count, into: &output) {
        case .complete:
            return nil
        case .missing(let file, let offset, let at):
            return WALError(.corrupt, "record at \(position) continues past the end of WAL: file \"\(file)\" has no byte at offset \(offset) (\(at))",
                            file: file, offset: Int64(offset))
        }
    }

    private func problem(_ message: String, at lsn: LSN) -> WALError {
        let file = WALFileName.segment(containing: lsn, timeline: segments.timeline, segmentSize: segments.segmentSize)
        let offset = Int64(lsn.value % UInt64(segments.segmentSize))
        return WALError(.corrupt, "\(message) (file \"\(file)\", offset \(offset))", file: file, offset: offset)
    }

    private mutating func finish(_ reason: WALError) -> WALRecord? {
        stopReason = reason
        cursor.invalidate()
        return nil
    }
}
