// Page checksums: a flipped byte is detected, on a bare page and when the buffer pool reads it.
#if canImport(Glibc)
import Glibc
#endif
import Testing
import WAL
@testable import Storage

@Suite("Page checksums")
struct PageChecksumTests {
    @Test func flippedByteIsDetected() {
        let page = UnsafeMutableRawBufferPointer.allocate(byteCount: pageSize, alignment: 16)
        defer { page.deallocate() }
        PageHeader(bytes: page).initialize(kind: .heap)
        page.storeBytes(of: 0x5A, toByteOffset: 5000, as: UInt8.self)
        PageChecksum.stamp(page, pageNumber: PageNumber(7))
        #expect(PageChecksum.verify(UnsafeRawBufferPointer(page), pageNumber: PageNumber(7)))
        #expect(!PageChecksum.verify(UnsafeRawBufferPointer(page), pageNumber: PageNumber(8)), "a page at the wrong place")
        page.storeBytes(of: 0x5B, toByteOffset: 5000, as: UInt8.self)
        #expect(!PageChecksum.verify(UnsafeRawBufferPointer(page), pageNumber: PageNumber(7)))
    }

    @Test func allZeroPageIsNew() {
        let page = [UInt8](repeating: 0, count: pageSize)
        #expect(page.withUnsafeBytes { PageChecksum.verify($0, pageNumber: PageNumber(3)) })
    }

    @Test func corruptPageOnDiskIsReportedWithFileAndPage() throws {
        let data = try TestDataDirectory()
        defer { data.remove() }
        let engine = try data.create()
        let rel = RelationID(16384)
        let xid = try engine.transactions.assignTransactionID()
        try engine.createRelation(rel, kind: .heap, xid: xid)
        _ = try engine.heap(rel).insert(row(1), xid: xid, command: CommandID(0))
        try engine.transactions.commit(xid)
        try engine.shutdown()

        // Flip one byte in the middle of page 0 of the relation file.
        let path = data.path + "/base/1/16384"
        let fd = open(path, O_RDWR)
        #expect(fd >= 0)
        var byte: UInt8 = 0
        pread(fd, &byte, 1, 4000)
        byte ^= 0x01
        pwrite(fd, &byte, 1, 4000)
        close(fd)

        let reopened = try data.open()
        defer { try? reopened.shutdown() }
        do {
            _ = try reopened.visibleRows(rel)
            Issue.record("a corrupt page was used")
        } catch let error as StorageError {
            #expect(error.kind == .corruptPage(file: path, page: PageNumber(0)))
            #expect(error.message.contains("block 0"))
        }
    }
}
