// WALSegmentReader: reads flushed WAL bytes for a WAL sender from the segment files in pg_wal/.
//
// The WAL stream position p lives in segment p / segmentSize of the timeline, at offset
// p % segmentSize (WALFileName). One segment stays open between reads. A checkpoint may remove
// or recycle (rename to a future name) a segment while it is open; the bytes read from a
// recycled file could then already be new ones, so after every read the path is checked to
// still name the same file (PostgreSQL checks the same after reading: CheckXLogRemoved).
// Either way the answer is PostgreSQL's `requested WAL segment ... has already been removed`.

#if canImport(Glibc)
import Glibc
#endif
import PGWire
import WAL

final class WALSegmentReader {
    private let walDirectory: String
    private let segmentSize: Int
    private var open: (timeline: TimelineID, segment: UInt64, descriptor: Int32, path: String)?

    init(walDirectory: String, segmentSize: Int) {
        self.walDirectory = walDirectory
        self.segmentSize = segmentSize
    }

    deinit { closeSegment() }

    /// Reads `count` bytes from `start`, never crossing a segment end (the caller asks again for
    /// the rest). `timelines` are the file names to try, in order: the streamed timeline first,
    /// then the ones its history came from (a segment from before a timeline began exists only
    /// under an older timeline's name). `ends` says where an ancestor's WAL ends (its switch
    /// point): its file is used only for bytes before that — past it the file holds WAL the
    /// streamed timeline does not have (the old primary's, in a promoted standby's pg_wal).
    func read(from start: LSN, count: Int, timelines: [TimelineID], ends: [TimelineID: LSN] = [:]) throws(PGError) -> [UInt8] {
        let segment = WALFileName.segmentNumber(of: start, segmentSize: segmentSize)
        let offset = Int(start.value % UInt64(segmentSize))
        var length = min(count, segmentSize - offset)
        var opened: (Int32, String)?
        for timeline in timelines {
            if let end = ends[timeline] {
                guard start < end else { continue }
                length = min(length, Int(end.value - start.value))
            }
            opened = try openSegment(segment, timeline: timeline)
            if opened != nil { break }
            length = min(count, segmentSize - offset)
        }
        let timeline = timelines.first ?? TimelineID.first
        guard let (descriptor, path) = opened else { throw removed(segment, timeline: timeline) }
        var bytes = [UInt8](repeating: 0, count: length)
        var done = 0
        while done < length {
            let got = bytes.withUnsafeMutableBytes { buffer in
                pread(descriptor, buffer.baseAddress! + done, length - done, off_t(offset + done))
            }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else {
                let reason = got < 0 ? String(cString: strerror(errno)) : "read \(done) of \(length) bytes"
                throw PGError(sqlState: "58030", message: "could not read from WAL segment \(path), offset \(offset + done): \(reason)")
            }
            done += got
        }
        guard stillInPlace(descriptor, path: path) else {
            closeSegment()
            throw removed(segment, timeline: timeline)
        }
        return bytes
    }

    func closeSegment() {
        if let open { _ = Glibc.close(open.descriptor) }
        open = nil
    }

    /// The open segment file, or nil if it does not exist under this timeline's name.
    private func openSegment(_ segment: UInt64, timeline: TimelineID) throws(PGError) -> (Int32, String)? {
        if let open, open.segment == segment, open.timeline == timeline { return (open.descriptor, open.path) }
        closeSegment()
        let path = walDirectory + "/" + WALFileName.segment(timeline: timeline, segmentNumber: segment, segmentSize: segmentSize)
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw PGError(sqlState: "58030", message: "could not open file \"\(path)\": \(String(cString: strerror(errno)))")
        }
        open = (timeline, segment, descriptor, path)
        return (descriptor, path)
    }

    private func stillInPlace(_ descriptor: Int32, path: String) -> Bool {
        var opened = stat(), named = stat()
        guard fstat(descriptor, &opened) == 0, stat(path, &named) == 0 else { return false }
        return opened.st_ino == named.st_ino && opened.st_dev == named.st_dev
    }

    private func removed(_ segment: UInt64, timeline: TimelineID) -> PGError {
        let name = WALFileName.segment(timeline: timeline, segmentNumber: segment, segmentSize: segmentSize)
        return PGError(sqlState: "58P01", message: "requested WAL segment \(name) has already been removed")
    }
}
