// Buffer pool: a relation far larger than shared_buffers is written and read back through a tiny
// pool (eviction under pressure, dirty victims written after their WAL, pool never grows).
import Testing
import WAL
@testable import Storage

@Suite("Buffer pool")
struct BufferPoolTests {
    @Test func relationTenTimesLargerThanThePool() throws {
        let data = try TestDataDirectory()
        defer { data.remove() }
        let configuration = TestDataDirectory.configuration(sharedBuffers: 16)
        let engine = try data.create(configuration)
        let rel = RelationID(16500)
        let xid = try engine.transactions.assignTransactionID()
        try engine.createRelation(rel, kind: .heap, xid: xid)
        let rowsPerPage = 2, pages = 520
        for n in 0..<(rowsPerPage * pages) {
            _ = try engine.heap(rel).insert(row(n, size: 3000), xid: xid, command: CommandID(0))
        }
        try engine.transactions.commit(xid)
        #expect(try engine.heap(rel).pageCount() == pages)
        #expect(engine.bufferPool.frameCount == 16)
        #expect(engine.bufferPool.dirtyCount <= 16)

        let rows = try engine.visibleRows(rel)
        #expect(rows.count == rowsPerPage * pages)
        #expect(Set(rows) == Set((0..<(rowsPerPage * pages)).map { row($0, size: 3000) }))
        try engine.shutdown()

        // After a clean restart every page is read back from disk through the same tiny pool.
        let reopened = try data.open(configuration)
        #expect(try reopened.visibleRows(rel).count == rowsPerPage * pages)
        #expect(try reopened.relationSizeInBytes(rel) == Int64(pages * pageSize))
        try reopened.shutdown()
    }

    @Test func allPinnedPoolReportsNoFreeBuffers() throws {
        let data = try TestDataDirectory()
        defer { data.remove() }
        let engine = try data.create(TestDataDirectory.configuration(sharedBuffers: 16))
        let rel = RelationID(16501)
        try engine.createRelation(rel, kind: .heap, xid: .invalid)
        var guards: [PageGuard] = []
        for _ in 0..<16 { guards.append(try engine.bufferPool.extend(rel)) }
        do {
            _ = try engine.bufferPool.extend(rel)
            Issue.record("expected noFreeBuffers")
        } catch let error as StorageError {
            #expect(error.kind == .noFreeBuffers)
        }
        for page in guards { page.release() }
        let page = try engine.bufferPool.read(rel, PageNumber(3), .shared)
        #expect(page.header.isNew)
        page.release()
        try engine.shutdown()
    }
}
