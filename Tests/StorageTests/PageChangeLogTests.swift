// logChanges: images first, byte ranges after, nothing logged when the change fails, and redo of
// a multi-page record; WAL before data when the pool evicts.
import Testing
import WAL
@testable import Storage

@Suite("Page-change logging")
struct PageChangeLogTests {
    @Test func imageFirstThenRangesAndRollbackOnError() throws {
        let data = try TestDataDirectory()
        defer { data.remove() }
        let engine = try data.create()
        let rel = RelationID(16800)
        try engine.createRelation(rel, kind: .heap, xid: .invalid)
        let page = try engine.bufferPool.extend(rel)
        defer { page.release() }

        let start = engine.wal.insertLSN
        let first = try engine.logChanges(to: [page], xid: .invalid) {
            page.header.initialize(kind: .heap)
            page.bytes.storeBytes(of: 0x11, toByteOffset: 8000, as: UInt8.self)
        }
        #expect(page.lsn == first)
        let imageSize = first.distance(from: start)
        let second = try engine.logChanges(to: [page], xid: .invalid) {
            page.bytes.storeBytes(of: 0x22, toByteOffset: 8001, as: UInt8.self)
        }
        #expect(second.distance(from: first) < 64, "a one-byte change is logged as a range")
        #expect(imageSize > second.distance(from: first), "the first change after a checkpoint is an image")

        struct Refused: Error {}
        let before = engine.wal.insertLSN
        #expect(throws: Refused.self) {
            try engine.logChanges(to: [page], xid: .invalid) {
                page.bytes.storeBytes(of: 0x33, toByteOffset: 8002, as: UInt8.self)
                throw Refused()
            }
        }
        #expect(page.bytes.load(fromByteOffset: 8002, as: UInt8.self) == 0, "the page was restored")
        #expect(engine.wal.insertLSN == before, "nothing was logged")
        #expect(page.lsn == second)
    }

    @Test func diffEncodingRoundTrips() throws {
        var before = [UInt8](repeating: 0, count: pageSize)
        var after = before
        for i in stride(from: 100, to: 8000, by: 777) { after[i] = 0xAB; after[i + 5] = 0xCD }
        after[pageSize - 1] = 7
        var writer = ByteWriter()
        writer.u8(1)
        try before.withUnsafeBytes { b in
            try after.withUnsafeBytes { a in
                try PageChangeRecord.encodePage(&writer, relation: RelationID(1), page: PageNumber(2), before: b, after: a,
                                                image: false, compression: .off)
            }
        }
        let changes = try PageChangeRecord.decode(writer.bytes)
        #expect(changes.count == 1)
        before.withUnsafeMutableBytes { PageChangeRecord.apply(changes[0], to: $0, lsn: LSN(0x1234)) }
        after.withUnsafeMutableBytes { PageHeader(bytes: $0).lsn = LSN(0x1234) }
        #expect(before == after)
    }

    @Test func evictionFlushesTheWALFirst() throws {
        let data = try TestDataDirectory()
        defer { data.remove() }
        let engine = try data.create(TestDataDirectory.configuration(sharedBuffers: 16))
        let rel = RelationID(16801)
        let xid = try engine.transactions.assignTransactionID()
        try engine.createRelation(rel, kind: .heap, xid: xid)
        // Uncommitted inserts only: nothing but eviction forces the WAL out.
        for n in 0..<200 { _ = try engine.heap(rel).insert(row(n, size: 2000), xid: xid, command: CommandID(0)) }
        #expect(try engine.heap(rel).pageCount() > 16 * 2)
        // Page 0 was evicted long ago: on disk it carries an LSN the WAL is flushed past.
        let onDisk = UnsafeMutableRawBufferPointer.allocate(byteCount: pageSize, alignment: 16)
        defer { onDisk.deallocate() }
        try engine.bufferPool.files.read(rel, PageNumber(0), into: onDisk)
        let lsn = PageHeader(bytes: onDisk).lsn
        #expect(lsn.isValid)
        #expect(lsn <= engine.wal.flushedLSN)
        #expect(PageChecksum.verify(UnsafeRawBufferPointer(onDisk), pageNumber: PageNumber(0)))
        engine.transactions.abort(xid)
        try engine.shutdown()
    }
}
