// Crash recovery: the engine is dropped without shutdown (dirty pages and the unflushed WAL tail
// lost, like kill -9), reopened, and must show exactly the committed work.
#if canImport(Glibc)
import Glibc
#endif
import Testing
import WAL
@testable import Storage

@Suite("Crash recovery")
struct RecoveryTests {
    let rel = RelationID(16600)

    /// Commits rows 0..<committed, leaves rows in an open transaction, deletes and updates some.
    private func doWork(_ engine: StorageEngine, from start: Int = 0, committed: Int) throws -> TransactionID {
        let heap = engine.heap(rel)
        let t1 = try engine.transactions.assignTransactionID()
        var tids: [TupleID] = []
        for n in start..<(start + committed) { tids.append(try heap.insert(row(n, size: 200), xid: t1, command: CommandID(0))) }
        try engine.transactions.commit(t1)

        let t2 = try engine.transactions.assignTransactionID()
        let snapshot = engine.transactions.snapshot(for: t2, command: CommandID(0))
        _ = try heap.delete(tids[0], xid: t2, command: CommandID(0), snapshot: snapshot)
        _ = try heap.update(tids[1], newData: row(-1, size: 200), xid: t2, command: CommandID(0), snapshot: snapshot)
        try engine.transactions.commit(t2)

        let open = try engine.transactions.assignTransactionID()
        for n in 0..<50 { _ = try heap.insert(row(100_000 + n, size: 200), xid: open, command: CommandID(0)) }
        let openSnapshot = engine.transactions.snapshot(for: open, command: CommandID(0))
        _ = try heap.delete(tids[2], xid: open, command: CommandID(0), snapshot: openSnapshot)
        return open
    }

    private func expected(from start: Int = 0, committed: Int) -> Set<[UInt8]> {
        var rows = Set((start + 2..<(start + committed)).map { row($0, size: 200) })
        rows.insert(row(-1, size: 200))
        return rows
    }

    @Test func committedWorkSurvivesACrash() throws {
        let data = try TestDataDirectory()
        defer { data.remove() }
        let configuration = TestDataDirectory.configuration(sharedBuffers: 16)
        let engine = try data.create(configuration)
        let create = try engine.transactions.assignTransactionID()
        try engine.createRelation(rel, kind: .heap, xid: create)
        try engine.transactions.commit(create)
        let open = try doWork(engine, committed: 400)
        let oid = try engine.allocateOID()
        #expect(oid == StorageEngine.firstNormalOID)
        engine.simulateCrash()

        let reopened = try data.open(configuration)
        #expect(reopened.control.state == .inProduction)
        #expect(Set(try reopened.visibleRows(rel)) == expected(committed: 400))
        #expect(reopened.transactions.status(of: open) == .aborted)
        // Counters moved past everything handed out before the crash.
        #expect(try reopened.allocateOID() > oid)
        #expect(try reopened.transactions.assignTransactionID() > open)
        try reopened.shutdown()
    }

    @Test func recoveryAfterACheckpointAndTwoCrashes() throws {
        let data = try TestDataDirectory()
        defer { data.remove() }
        let configuration = TestDataDirectory.configuration(sharedBuffers: 16, compression: .zstd)
        let engine = try data.create(configuration)
        let create = try engine.transactions.assignTransactionID()
        try engine.createRelation(rel, kind: .heap, xid: create)
        try engine.transactions.commit(create)
        _ = try doWork(engine, committed: 200)
        try engine.checkpoint(reason: .manual)
        let checkpointLSN = engine.control.checkpointLSN
        _ = try doWork(engine, from: 1000, committed: 200)
        engine.simulateCrash()

        let second = try data.open(configuration)
        #expect(second.control.checkpointLSN > checkpointLSN)
        let afterFirst = expected(committed: 200).union(expected(from: 1000, committed: 200))
        #expect(Set(try second.visibleRows(rel)) == afterFirst)
        _ = try doWork(second, from: 5000, committed: 100)
        second.simulateCrash()

        let third = try data.open(configuration)
        #expect(Set(try third.visibleRows(rel)) == afterFirst.union(expected(from: 5000, committed: 100)))
        try third.shutdown()
        let clean = try data.open(configuration)
        #expect(Set(try clean.visibleRows(rel)) == afterFirst.union(expected(from: 5000, committed: 100)))
        try clean.shutdown()
    }

    @Test func tornWALTailIsIgnored() throws {
        let data = try TestDataDirectory()
        defer { data.remove() }
        let configuration = TestDataDirectory.configuration()
        let engine = try data.create(configuration)
        let create = try engine.transactions.assignTransactionID()
        try engine.createRelation(rel, kind: .heap, xid: create)
        try engine.transactions.commit(create)
        let heap = engine.heap(rel)
        let t1 = try engine.transactions.assignTransactionID()
        _ = try heap.insert(row(1), xid: t1, command: CommandID(0))
        try engine.transactions.commit(t1)
        let endOfT1 = engine.wal.insertLSN
        let t2 = try engine.transactions.assignTransactionID()
        _ = try heap.insert(row(2), xid: t2, command: CommandID(0))
        try engine.transactions.commit(t2)
        let endOfT2 = engine.wal.insertLSN
        engine.simulateCrash()

        // Tear t2's commit record: garbage over its last bytes, as a torn write leaves it.
        let segment = try #require(data.walSegments.last)
        let fd = open(segment, O_RDWR)
        // The commit record is the last 32 bytes (24-byte header + 2-byte payload, 8-aligned):
        // hit its header, not the alignment padding the CRC does not cover.
        let offset = off_t(endOfT2.value % UInt64(configuration.wal.segmentSize)) - 32 + 14
        var garbage: [UInt8] = [0xDE, 0xAD, 0xBE, 0xEF, 0x01, 0x02]
        #expect(pwrite(fd, &garbage, garbage.count, offset) == garbage.count)
        close(fd)

        let reopened = try data.open(configuration)
        #expect(try reopened.visibleRows(rel) == [row(1)])
        #expect(reopened.transactions.status(of: t2) == .aborted)
        #expect(reopened.wal.insertLSN > endOfT1)
        // Work continues after the torn tail.
        let t3 = try reopened.transactions.assignTransactionID()
        _ = try reopened.heap(rel).insert(row(3), xid: t3, command: CommandID(0))
        try reopened.transactions.commit(t3)
        reopened.simulateCrash()
        let again = try data.open(configuration)
        #expect(Set(try again.visibleRows(rel)) == [row(1), row(3)])
        try again.shutdown()
    }

    @Test func relationsSequencesAndTruncateAreRedone() throws {
        let data = try TestDataDirectory()
        defer { data.remove() }
        let configuration = TestDataDirectory.configuration()
        let engine = try data.create(configuration)
        let seq = RelationID(16700), dropped = RelationID(16701), rolledBack = RelationID(16702)
        let t1 = try engine.transactions.assignTransactionID()
        try engine.createRelation(seq, kind: .sequence, xid: t1)
        try engine.createRelation(rel, kind: .heap, xid: t1)
        try engine.createRelation(dropped, kind: .heap, xid: t1)
        _ = try engine.heap(dropped).insert(row(1), xid: t1, command: CommandID(0))
        _ = try engine.heap(rel).insert(row(1), xid: t1, command: CommandID(0))
        try engine.transactions.commit(t1)
        for expectedValue in 1...5 as ClosedRange<Int64> {
            #expect(try engine.sequence(seq).nextValue(increment: 1, minValue: 1, maxValue: 5, xid: .invalid) == expectedValue)
        }
        #expect(throws: StorageError.self) { try engine.sequence(seq).nextValue(increment: 1, minValue: 1, maxValue: 5, xid: .invalid) }
        // After a checkpoint the next change logs a full-page image: the state must be in it.
        try engine.checkpoint(reason: .manual)
        try engine.sequence(seq).setValue(41, isCalled: true)
        #expect(try engine.sequence(seq).nextValue(increment: 1, minValue: 1, maxValue: 100, xid: .invalid) == 42)

        let t2 = try engine.transactions.assignTransactionID()
        engine.dropRelationAtCommit(dropped, xid: t2)
        try engine.truncateRelation(rel, xid: t2)
        _ = try engine.heap(rel).insert(row(2), xid: t2, command: CommandID(0))
        try engine.transactions.commit(t2)
        #expect(access(data.path + "/base/1/16701", F_OK) != 0)

        let t3 = try engine.transactions.assignTransactionID()
        try engine.createRelation(rolledBack, kind: .heap, xid: t3)
        engine.transactions.abort(t3)
        #expect(access(data.path + "/base/1/16702", F_OK) != 0)
        try engine.transactions.commit(try engine.transactions.assignTransactionID())   // flushes the WAL
        engine.simulateCrash()

        let reopened = try data.open(configuration)
        #expect(try reopened.sequence(seq).currentState() == (42, true))
        #expect(try reopened.visibleRows(rel) == [row(2)])
        #expect(access(data.path + "/base/1/16701", F_OK) != 0)
        #expect(access(data.path + "/base/1/16702", F_OK) != 0)
        try reopened.shutdown()
    }

    @Test func controlFileAndCleanShutdown() throws {
        let data = try TestDataDirectory()
        defer { data.remove() }
        let engine = try data.create()
        let identifier = engine.control.systemIdentifier
        #expect(engine.control.state == .inProduction)
        #expect(data.walSegments.first?.hasSuffix("000000010000000000000001") == true)
        try engine.shutdown()
        let control = try ControlFile.read(dataDirectory: data.path)
        #expect(control.state == .shutDown)
        #expect(control.systemIdentifier == identifier)
        #expect(control.redoLSN == control.checkpointLSN)   // a shutdown checkpoint: nothing to redo
        #expect(throws: StorageError.self) {
            try StorageEngine.create(dataDirectory: data.path, configuration: TestDataDirectory.configuration(), logger: testLogger)
        }
    }
}
