// SegmentCursor: reads byte ranges of the WAL stream, whatever segment files they fall in.
//
// It keeps the current segment file open and reads ahead in chunks, so that walking thousands of
// small records costs a few large preads. A range that reaches a missing segment file, or past
// the end of a short file, is reported as `.missing` (the end of the WAL as far as files go).
// `invalidate()` drops what was read ahead, so that a reader tailing a live WAL sees new bytes.

struct SegmentCursor {
    enum Outcome {
        case complete
        /// The byte at `lsn` is in no file (missing segment, or a file shorter than a segment).
        case missing(file: String, offset: Int, lsn: LSN)
    }

    let segments: SegmentDirectory
    /// Bytes read per pread when the next bytes are not already in memory.
    private static let readAheadBytes = 128 * 1024

    private var file: SegmentFile?
    /// Read-ahead buffer; its first `chunkCount` bytes are the stream bytes from `chunkStart`.
    private var chunk = [UInt8](repeating: 0, count: readAheadBytes)
    private var chunkCount = 0
    private var chunkStart = LSN.invalid

    init(segments: SegmentDirectory) {
        self.segments = segments
    }

    mutating func invalidate() {
        chunkCount = 0
        file = nil
    }

    /// Appends `count` stream bytes starting at `lsn` to `output`.
    mutating func read(at lsn: LSN, count: Int, into output: inout [UInt8]) throws -> Outcome {
        var position = lsn
        var remaining = count
        while remaining > 0 {
            if position >= chunkStart && position.value < chunkStart.value + UInt64(chunkCount) {
                let from = Int(position.value - chunkStart.value)
                let take = min(remaining, chunkCount - from)
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
    private mutating func fill(at position: LSN) throws -> Outcome {
        let segmentSize = segments.segmentSize
        let number = WALFileName.segmentNumber(of: position, segmentSize: segmentSize)
        let offset = Int(position.value % UInt64(segmentSize))
        chunkCount = 0
        if file?.segmentNumber != number {
            file = try SegmentFile.openIfExists(path: segments.filePath(of: number), segmentNumber: number,
                                                writable: false)
        }
        guard let file else {
            return .missing(file: segments.fileName(of: number), offset: offset, lsn: position)
        }
        let want = min(chunk.count, segmentSize - offset)
        chunkCount = try chunk.withUnsafeMutableBytes { buffer in
            try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]), at: offset)
        }
        chunkStart = position
        if chunkCount == 0 {
            return .missing(file: segments.fileName(of: number), offset: offset, lsn: position)
        }
        return .complete
    }
}
