// TimelineSwitch: the first segment of a new timeline, made at promotion (PostgreSQL's
// XLogInitNewTimeline).
//
// The new timeline starts at the switch point, which usually lies inside a segment. Its first
// segment file is a copy of the old timeline's segment up to the switch point, and zeros after it:
//
//   00000001000000000000000A   [ records ... | records after the switch point (if any) ]
//   00000002000000000000000A   [ records ... | zeros ......................................]
//                                              ^ switch point: the new timeline writes from here
//
// so a reader of the new timeline finds every record before the switch point in the same file,
// and the old timeline's file stays as it was (a server still on it may go on writing there).
// The copy is made under a temporary name, fsynced, then renamed: it exists whole or not at all.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum TimelineSwitch {
    /// Creates `next`'s segment holding `switchPoint` from `previous`'s. Nothing to copy when the
    /// switch point is a segment's first byte (the writer creates that segment zero-filled).
    public static func copySegmentPrefix(directory: String, from previous: TimelineID, to next: TimelineID,
                                         upTo switchPoint: LSN, segmentSize: Int,
                                         synchronize: Bool = true) throws(WALError) {
        let bytesToCopy = Int(switchPoint.value % UInt64(segmentSize))
        guard bytesToCopy > 0 else { return }
        let number = WALFileName.segmentNumber(of: switchPoint, segmentSize: segmentSize)
        let old = SegmentDirectory(path: directory, timeline: previous, segmentSize: segmentSize, synchronizes: synchronize)
        let new = SegmentDirectory(path: directory, timeline: next, segmentSize: segmentSize, synchronizes: synchronize)
        guard let source = try SegmentFile.openIfExists(path: old.filePath(of: number), segmentNumber: number,
                                                        writable: false) else {
            throw WALError(.io, "could not open file \"\(old.fileName(of: number))\": No such file or directory",
                           file: old.fileName(of: number))
        }
        let temporary = directory + "/xlogtemp.\(getpid())"
        let target = try SegmentFile.create(path: temporary, segmentNumber: number)
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: copyChunkBytes, alignment: 16)
        defer { chunk.deallocate() }
        var offset = 0
        while offset < bytesToCopy {
            let want = min(copyChunkBytes, bytesToCopy - offset)
            let got = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: chunk[0..<want]), at: offset)
            guard got == want else {
                throw WALError(.corrupt, "file \"\(old.fileName(of: number))\" ends at offset \(offset + got), before the switch point \(switchPoint)",
                               file: old.fileName(of: number), offset: Int64(offset + got))
            }
            try target.write(UnsafeRawBufferPointer(rebasing: chunk[0..<want]), at: offset)
            offset += want
        }
        try new.writeZeros(into: target, from: bytesToCopy)
        if synchronize { try target.synchronize() }
        try target.close()
        if rename(temporary, new.filePath(of: number)) != 0 {
            throw WALError.system("rename", file: temporary)
        }
        try new.synchronizeDirectory()
    }

    private static let copyChunkBytes = 1 << 20
}
