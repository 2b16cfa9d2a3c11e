// SegmentDirectory: the pg_wal/ folder of one timeline: where each segment lives, creating new
// segments zero-filled, recycling old ones, listing and removing them.
//
// A new segment is written full of zeros under a temporary name, fsynced, then renamed into place
// and the directory fsynced (PostgreSQL's XLogFileInit). So a segment either exists with its full
// length or not at all, and later fdatasyncs never have to allocate blocks. Zeros matter to the
// reader: a record length of 0 is where valid WAL ends.
//
// A recycled segment is an old one renamed to a future name: it still holds records from its old
// place in the stream. The reader cannot mistake them for new ones, because each record's xl_prev
// names the LSN of the record before it, and old records point into old LSNs.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct SegmentDirectory {
    let path: String
    let timeline: TimelineID
    let segmentSize: Int
    /// false under fsync = off: no fsync of zero-filled files or of the directory either.
    let synchronizes: Bool


    func fileName(of segmentNumber: UInt64) -> String {
        WALFileName.segment(timeline: timeline, segmentNumber: segmentNumber, segmentSize: segmentSize)
    }

    func filePath(of segmentNumber: UInt64) -> String {
        path + "/" + fileName(of: segmentNumber)
    }

    /// Creates pg_wal/ if it is missing.
    func ensureExists() throws(WALError) {
        if mkdir(path, S_IRWXU) != 0 && errno != EEXIST {
            throw WALError.system("create directory", file: path)
        }
    }

    /// The segment open for writing: the existing (possibly recycled) file, or a new zero-filled
    /// one. `created` says which.
    func openForWriting(_ segmentNumber: UInt64) throws(WALError) -> (file: SegmentFile, created: Bool) {
        let target = filePath(of: segmentNumber)
        if let file = try SegmentFile.openIfExists(path: target, segmentNumber: segmentNumber, writable: true) {
            return (file, false)
        }
        let temporary = path + "/" + SegmentDirectory.temporaryPrefix + "\(getpid())"
        let file = try SegmentFile.create(path: temporary, segmentNumber: segmentNumber)
        try writeZeros(into: file, from: 0)
        if synchronizes {
            try file.synchronize()
        }
        if rename(temporary, target) != 0 {
            throw WALError.system("rename", file: temporary)
        }
        try synchronizeDirectory()
        return (file, true)
    }

    /// Overwrites the file with zeros from `offset` to the end of the segment.
    func writeZeros(into file: SegmentFile, from offset: Int) throws(WALError) {
        let zeros = ZeroChunk()
        var position = offset
        while position < segmentSize {
            let count = min(zeros.bytes.count, segmentSize - position)
            try file.write(UnsafeRawBufferPointer(rebasing: zeros.bytes[0..<count]), at: position)
            position += count
        }
    }

    /// Like writeZeros, but reads first and rewrites only the chunks that are not already zero
    /// (usually none: opening a cleanly closed WAL then costs reads from the page cache, not a
    /// 16 MiB write). Returns whether anything was written.
    func zeroNonZeroChunks(of file: SegmentFile, from offset: Int) throws(WALError) -> Bool {
        let zeros = ZeroChunk()
        let contents = UnsafeMutableRawBufferPointer.allocate(byteCount: zeros.bytes.count, alignment: 16)
        defer { contents.deallocate() }
        guard let contentsBase = contents.baseAddress, let zerosBase = zeros.bytes.baseAddress else { return false }
        var wrote = false
        var position = offset
        while position < segmentSize {
            let count = min(zeros.bytes.count, segmentSize - position)
            let got = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: contents[0..<count]), at: position)
            if got < count || memcmp(contentsBase, zerosBase, count) != 0 {
                try file.write(UnsafeRawBufferPointer(rebasing: zeros.bytes[0..<count]), at: position)
                wrote = true
            }
            position += count
        }
        return wrote
    }

    /// Segment numbers of this timeline's segment files, ascending.
    func segmentNumbers() throws(WALError) -> [UInt64] {
        try fileNames().compactMap { name in
            guard let parsed = WALFileName.parseSegment(name, segmentSize: segmentSize),
                  parsed.timeline == timeline
            else { return nil }
            return parsed.segmentNumber
        }.sorted()
    }

    /// Removes `xlogtemp.*` files left by a process killed while creating a segment.
    func removeTemporaryFiles() throws(WALError) {
        for name in try fileNames() where name.hasPrefix(SegmentDirectory.temporaryPrefix) {
            let target = path + "/" + name
            if unlink(target) != 0 && errno != ENOENT {
                throw WALError.system("remove", file: target)
            }
        }
    }

    private static let temporaryPrefix = "xlogtemp."

    /// Every name in the directory (segments, history files, temporary files).
    func fileNames() throws(WALError) -> [String] {
        guard let stream = opendir(path) else {
            throw WALError.system("open directory", file: path)
        }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            names.append(withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            })
        }
        return names
    }

    func remove(_ segmentNumber: UInt64) throws(WALError) {
        let target = filePath(of: segmentNumber)
        if unlink(target) != 0 && errno != ENOENT {
            throw WALError.system("remove", file: target)
        }
    }

    /// Renames an old segment to a future segment's name, keeping its blocks allocated.
    func recycle(_ segmentNumber: UInt64, as newSegmentNumber: UInt64) throws(WALError) {
        let source = filePath(of: segmentNumber)
        if rename(source, filePath(of: newSegmentNumber)) != 0 {
            throw WALError.system("rename", file: source)
        }
    }

    /// fsync of the directory itself: makes created, renamed and removed names durable.
    func synchronizeDirectory() throws(WALError) {
        guard synchronizes else { return }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            throw WALError.system("open directory", file: path)
        }
        defer { close(descriptor) }
        if fsync(descriptor) != 0 {
            throw WALError.system("fsync directory", file: path)
        }
    }
}

/// A 1 MiB buffer of zeros, the unit in which segments are zero-filled.
private final class ZeroChunk {
    static let byteCount = 1 << 20
    let bytes: UnsafeMutableRawBufferPointer

    init() {
        bytes = .allocate(byteCount: ZeroChunk.byteCount, alignment: 16)
        bytes.initializeMemory(as: UInt8.self, repeating: 0)
    }

    deinit {
        bytes.deallocate()
    }
}
