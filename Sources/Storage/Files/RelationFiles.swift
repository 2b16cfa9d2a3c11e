// Storage: the relation files under base/<databaseOID>/, page-granular I/O on them (PostgreSQL's smgr/md.c).
//
// One file per relation, named by its RelationID, made of `pageSize` pages; no segmenting at 1 GiB.
// The page count of each open relation is cached here and is the truth for the buffer pool: a page
// is counted as soon as `extend` reserves it (its zero image is written at once, so the file's size
// never lags behind the count). Checksums are stamped and verified by the buffer pool, not here.
//
// Locking (every heap fetch asks for the page count, and pages are read and written all the time,
// so nothing here may serialize unrelated work):
//  - `files`, a mutex, guards only the table of open files; nobody does I/O under it.
//  - each OpenFile has a reader-writer lock: pread and pwrite hold it shared, so they run in
//    parallel; extend, truncate and close hold it exclusive. So a descriptor is never closed (and
//    its number reused by another open) under a read or write in flight, a write never lands past
//    the end of a truncated file, and two extenders never reserve the same page. A checkpoint's
//    fsync goes through a dup() of the descriptor and holds no lock while the disk works.
//  - the page count is an atomic: reading it takes no lock at all. It changes only under the
//    exclusive lock.
// Lock order: `files` before an OpenFile's lock, never the reverse.
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

final class RelationFiles: @unchecked Sendable {
    let directory: String          // base/<databaseOID>

    /// One open relation file. `closed` is set (under the exclusive lock) when it leaves the table.
    private final class OpenFile: @unchecked Sendable {
        let descriptor: Int32
        let pageCount: Atomic<Int>
        let lock = ContentLock(preferWriters: true)
        var closed = false

        init(descriptor: Int32, pageCount: Int) {
            self.descriptor = descriptor
            self.pageCount = Atomic(pageCount)
        }

        /// Runs `body` with the file locked in `mode`; nil if the file was closed meanwhile.
        @discardableResult
        func withLock<T>(_ mode: LockMode, _ body: () throws -> T) rethrows -> T? {
            lock.lock(mode)
            defer { lock.unlock() }
            return closed ? nil : try body()
        }

        /// Closes the descriptor once no I/O is in flight on it.
        func close() {
            lock.lock(.exclusive)
            defer { lock.unlock() }
            if !closed { _ = Glibc.close(descriptor) }
            closed = true
        }
    }
    private let files = PThreadMutex<[RelationID: OpenFile]>([:])

    init(directory: String) { self.directory = directory }

    func path(_ rel: RelationID) -> String { directory + "/" + String(rel.value) }

    /// An open file exists (only `remove` unlinks, and it closes the file first, under the same
    /// lock), so only a relation not opened yet costs a path and an access(2) — redo asks for
    /// every page it touches.
    func exists(_ rel: RelationID) -> Bool {
        files.withLock { table in table[rel] != nil || access(path(rel), F_OK) == 0 }
    }

    /// Creates an empty file for `rel` (no error if it exists: redo may create it again).
    func create(_ rel: RelationID) throws {
        let fd = open(path(rel), O_RDWR | O_CREAT, 0o600)
        guard fd >= 0 else { throw StorageError.io("create", path: path(rel), errno: errno) }
        close(fd)
    }

    /// Number of pages of `rel`, including pages reserved by `extend` and not yet written.
    func pageCount(_ rel: RelationID) throws -> Int {
        try openFile(rel).pageCount.load(ordering: .acquiring)
    }

    /// Reserves the next page number and writes a zero page there. The page is counted only once
    /// its zeros are written (under the file's exclusive lock), so nobody can read it, change it
    /// and write it back before the zeros land on top.
    func extend(_ rel: RelationID) throws -> PageNumber {
        while true {
            let file = try openFile(rel)
            let number = try file.withLock(.exclusive) { () throws -> PageNumber in
                let count = file.pageCount.load(ordering: .relaxed)
                let number = PageNumber(UInt32(count))
                try Self.zeroPage.withUnsafeBytes { try write(fd: file.descriptor, rel: rel, page: number, $0) }
                file.pageCount.store(count + 1, ordering: .releasing)
                return number
            }
            if let number { return number }       // else closed under us (closeAll): open again
        }
    }

    private static let zeroPage = [UInt8](repeating: 0, count: pageSize)

    /// Makes sure pages 0...page exist (redo of a change to a page past the end of the file).
    func extendIfNeeded(_ rel: RelationID, toInclude page: PageNumber) throws {
        while try pageCount(rel) <= Int(page.value) { _ = try extend(rel) }
    }

    func read(_ rel: RelationID, _ page: PageNumber, into buffer: UnsafeMutableRawBufferPointer) throws {
        guard let base = buffer.baseAddress, buffer.count == pageSize else { preconditionFailure("a page buffer is \(pageSize) bytes") }
        while true {
            let file = try openFile(rel)
            let done = try file.withLock(.shared) { () throws -> Bool in
                var done = 0
                while done < pageSize {
                    let n = pread(file.descriptor, base + done, pageSize - done, off_t(Int(page.value) * pageSize + done))
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw StorageError.io("read block \(page.value) in", path: path(rel), errno: errno)
                    }
                    if n == 0 {   // past the end of the file: a page reserved but lost (e.g. after a crash)
                        (base + done).initializeMemory(as: UInt8.self, repeating: 0, count: pageSize - done)
                        return true
                    }
                    done += n
                }
                return true
            }
            if done != nil { return }
        }
    }

    /// Writes a page back. A page of a relation dropped or truncated since it was cached is
    /// skipped: the check and the write happen under the file's lock, which truncate and remove
    /// take exclusively, so a stale page can never reappear past the end of a truncated file (and
    /// rows come back to life after a restart).
    func write(_ rel: RelationID, _ page: PageNumber, _ buffer: UnsafeRawBufferPointer) throws {
        guard let file = try openFileIfExists(rel) else { return }                  // dropped
        try file.withLock(.shared) { () throws in
            guard Int(page.value) < file.pageCount.load(ordering: .relaxed) else { return }   // truncated away
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
        let file = try openFile(rel)
        try file.withLock(.exclusive) { () throws in
            guard ftruncate(file.descriptor, off_t(pages * pageSize)) == 0 else {
                throw StorageError.io("truncate", path: path(rel), errno: errno)
            }
            file.pageCount.store(pages, ordering: .releasing)
        }
    }

    /// Closes and unlinks the file (missing is fine: redo may drop it twice).
    func remove(_ rel: RelationID) {
        files.withLock { table in
            table.removeValue(forKey: rel)?.close()
            unlink(path(rel))
        }
    }

    /// fsync every open relation file (checkpoint). Each fsync goes through a duplicate of the
    /// descriptor, so no lock is held while it waits for the disk.
    func syncAll() throws {
        let open = files.withLock { table in Array(table) }
        for (rel, file) in open {
            guard let fd = file.withLock(.shared, { dup(file.descriptor) }) else { continue }   // dropped
            guard fd >= 0 else { throw StorageError.io("fsync", path: path(rel), errno: errno) }
            defer { close(fd) }
            guard fsync(fd) == 0 else { throw StorageError.io("fsync", path: path(rel), errno: errno) }
        }
    }

    func closeAll() {
        files.withLock { table in
            for file in table.values { file.close() }
            table.removeAll()
        }
    }

    /// The open file of `rel`, opening it (and counting its pages) on first use.
    private func openFile(_ rel: RelationID) throws -> OpenFile {
        try files.withLock { table throws -> OpenFile in
            if let file = table[rel] { return file }
            return try openAndCount(rel, into: &table)
        }
    }

    /// Like openFile, but nil (rather than an error) if the relation's file does not exist.
    private func openFileIfExists(_ rel: RelationID) throws -> OpenFile? {
        try files.withLock { table throws -> OpenFile? in
            if let file = table[rel] { return file }
            guard access(path(rel), F_OK) == 0 else { return nil }
            return try openAndCount(rel, into: &table)
        }
    }

    private func openAndCount(_ rel: RelationID, into table: inout [RelationID: OpenFile]) throws -> OpenFile {
        let path = path(rel)
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
