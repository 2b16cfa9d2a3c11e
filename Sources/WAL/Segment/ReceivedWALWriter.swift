// ReceivedWALWriter: writes WAL that was produced elsewhere (a primary, streamed by a WAL receiver
// or a base backup) into pg_wal/ at exactly its LSNs, so that the files are the same bytes, with the
// same names, as the primary's own segments:
//
//   XLogData start=0/6FE2000, 123024 bytes
//      ├─ 0/6FE2000 ..< 0/7000000  → 000000010000000000000006 at offset 0xFE2000
//      └─ 0/7000000 ..< 0/7000090  → 000000010000000000000007 at offset 0
//
// A segment is opened as the WAL writer opens one (SegmentDirectory.openForWriting): the existing
// (maybe recycled, maybe partly received before a restart) file, or a new zero-filled one renamed
// into place. The bytes themselves carry the primary's CRC32C per record; the reader checks them.
//
// Invariants: `flush()` makes every byte written so far durable (fdatasync of each file written
// since the last flush; a finished segment is synced before it is closed). Not thread-safe: one
// receiving thread owns it.

public final class ReceivedWALWriter {
    private var segments: SegmentDirectory
    private var openSegment: SegmentFile?
    /// The open segment has bytes not yet fdatasynced.
    private var openSegmentDirty = false

    public var timeline: TimelineID { segments.timeline }
    public var segmentSize: Int { segments.segmentSize }

    /// `synchronizes` false (fsync = off) never calls fdatasync.
    public init(directory: String, timeline: TimelineID, segmentSize: Int = 16 * 1024 * 1024,
                synchronizes: Bool = true) throws(WALError) {
        guard WALFileName.isValidSegmentSize(segmentSize) else {
            throw WALError(.invalidArgument, "invalid WAL segment size \(segmentSize)")
        }
        segments = SegmentDirectory(path: directory, timeline: timeline, segmentSize: segmentSize,
                                    synchronizes: synchronizes)
        try segments.ensureExists()
    }

    /// Writes `bytes`, the WAL stream from `lsn` on, splitting it at segment boundaries.
    public func write(_ bytes: UnsafeRawBufferPointer, at lsn: LSN) throws(WALError) {
        var done = 0
        while done < bytes.count {
            let position = lsn.value + UInt64(done)
            let segmentNumber = WALFileName.segmentNumber(of: LSN(position), segmentSize: segmentSize)
            let offset = Int(position % UInt64(segmentSize))
            let count = min(bytes.count - done, segmentSize - offset)
            let file = try segment(segmentNumber)
            try file.write(UnsafeRawBufferPointer(rebasing: bytes[done..<(done + count)]), at: offset)
            openSegmentDirty = true
            done += count
        }
    }

    public func write(_ bytes: [UInt8], at lsn: LSN) throws {
        try bytes.withUnsafeBytes { try write($0, at: lsn) }
    }

    /// Makes everything written so far durable.
    public func flush() throws(WALError) {
        if openSegmentDirty, segments.synchronizes, let openSegment {
            try openSegment.synchronize()
        }
        openSegmentDirty = false
    }

    /// Later writes go to files of `timeline` (after a timeline switch). Flushes first.
    public func switchTimeline(to timeline: TimelineID) throws(WALError) {
        try closeSegment()
        segments = SegmentDirectory(path: segments.path, timeline: timeline, segmentSize: segmentSize,
                                    synchronizes: segments.synchronizes)
    }

    /// Flushes and closes the open segment.
    public func close() throws(WALError) {
        try closeSegment()
    }

    private func segment(_ segmentNumber: UInt64) throws(WALError) -> SegmentFile {
        if let openSegment, openSegment.segmentNumber == segmentNumber { return openSegment }
        try closeSegment()
        let file = try segments.openForWriting(segmentNumber).file
        openSegment = file
        return file
    }

    private func closeSegment() throws(WALError) {
        guard let file = openSegment else { return }
        try flush()
        openSegment = nil
        try file.close()
    }
}
