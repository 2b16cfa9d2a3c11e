// SegmentFile: one open file of pg_wal/, with positioned reads and writes that handle short
// transfers and EINTR, and fdatasync.
//
// Offsets are inside the file (0 ..< segmentSize); the stream position is the segment's start
// LSN plus that offset. Errors name the file and offset.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

final class SegmentFile {
    let path: String
    let segmentNumber: UInt64
    private(set) var descriptor: Int32

    private init(path: String, segmentNumber: UInt64, descriptor: Int32) {
        self.path = path
        self.segmentNumber = segmentNumber
        self.descriptor = descriptor
    }

    deinit {
        if descriptor >= 0 {
            _ = closeDescriptor(descriptor)
        }
    }

    /// Opens an existing segment; nil if it does not exist.
    static func openIfExists(path: String, segmentNumber: UInt64, writable: Bool) throws(WALError) -> SegmentFile? {
        let flags = (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC
        let descriptor = open(path, flags)
        if descriptor < 0 {
            if errno == ENOENT { return nil }
            throw WALError.system("open", file: path)
        }
        return SegmentFile(path: path, segmentNumber: segmentNumber, descriptor: descriptor)
    }

    /// Creates (truncating) a file for writing, mode 0600 like PostgreSQL's data files.
    static func create(path: String, segmentNumber: UInt64) throws(WALError) -> SegmentFile {
        let descriptor = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, S_IRUSR | S_IWUSR)
        if descriptor < 0 {
            throw WALError.system("create", file: path)
        }
        return SegmentFile(path: path, segmentNumber: segmentNumber, descriptor: descriptor)
    }

    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(WALError) {
        var done = 0
        while done < bytes.count {
            guard let base = bytes.baseAddress else { return }
            let result = pwrite(descriptor, base + done, bytes.count - done, off_t(offset + done))
            if result < 0 {
                if errno == EINTR { continue }
                throw WALError.system("write to", file: path, offset: Int64(offset + done))
            }
            if result == 0 {
                throw WALError(.io, "could not write to file \"\(path)\" at offset \(offset + done): wrote 0 bytes",
                               file: path, offset: Int64(offset + done))
            }
            done += result
        }
    }

    /// Reads up to `buffer.count` bytes at `offset`; returns how many were read (fewer only at the
    /// end of the file).
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(WALError) -> Int {
        var done = 0
        while done < buffer.count {
            guard let base = buffer.baseAddress else { return 0 }
            let result = pread(descriptor, base + done, buffer.count - done, off_t(offset + done))
            if result < 0 {
                if errno == EINTR { continue }
                throw WALError.system("read", file: path, offset: Int64(offset + done))
            }
            if result == 0 { break }
            done += result
        }
        return done
    }

    /// fdatasync: the written bytes (and the metadata needed to read them back) reach the disk.
    func synchronize() throws(WALError) {
        while fdatasync(descriptor) != 0 {
            if errno == EINTR { continue }
            throw WALError.system("fdatasync", file: path)
        }
    }

    func close() throws(WALError) {
        guard descriptor >= 0 else { return }
        let result = closeDescriptor(descriptor)
        descriptor = -1
        if result != 0 {
            throw WALError.system("close", file: path)
        }
    }
}

/// close(2), named so that SegmentFile.close() does not shadow it.
private func closeDescriptor(_ descriptor: Int32) -> Int32 {
    close(descriptor)
}
