// WALWriter: appends records to the WAL and makes them durable, with group commit.
//
// Inserting and writing are separate steps, as in PostgreSQL:
//
//   insert ──► wal_buffers (memory) ──write──► segment files (kernel) ──fdatasync──► disk
//              bufferStart ... insertLSN       writtenLSN                          flushedLSN
//
// * insert(...) copies the record into the in-memory buffer under a short lock and returns its
//   start and end LSNs. It does I/O only when the buffer is full (then the inserter writes the
//   buffer out itself, without fdatasync).
// * flush(upTo:) is group commit. The first caller that finds no I/O in progress becomes the
//   flusher: it takes the WHOLE buffer (every record inserted so far, not only its own), writes it
//   and calls fdatasync once, with the lock released. Callers arriving meanwhile sleep on the
//   condition variable; when the flusher finishes, those it covered return, and one of the others
//   becomes the next flusher for everything inserted during the previous fdatasync.
//
// Invariants (all under `lock`):
//   flushedLSN <= writtenLSN <= bufferStart <= insertLSN, and writtenLSN == bufferStart
//   whenever no write is in progress (during one, the bytes in between are in flight)
//   buffer holds exactly the stream bytes [bufferStart, insertLSN)
//   at most one thread does I/O at a time (`ioInProgress`); only it touches segment files, and it
//   hands the buffer it took back as `spareBuffer`, so the two buffers are reused forever.
// After a failed write or fdatasync the writer refuses all further work (like PostgreSQL's PANIC):
// after a failed fdatasync nobody knows what reached the disk.

import Logging

public final class WALWriter: @unchecked Sendable {
    public let configuration: WALConfiguration
    /// Set once, by init or (after recovery) by startWriting, before any I/O.
    private var segments: SegmentDirectory
    private let logger: Logger
    private let lock = ConditionLock()

    // Guarded by `lock`.
    private var buffer: [UInt8]
    private var spareBuffer: [UInt8]
    private var bufferStart: LSN
    private var insertPosition: LSN
    private var lastRecordStart: LSN
    private var writtenPosition: LSN
    private var flushedPosition: LSN
    private var ioInProgress = false
    private var failure: WALError?
    private var closed = false
    /// What checkUsable says once `closed` is set.
    private var closedMessage = "WAL writer is closed"
    private var counters = WALStatistics()
    private var currentTimeline: TimelineID

    // Touched only by the thread that set `ioInProgress`.
    private var currentSegment: SegmentFile?
    private var unsynchronizedSegments: [SegmentFile] = []

    /// Opens pg_wal/ for appending at `end` (the end of valid WAL found by recovery, or the first
    /// record position after initdb), `previousRecord` being the start of the last valid record.
    ///
    /// Everything after `end` is wiped first: the rest of its segment is zeroed and later segment
    /// files of this timeline are removed. Bytes there were written before a crash but never made
    /// it into valid WAL; if left, a record written now could, by chance of equal lengths, be
    /// followed by an old record whose xl_prev happens to match, and the reader would resurrect it.
    public init(directory: String, timeline: TimelineID, end: LSN, previousRecord: LSN,
                configuration: WALConfiguration, logger: Logger) throws {
        guard WALFileName.isValidSegmentSize(configuration.segmentSize) else {
            throw WALError(.invalidArgument,
                           "invalid WAL segment size \(configuration.segmentSize): must be a power of two from 1 MB to 1 GB")
        }
        guard end.isValid, WALRecordHeader.aligned(end) == end else {
            throw WALError(.invalidArgument, "invalid WAL insert position \(end): must be non-zero and 8-byte aligned")
        }
        currentTimeline = timeline
        self.configuration = configuration
        self.logger = logger
        segments = SegmentDirectory(path: directory, timeline: timeline,
                                    segmentSize: configuration.segmentSize, synchronizes: configuration.fsync)
        let capacity = max(configuration.walBuffers, WALRecordHeader.size)
        buffer = []
        buffer.reserveCapacity(capacity)
        spareBuffer = []
        spareBuffer.reserveCapacity(capacity)
        bufferStart = end
        insertPosition = end
        lastRecordStart = previousRecord
        writtenPosition = end
        flushedPosition = end

        do {
            try segments.ensureExists()
            try segments.removeTemporaryFiles()
            try discardTail(after: end)
        } catch {
            closed = true  // nothing to flush; keeps deinit from warning
            throw error
        }
        logger.debug("WAL writer opened", metadata: ["timeline": "\(timeline)", "end": "\(end)"])
    }

    /// A stand-in for a server still in recovery (a standby): it reports `position` as every LSN and
    /// refuses inserts and flushes, like PostgreSQL's "cannot make new WAL entries during recovery".
    /// It touches no file: until promotion, pg_wal belongs to the WAL receiver and to replay, and
    /// promotion makes it write the new timeline (startWriting).
    public init(inRecoveryAt position: LSN, timeline: TimelineID, configuration: WALConfiguration, logger: Logger) {
        currentTimeline = timeline
        self.configuration = configuration
        self.logger = logger
        segments = SegmentDirectory(path: "", timeline: timeline, segmentSize: configuration.segmentSize,
                                    synchronizes: false)
        buffer = []
        spareBuffer = []
        bufferStart = position
        insertPosition = position
        lastRecordStart = .invalid
        writtenPosition = position
        flushedPosition = position
        closed = true
        closedMessage = "cannot make new WAL entries during recovery"
    }

    /// Promotion: a writer made by init(inRecoveryAt:) starts appending to `timeline` at `end`
    /// (the switch point), after the tail of that segment is wiped as in init.
    public func startWriting(directory: String, timeline: TimelineID, end: LSN, previousRecord: LSN) throws {
        guard end.isValid, WALRecordHeader.aligned(end) == end else {
            throw WALError(.invalidArgument, "invalid WAL insert position \(end): must be non-zero and 8-byte aligned")
        }
        lock.lock()
        defer { lock.unlock() }
        guard closed, failure == nil, segments.path.isEmpty else {
            throw WALError(.invalidArgument, "the WAL writer is already writing")
        }
        currentTimeline = timeline
        segments = SegmentDirectory(path: directory, timeline: timeline, segmentSize: configuration.segmentSize,
                                    synchronizes: configuration.fsync)
        bufferStart = end
        insertPosition = end
        lastRecordStart = previousRecord
        writtenPosition = end
        flushedPosition = end
        try segments.ensureExists()
        try segments.removeTemporaryFiles()
        try discardTail(after: end)
        closed = false
        closedMessage = "WAL writer is closed"
        logger.debug("WAL writer opened", metadata: ["timeline": "\(timeline)", "end": "\(end)"])
    }

    deinit {
        if !closed {
            logger.warning("WAL writer released without close(); unflushed WAL is lost")
        }
    }

    // MARK: Inserting

    /// Appends a record and returns where it starts and where the next one will start.
    @discardableResult
    public func insert(_ rmid: ResourceManagerID, info: UInt8, xid: TransactionID,
                       payload: UnsafeRawBufferPointer) throws -> (start: LSN, end: LSN) {
        let totalLength = WALRecordHeader.size + payload.count
        guard totalLength <= WALRecordHeader.maximumTotalLength else {
            throw WALError(.invalidArgument,
                           "WAL record would be \(totalLength) bytes; the maximum is \(WALRecordHeader.maximumTotalLength)")
        }
        let payloadCRC = CRC32C.checksum(payload)
        let alignedLength = WALRecordHeader.aligned(totalLength)

        lock.lock()
        defer { lock.unlock() }
        try checkUsable()
        while !buffer.isEmpty && buffer.count + alignedLength > configuration.walBuffers {
            try writeOutLocked(synchronize: false, reason: .buffersFull)
        }

        let start = insertPosition
        let header = WALRecordHeader(totalLength: UInt32(totalLength), xid: xid, previous: lastRecordStart,
                                     info: info, resourceManager: rmid, crc: 0)
        let headerOffset = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: WALRecordHeader.size))
        buffer.append(contentsOf: payload)
        buffer.append(contentsOf: repeatElement(0, count: alignedLength - totalLength))
        buffer.withUnsafeMutableBytes { bytes in
            let headerBytes = UnsafeMutableRawBufferPointer(
                rebasing: bytes[headerOffset..<headerOffset + WALRecordHeader.size])
            header.encode(into: headerBytes)
            let crc = WALRecordHeader.recordCRC(payloadCRC: payloadCRC,
                                                encodedHeader: UnsafeRawBufferPointer(headerBytes))
            headerBytes.storeBytes(of: crc.littleEndian, toByteOffset: 20, as: UInt32.self)
        }
        insertPosition = start.advanced(by: UInt64(alignedLength))
        lastRecordStart = start
        counters.records += 1
        counters.bytes += alignedLength
        return (start, insertPosition)
    }

    @discardableResult
    public func insert(_ rmid: ResourceManagerID, info: UInt8, xid: TransactionID,
                       payload: [UInt8]) throws -> (start: LSN, end: LSN) {
        try payload.withUnsafeBytes { try insert(rmid, info: info, xid: xid, payload: $0) }
    }

    // MARK: Flushing

    /// Returns once everything before `lsn` is on disk (or, under fsync = off, in the kernel).
    /// Concurrent callers share one write and one fdatasync.
    public func flush(upTo lsn: LSN) throws {
        lock.lock()
        defer { lock.unlock() }
        while true {
            try checkUsable()
            if flushedPosition >= lsn { return }
            guard lsn <= insertPosition else {
                throw WALError(.invalidArgument,
                               "WAL flush request \(lsn) is not satisfied --- inserted only to \(insertPosition)")
            }
            if ioInProgress {
                lock.wait()
                continue
            }
            try writeOutLocked(synchronize: true, reason: .flush)
        }
    }

    /// The timeline records are written on.
    public var timeline: TimelineID { lock.withLock { currentTimeline } }
    /// End of the last inserted record (where the next one starts).
    public var insertLSN: LSN { lock.withLock { insertPosition } }
    /// Everything before it is on disk.
    public var flushedLSN: LSN { lock.withLock { flushedPosition } }
    /// Everything before it has been handed to the kernel.
    public var writtenLSN: LSN { lock.withLock { writtenPosition } }
    /// Counters in the manner of pg_stat_wal.
    public var statistics: WALStatistics { lock.withLock { counters } }

    /// Blocks until flushedLSN > lsn or the timeout passes; returns flushedLSN (for WAL senders).
    public func waitForFlush(beyond lsn: LSN, timeout: Duration) -> LSN {
        let deadline = ConditionLock.Deadline.after(timeout)
        lock.lock()
        defer { lock.unlock() }
        while flushedPosition <= lsn && !closed && failure == nil {
            if !lock.wait(until: deadline) { break }
        }
        return flushedPosition
    }

    // MARK: Segments

    /// Removes (or recycles) segment files that end at or before `lsn` (after a checkpoint).
    /// The segment being written and later ones are never touched.
    public func removeSegments(endingAtOrBefore lsn: LSN) throws {
        lock.lock()
        while ioInProgress { lock.wait() }
        do { try checkUsable() } catch { lock.unlock(); throw error }
        ioInProgress = true
        let writeSegment = WALFileName.segmentNumber(of: writtenPosition, segmentSize: configuration.segmentSize)
        lock.unlock()

        var recycled = 0
        let result = Result { () throws(WALError) in
            let limit = min(WALFileName.segmentNumber(of: lsn, segmentSize: configuration.segmentSize), writeSegment)
            let existing = try segments.segmentNumbers()
            var nextFuture = max(existing.last ?? writeSegment, writeSegment) + 1
            var future = existing.filter { $0 > writeSegment }.count
            for number in existing where number < limit {
                if future < configuration.recycledSegmentsMaximum {
                    try segments.recycle(number, as: nextFuture)
                    logger.debug("recycled WAL segment", metadata: [
                        "from": "\(segments.fileName(of: number))", "to": "\(segments.fileName(of: nextFuture))"])
                    nextFuture += 1
                    future += 1
                    recycled += 1
                } else {
                    try segments.remove(number)
                    logger.debug("removed WAL segment", metadata: ["file": "\(segments.fileName(of: number))"])
                }
            }
            try segments.synchronizeDirectory()
        }

        lock.lock()
        defer { lock.unlock() }
        counters.segmentsRecycled += recycled
        ioInProgress = false
        lock.broadcast()
        try result.get()
    }

    /// Writes and fdatasyncs everything inserted, closes the segment files; later calls fail,
    /// except close() itself, which does nothing the second time.
    public func close() throws {
        if lock.withLock({ closed }) { return }
        try flush(upTo: insertLSN)
        lock.lock()
        while ioInProgress { lock.wait() }
        closed = true
        lock.broadcast()
        lock.unlock()
        let open = unsynchronizedSegments + (currentSegment.map { [$0] } ?? [])
        unsynchronizedSegments = []
        currentSegment = nil
        for file in open {
            try file.close()
        }
    }

    // MARK: Internals

    private enum WriteReason { case flush, buffersFull }

    private func checkUsable() throws {
        if let failure {
            throw WALError(.unavailable, "WAL writer is unusable after an earlier failure: \(failure.message)",
                           file: failure.file, offset: failure.offset)
        }
        if closed {
            throw WALError(.unavailable, closedMessage)
        }
    }

    /// Called and returns with `lock` held, and only when no I/O is in progress (waits otherwise).
    /// Takes the whole buffer, writes it with the lock released, fdatasyncs if asked.
    private func writeOutLocked(synchronize: Bool, reason: WriteReason) throws {
        while ioInProgress {
            lock.wait()
            try checkUsable()
        }
        ioInProgress = true
        var taken: [UInt8] = []
        swap(&taken, &buffer)
        swap(&buffer, &spareBuffer)
        let start = bufferStart
        let end = insertPosition
        bufferStart = end
        if reason == .buffersFull { counters.buffersFull += 1 }
        lock.unlock()

        var io = WALStatistics()
        var ioFailure: WALError?
        do {
            if !taken.isEmpty {
                try taken.withUnsafeBytes { try writeToSegments($0, at: start, io: &io) }
            }
            if synchronize && configuration.fsync {
                try synchronizeSegments(io: &io)
            }
        } catch {
            ioFailure = error as? WALError ?? WALError(.io, "\(error)")
        }

        lock.lock()
        taken.removeAll(keepingCapacity: true)
        spareBuffer = taken
        ioInProgress = false
        counters.writes += io.writes
        counters.syncs += io.syncs
        counters.segmentsCreated += io.segmentsCreated
        defer { lock.broadcast() }
        if let ioFailure {
            failure = ioFailure
            logger.critical("WAL write failed; the WAL writer stops", metadata: ["error": "\(ioFailure)"])
            throw ioFailure
        }
        writtenPosition = end
        if synchronize || !configuration.fsync {
            flushedPosition = max(flushedPosition, end)
        }
    }

    /// Writes stream bytes starting at `start`, crossing into new segment files as needed.
    private func writeToSegments(_ bytes: UnsafeRawBufferPointer, at start: LSN,
                                 io: inout WALStatistics) throws(WALError) {
        let segmentSize = UInt64(configuration.segmentSize)
        var offset = 0
        var position = start.value
        while offset < bytes.count {
            let number = position / segmentSize
            let inSegment = Int(position % segmentSize)
            let count = min(configuration.segmentSize - inSegment, bytes.count - offset)
            let file = try segmentForWriting(number, io: &io)
            try file.write(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count]), at: inSegment)
            if !unsynchronizedSegments.contains(where: { $0 === file }) {
                unsynchronizedSegments.append(file)
            }
            offset += count
            position += UInt64(count)
        }
        io.writes += 1
    }

    private func segmentForWriting(_ number: UInt64, io: inout WALStatistics) throws(WALError) -> SegmentFile {
        if let currentSegment, currentSegment.segmentNumber == number {
            return currentSegment
        }
        if let previous = currentSegment, !unsynchronizedSegments.contains(where: { $0 === previous }) {
            try previous.close()
        }
        let (file, created) = try segments.openForWriting(number)
        if created { io.segmentsCreated += 1 }
        currentSegment = file
        return file
    }

    /// One fdatasync per segment file written since the last one (usually exactly one file).
    private func synchronizeSegments(io: inout WALStatistics) throws(WALError) {
        for file in unsynchronizedSegments {
            try file.synchronize()
            io.syncs += 1
            if file !== currentSegment {
                try file.close()
            }
        }
        unsynchronizedSegments.removeAll(keepingCapacity: true)
    }

    /// Zeroes the rest of the segment holding `end` and removes this timeline's later segments.
    private func discardTail(after end: LSN) throws {
        let segmentSize = configuration.segmentSize
        let number = WALFileName.segmentNumber(of: end, segmentSize: segmentSize)
        let (file, created) = try segments.openForWriting(number)
        if created {
            counters.segmentsCreated += 1
        } else if try segments.zeroNonZeroChunks(of: file, from: Int(end.value % UInt64(segmentSize))),
                  configuration.fsync {
            try file.synchronize()
        }
        currentSegment = file
        var removed: [String] = []
        for later in try segments.segmentNumbers() where later > number {
            try segments.remove(later)
            removed.append(segments.fileName(of: later))
        }
        if !removed.isEmpty {
            logger.info("removed WAL segments after the end of valid WAL", metadata: ["files": "\(removed)"])
            try segments.synchronizeDirectory()
        }
    }
}
