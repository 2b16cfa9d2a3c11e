// Storage: the relation files under base/<databaseOID>/, page-granular I/O on them (PostgreSQL's smgr/md.c).
//
// One file per relation, named by its RelationID, made of `pageSize` pages; no segmenting at 1 GiB.
// The page count of each open relation is cached here and is the truth for the buffer pool: a page
// is counted as soon as `extend` reserves it (its zero image is written at once, so the file's size
// never lags behind the count). Checksums are stamped and verified by the buffer pool, not here.
// Thread-safe: a mutex guards the table of open files; pread/pwrite on a descriptor need no lock.
#if canImport(Glibc)
import Glibc
#endif

final class RelationFiles: @unchecked Sendable {
    let directory: String          // base/<databaseOID>

    private struct OpenFile { var descriptor: Int32; var pageCount: Int }
    private let files = PThreadMutex<[RelationID: OpenFile]>([:])

    init(directory: String) { self.directory = directory }

    func path(_ rel: RelationID) -> String { directory + "/" + String(rel.value) }

    func exists(_ rel: RelationID) -> Bool { access(path(rel), F_OK) == 0 }

    /// Creates an empty file for `rel` (no error if it exists: redo may create it again).
    func create(_ rel: RelationID) throws {
        let fd = open(path(rel), O_RDWR | O_CREAT, 0o600)
        guard fd >= 0 else { throw StorageError.io("create", path: path(rel), errno: errno) }
        close(fd)
    }

    /// Number of pages of `rel`, including pages reserved by `extend` and not yet written.
    func pageCount(_ rel: RelationID) throws -> Int {
        try withFile(rel) { $0.pageCount }
    }

    /// Reserves the next page number and writes a zero page there. The page is counted only once
    /// its zeros are written (under the table lock), so nobody can read it, change it and write it
    /// back before the zeros land on top.
    func extend(_ rel: RelationID) throws -> PageNumber {
        try withFile(rel) { file in
            let number = PageNumber(UInt32(file.pageCount))
            try Self.zeroPage.withUnsafeBytes { try write(fd: file.descriptor, rel: rel, page: number, $0) }
            file.pageCount += 1
            return number
        }
    }

    private static let zeroPage = [UInt8](repeating: 0, count: pageSize)

    /// Makes sure pages 0...page exist (redo of a change to a page past the end of the file).
    func extendIfNeeded(_ rel: RelationID, toInclude page: PageNumber) throws {
        while try pageCount(rel) <= Int(page.value) { _ = try extend(rel) }
    }

    func read(_ rel: RelationID, _ page: PageNumber, into buffer: UnsafeMutableRawBufferPointer) throws {
        guard let base = buffer.baseAddress, buffer.count == pageSize else { preconditionFailure("a page buffer is \(pageSize) bytes") }
        let fd = try withFile(rel) { $0.descriptor }
        var done = 0
        while done < pageSize {
            let n = pread(fd, base + done, pageSize - done, off_t(Int(page.value) * pageSize + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw StorageError.io("read block \(page.value) in", path: path(rel), errno: errno)
            }
            if n == 0 {   // past the end of the file: a page reserved but lost (e.g. after a crash)
                (base + done).initializeMemory(as: UInt8.self, repeating: 0, count: pageSize - done)
                return
            }
            done += n
        }
    }

    /// Writes a page back. A page of a relation dropped or truncated since it was cached is
    /// skipped: the check and the write happen under the table lock, so a stale page can never
    /// reappear past the end of a truncated file (and rows come back to life after a restart).
    func write(_ rel: RelationID, _ page: PageNumber, _ buffer: UnsafeRawBufferPointer) throws {
        try files.withLock { table throws in
            if table[rel] == nil {
                guard access(path(rel), F_OK) == 0 else { return }      // dropped
            }
            let file = try Self.openFile(rel, path: path(rel), &table)
            guard Int(page.value) < file.pageCount else { return }      // truncated away
            try write(fd: file.descriptor, rel: rel, page: page, buffer)
        }
    }

    private func write(fd: Int32, rel: RelationID, page: PageNumber, _ buffer: UnsafeRawBufferPointer) throws {
        guard let base = buffer.baseAddress, buffer.count == pageSize else { preconditionFailure("a page buffer is \(pageSize) bytes") }
        var done = 0
        while done < pageSize {
            let n = pwrite(fd, base + done, pageSize - done, off_t(Int(page.value) * pageSize + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw StorageError.io("write block \(page.value) in", path: path(rel), errno: errno)
            }
            done += n
        }
    }

    /// Cuts the file to `pages` pages.
    func truncate(_ rel: RelationID, toPages pages: Int) throws {
        try withFile(rel) { file in
            guard ftruncate(file.descriptor, off_t(pages * pageSize)) == 0 else {
                throw StorageError.io("truncate", path: path(rel), errno: errno)
            }
            file.pageCount = pages
        }
    }

    /// Closes and unlinks the file (missing is fine: redo may drop it twice).
    func remove(_ rel: RelationID) {
        files.withLock { table in
            if let file = table.removeValue(forKey: rel) { close(file.descriptor) }
            unlink(path(rel))
        }
    }

    /// fsync every open relation file (checkpoint).
    func syncAll() throws {
        let open = files.withLock { table in table.map { ($0.key, $0.value.descriptor) } }
        for (rel, fd) in open where fsync(fd) != 0 {
            throw StorageError.io("fsync", path: path(rel), errno: errno)
        }
    }

    func closeAll() {
        files.withLock { table in
            for file in table.values { close(file.descriptor) }
            table.removeAll()
        }
    }

    private func withFile<T>(_ rel: RelationID, _ body: (inout OpenFile) throws -> T) throws -> T {
        try files.withLock { table throws -> T in
            var file = try Self.openFile(rel, path: path(rel), &table)
            defer { table[rel] = file }
            return try body(&file)
        }
    }

    /// The open file of `rel`, opening it (and counting its pages) on first use.
    private static func openFile(_ rel: RelationID, path: String, _ table: inout [RelationID: OpenFile]) throws -> OpenFile {
        if let file = table[rel] { return file }
        let fd = Glibc.open(path, O_RDWR)
        guard fd >= 0 else { throw StorageError.io("open", path: path, errno: errno) }
        let size = lseek(fd, 0, SEEK_END)
        let file = OpenFile(descriptor: fd, pageCount: Int(size) / pageSize)
        table[rel] = file
        return file
    }
}

/// fsync a directory so that a create, rename or unlink in it is durable.
func syncDirectory(_ path: String) throws {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw StorageError.io("open directory", path: path, errno: errno) }
    defer { close(fd) }
    guard fsync(fd) == 0 else { throw StorageError.io("fsync directory", path: path, errno: errno) }
}
