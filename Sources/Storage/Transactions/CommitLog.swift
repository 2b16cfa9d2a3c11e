// Storage: the commit log (PostgreSQL's pg_xact, "clog"): two bits per transaction id.
//
//   status bits: 00 in progress | 01 committed | 10 aborted          (PostgreSQL's values)
//
// Kept whole in memory (32 672 xids per 8 KiB page: 256 KiB covers a million transactions) and
// written at checkpoints into pg_xact/XXXX segment files of up to 32 pages each, like PostgreSQL's
// SLRU (a segment is rewritten whole and atomically, so no page is ever torn):
//
//   page:  PageHeader (24 B, kind commitLog, LSN, CRC32C) | status bits for xids page·32672 ...
//
// Durability: commit and abort records are redone into it, so it only has to be as new as the
// checkpoint's redo point; the checkpoint writes it after flushing the WAL past every commit it
// shows (so a file never says committed for a record a crash could lose, even with
// synchronous_commit = off).
#if canImport(Glibc)
import Glibc
#endif
import WAL

public enum TransactionStatus: Sendable { case inProgress, committed, aborted }

final class CommitLog: @unchecked Sendable {
    static let xidsPerByte = 4
    static let xidsPerPage = (pageSize - pageHeaderSize) * xidsPerByte
    /// PostgreSQL's SLRU_PAGES_PER_SEGMENT.
    static let pagesPerSegment = 32

    let directory: String
    private struct State { var bits: [UInt8] = []; var dirtyPages: Set<Int> = [] }
    private let state = PThreadMutex(State())

    init(directory: String) { self.directory = directory }

    func status(of xid: TransactionID) -> TransactionStatus {
        if xid == .bootstrap || xid == .frozen { return .committed }
        if !xid.isNormal { return .aborted }
        let index = Int(xid.value)
        return state.withLock { s in
            let byte = index / Self.xidsPerByte
            guard byte < s.bits.count else { return .inProgress }
            switch (s.bits[byte] >> UInt8(2 * (index % Self.xidsPerByte))) & 0b11 {
            case 0b01: return .committed
            case 0b10: return .aborted
            default: return .inProgress
            }
        }
    }

    /// Sets all of `xids` under one lock: a reader sees a transaction and its subtransactions
    /// committed together or not at all.
    func set(_ xids: [TransactionID], _ status: TransactionStatus) {
        let code: UInt8 = switch status { case .inProgress: 0; case .committed: 0b01; case .aborted: 0b10 }
        state.withLock { s in
            for xid in xids {
                let index = Int(xid.value)
                let byte = index / Self.xidsPerByte
                if byte >= s.bits.count { s.bits.append(contentsOf: repeatElement(0, count: byte - s.bits.count + 4096)) }
                let shift = UInt8(2 * (index % Self.xidsPerByte))
                s.bits[byte] = (s.bits[byte] & ~(0b11 << shift)) | (code << shift)
                s.dirtyPages.insert(index / Self.xidsPerPage)
            }
        }
    }

    private func segmentPath(_ segment: Int) -> String {
        let hex = String(segment, radix: 16, uppercase: true)
        return directory + "/" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// Reads every segment file (startup); each page's checksum is verified.
    func load() throws {
        var segment = 0
        var bits: [UInt8] = []
        let dataBytes = pageSize - pageHeaderSize
        let page = UnsafeMutableRawBufferPointer.allocate(byteCount: pageSize, alignment: 16)
        defer { page.deallocate() }
        while true {
            let path = segmentPath(segment)
            let fd = open(path, O_RDONLY)
            if fd < 0 { break }
            defer { close(fd) }
            for pageInSegment in 0..<Self.pagesPerSegment {
                let n = pread(fd, page.baseAddress, pageSize, off_t(pageInSegment * pageSize))
                if n == 0 { break }
                let number = PageNumber(UInt32(segment * Self.pagesPerSegment + pageInSegment))
                guard n == pageSize, PageChecksum.verify(UnsafeRawBufferPointer(page), pageNumber: number) else {
                    throw StorageError(.corruptPage(file: path, page: PageNumber(UInt32(pageInSegment))),
                                       "invalid page \(pageInSegment) in commit log file \"\(path)\"")
                }
                bits.removeLast(max(0, bits.count - Int(number.value) * dataBytes))
                bits.append(contentsOf: repeatElement(0, count: Int(number.value) * dataBytes - bits.count))
                bits.append(contentsOf: page[pageHeaderSize...])
            }
            segment += 1
        }
        state.withLock { $0 = State(bits: bits, dirtyPages: []) }
    }

    /// Writes the segments changed since the last call (checkpoint). Each segment is replaced
    /// whole and atomically (temporary file, fsync, rename, directory fsync), so a crash in the
    /// middle never leaves a torn page behind.
    ///
    /// `flushWAL` runs after the state to write was captured and before it is written: every
    /// commit in it had its record inserted already, so flushing the WAL there makes sure no file
    /// says "committed" for a commit record a crash could still lose (synchronous_commit = off).
    func writeDirtyPages(flushWAL: () throws -> Void) throws {
        let (bits, dirty) = state.withLock { s in
            defer { s.dirtyPages.removeAll() }
            return (s.bits, s.dirtyPages)
        }
        guard !dirty.isEmpty else { return }
        do { try flushWAL() } catch {
            state.withLock { s in s.dirtyPages.formUnion(dirty) }
            throw error
        }
        let dataBytes = pageSize - pageHeaderSize
        let lastPage = (bits.count + dataBytes - 1) / dataBytes - 1
        do {
            for segment in Set(dirty.map { $0 / Self.pagesPerSegment }).sorted() {
                let firstPage = segment * Self.pagesPerSegment
                let pages = min(Self.pagesPerSegment, lastPage - firstPage + 1)
                guard pages > 0 else { continue }
                var image = [UInt8](repeating: 0, count: pages * pageSize)
                image.withUnsafeMutableBytes { file in
                    for index in 0..<pages {
                        let page = UnsafeMutableRawBufferPointer(rebasing: file[index * pageSize..<(index + 1) * pageSize])
                        PageHeader(bytes: page).initialize(kind: .commitLog)
                        let start = (firstPage + index) * dataBytes
                        let slice = bits[min(start, bits.count)..<min(start + dataBytes, bits.count)]
                        slice.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: page[pageHeaderSize...]).copyMemory(from: $0) }
                        PageChecksum.stamp(page, pageNumber: PageNumber(UInt32(firstPage + index)))
                    }
                }
                try replaceFile(segmentPath(segment), with: image)
            }
            try syncDirectory(directory)
        } catch {
            state.withLock { s in s.dirtyPages.formUnion(dirty) }
            throw error
        }
    }

    private func replaceFile(_ path: String, with bytes: [UInt8]) throws {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw StorageError.io("create", path: temporary, errno: errno) }
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else {
            let code = errno
            close(fd)
            throw StorageError.io("write", path: temporary, errno: code)
        }
        close(fd)
        guard rename(temporary, path) == 0 else { throw StorageError.io("rename", path: temporary, errno: errno) }
    }

    /// Every xid below `limit` still marked in progress becomes aborted (end of recovery: nobody
    /// is running them any more).
    func abortAllInProgress(below limit: TransactionID) -> Int {
        guard limit > .firstNormal else { return 0 }
        return state.withLock { s in
            let lastByte = (Int(limit.value) - 1) / Self.xidsPerByte
            if lastByte >= s.bits.count { s.bits.append(contentsOf: repeatElement(0, count: lastByte - s.bits.count + 1)) }
            var count = 0
            for index in Int(TransactionID.firstNormal.value)..<Int(limit.value) {
                let byte = index / Self.xidsPerByte, shift = UInt8(2 * (index % Self.xidsPerByte))
                guard (s.bits[byte] >> shift) & 0b11 == 0 else { continue }
                s.bits[byte] |= 0b10 << shift
                s.dirtyPages.insert(index / Self.xidsPerPage)
                count += 1
            }
            return count
        }
    }
}
