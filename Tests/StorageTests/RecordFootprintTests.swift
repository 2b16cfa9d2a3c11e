// RecordFootprint: what rewind learns from each WAL record — the relation file a create record
// makes, the pages a heap insert changes, a checkpoint's redo point — read back from the WAL a
// real engine wrote, and the drop a commit record carries.
import Testing
import WAL
@testable import Storage

@Suite struct RecordFootprintTests {
    @Test func createInsertAndCheckpointAreSeenInTheWAL() throws {
        let data = try TestDataDirectory()
        defer { data.remove() }
        let engine = try data.create()
        let start = engine.wal.insertLSN
        let relation = RelationID(16700)
        let xid = try engine.transactions.assignTransactionID()
        try engine.createRelation(relation, kind: .heap, xid: xid)
        for n in 0..<100 { _ = try engine.heap(relation).insert(row(n, size: 200), xid: xid, command: CommandID(0)) }
        try engine.transactions.commit(xid)
        let dropper = try engine.transactions.assignTransactionID()
        engine.dropRelationAtCommit(relation, xid: dropper)
        try engine.transactions.commit(dropper)
        try engine.checkpoint(reason: .manual)
        let redo = engine.control.redoLSN
        try engine.shutdown()

        var reader = try WALReader(directory: data.path + "/pg_wal", timeline: .first, start: start, segmentSize: 1 << 20)
        var created: [RelationID] = [], dropped: [RelationID] = [], pages: Set<UInt32> = [], checkpointRedos: [LSN] = []
        while let record = try reader.next() {
            let footprint = try RecordFootprint(of: record)
            created += footprint.rewrittenRelations
            dropped += footprint.droppedRelations
            pages.formUnion(footprint.pages.filter { $0.relation == relation }.map(\.page.value))
            if let redo = footprint.checkpointRedo { checkpointRedos.append(redo) }
        }
        #expect(created.contains(relation) && dropped == [relation])
        #expect(pages.contains(0) && pages.contains(1))   // 100 rows of 200 bytes fill more than one page
        #expect(checkpointRedos.contains(redo))
    }

    @Test func aRecordOfAnUnknownResourceManagerIsAnError() {
        let record = WALRecord(lsn: LSN(0x100_0000), endLSN: LSN(0x100_0020), previous: .invalid, xid: .invalid,
                               resourceManager: ResourceManagerID(rawValue: 99), info: 0, payload: [])
        #expect(throws: StorageError.self) { try RecordFootprint(of: record) }
    }
}
