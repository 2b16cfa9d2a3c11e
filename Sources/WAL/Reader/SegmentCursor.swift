// SegmentCursor: reads byte ranges of the WAL stream, whatever segment files they fall in.
//
// It keeps the current segment file open and reads ahead in chunks, so that walking thousands of
// small records costs a few large preads. A range that reaches a missing segment file, or past
// the end of a short file, is reported as `.missing` (the end of the WAL as far as files go).
// `invalidate()` drops what was read ahead, so that a reader tailing a live WAL sees new bytes.

struct SegmentCursor {
    enum Outcome: Equatable {
        case complete
        /// The byte at `lsn` is in no file (missing segment, or a file shorter than a segment).
        case missing(file: String, offset: Int, lsn: LSN)
    }

    let segments: SegmentDirectory
    /// Bytes read per pread when the next bytes are not already in memory.
    private static let readAheadBytes = 128 * 1024

    private var file: SegmentFile?
    private var chunk: [UInt8] = []
    /// Stream position of chunk[0].
    private var chunkStart = LSN.invalid

    init(segments: SegmentDirectory) {
        self.segments = segments
    }

    mutating func invalidate() {
        chunk.removeAll(keepingCapacity: true)
        file = nil
    }

    /// Appends `count` stream bytes starting at `lsn` to `output`.
    mutating func read(at lsn: LSN, count: Int, into output: inout [UInt8]) throws(WALError) -> Outcome {
        var position = lsn
        var remaining = count
        while remaining > 0 {
            if position >= chunkStart && position.value < chunkStart.value + UInt64(chunk.count) {
                let from = Int(position.value - chunkStart.value)
                let take = min(remaining, chunk.count - from)
                output.append(contentsOf: chunk[from..<from + take])
                position = position.advanced(by: UInt64(take))
                remaining -= take
                continue
            }
            if case .missing(let name, let offset, let at) = try fill(at: position) {
                return .missing(file: name, offset: offset, lsn: at)
            }
        }
        return .complete
    }

    /// Loads the chunk starting at `position` (up to the end of its segment).
    private mutating func fill(at position: LSN) throws(WALError) -> Outcome {
        let segmentSize = segments.segmentSize
        let number = WALFileName.segmentNumber(of: position, segmentSize: segmentSize)
        let offset = Int(position.value % UInt64(segmentSize))
        if file?.segmentNumber != number {
            file = try SegmentFile.openIfExists(path: segments.filePath(of: number), segmentNumber: number,
                                                writable: false)
        }
        guard let file else {
            chunk.removeAll(keepingCapacity: true)
            return .missing(file: segments.fileName(of: number), offset: offset, lsn: position)
        }
        let want = min(SegmentCursor.readAheadBytes, segmentSize - offset)
        chunk.removeAll(keepingCapacity: true)
        chunk.reserveCapacity(SegmentCursor.readAheadBytes)
        var got = 0
        try chunk.withUnsafeMutableBufferPointerAppending(count: want) { buffer throws(WALError) in
            got = try file.read(into: UnsafeMutableRawBufferPointer(buffer), at: offset)
        }
        chunk.removeLast(want - got)
        chunkStart = position
        if got == 0 {
            return .missing(file: segments.fileName(of: number), offset: offset, lsn: position)
        }
        return .complete
    }
}

extension Array where Element == UInt8 {
    /// Grows the array by `count` zero bytes and lets `body` fill them in place.
    mutating func withUnsafeMutableBufferPointerAppending(
        count: Int, _ body: (UnsafeMutableBufferPointer<UInt8>) throws(WALError) -> Void
    ) throws(WALError) {
        let start = self.count
        append(contentsOf: repeatElement(0, count: count))
        var failure: WALError?
        withUnsafeMutableBufferPointer { all in
            do throws(WALError) {
                try body(UnsafeMutableBufferPointer(rebasing: all[start..<start + count]))
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
    }
}
