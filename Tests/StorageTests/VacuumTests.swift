// Space reclamation: the oldest xmin, page pruning, VACUUM (index entries removed, slots reused,
// free space found again), and redo of all of it after a crash reproducing the pages byte for byte.
import Synchronization
import Testing
import WAL
@testable import Storage

@Suite("Pruning and VACUUM")
struct VacuumTests {
    let table = RelationID(16700)
    let index = RelationID(16701)

    private func setUp(_ engine: StorageEngine, withIndex: Bool = false) throws {
        let xid = try engine.transactions.assignTransactionID()
        try engine.createRelation(table, kind: .heap, xid: xid)
        if withIndex { try engine.createRelation(index, kind: .btree, xid: xid) }
        try engine.transactions.commit(xid)
    }

    /// Commits one update of the row at `tid` to `data`; returns the new version's TID.
    private func update(_ engine: StorageEngine, _ tid: TupleID, to data: [UInt8]) throws -> TupleID {
        let xid = try engine.transactions.assignTransactionID()
        let snapshot = engine.transactions.snapshot(for: xid, command: CommandID(0))
        guard case .ok(let newVersion?) = try engine.heap(table).update(tid, newData: data, xid: xid, command: CommandID(0),
                                                                        snapshot: snapshot) else {
            throw StorageError(.invalidState, "update of \(tid) failed")
        }
        try engine.transactions.commit(xid)
        return newVersion
    }

    /// Inserts rows 0..<count in one committed transaction, each with an index entry keyed by n.
    private func insertRows(_ engine: StorageEngine, _ range: Range<Int>, indexed: Bool) throws -> [TupleID] {
        let xid = try engine.transactions.assignTransactionID()
        var tids: [TupleID] = []
        for n in range {
            let tid = try engine.heap(table).insert(row(n, size: 100), xid: xid, command: CommandID(0))
            if indexed { try engine.btree(index).insert(key: key(n), tid: tid, xid: xid) }
            tids.append(tid)
        }
        try engine.transactions.commit(xid)
        return tids
    }

    private func key(_ n: Int) -> [UInt8] { withUnsafeBytes(of: UInt32(n).bigEndian) { Array($0) } }

    private func deleteRows(_ engine: StorageEngine, _ tids: [TupleID]) throws {
        let xid = try engine.transactions.assignTransactionID()
        let snapshot = engine.transactions.snapshot(for: xid, command: CommandID(0))
        for tid in tids {
            guard case .ok = try engine.heap(table).delete(tid, xid: xid, command: CommandID(0), snapshot: snapshot) else {
                throw StorageError(.invalidState, "delete of \(tid) failed")
            }
        }
        try engine.transactions.commit(xid)
    }

    private func indexTIDs(_ engine: StorageEngine) throws -> [TupleID] {
        var tids: [TupleID] = []
        try engine.btree(index).scan(from: nil, to: nil) { _, tid in tids.append(tid); return true }
        return tids
    }

    @Test func horizonIsHeldBackByRunningTransactionsAndRegisteredSnapshots() throws {
        let data = try TestDataDirectory()
        defer { data.remove() }
        let engine = try data.create()
        let running = try engine.transactions.assignTransactionID()
        let (_, registration) = engine.snapshots.registeredSnapshot(for: .invalid, command: CommandID(0))
        try engine.transactions.commit(running)
        // `running` ended, but the snapshot taken while it ran is still registered.
        #expect(engine.snapshots.horizon() == running)
        registration.release()
        #expect(engine.snapshots.horizon() > running)
        engine.snapshots.setReplicaXmin(running)
        #expect(engine.snapshots.horizon() == running)
        engine.snapshots.setReplicaXmin(nil)
        try engine.shutdown()
    }

    @Test func pruningKeepsWhatASnapshotSeesAndReclaimsTheRest() throws {
        let data = try TestDataDirectory()
        defer { data.remove() }
        let engine = try data.create()
        try setUp(engine)
        let heap = engine.heap(table)
        let first = try insertRows(engine, 0..<1, indexed: false)[0]
        let (old, registration) = engine.snapshots.registeredSnapshot(for: .invalid, command: CommandID(0))
        var tid = first
        for n in 1...100 { tid = try update(engine, tid, to: row(n, size: 400)) }
        // 100 versions of 400 bytes do not fit one page: the registered snapshot kept them all.
        #expect(try heap.pageCount() > 1)
        #expect(try heap.fetch(first, snapshot: old) == row(0, size: 100))
        registration.release()

        let pagesBefore = try heap.pageCount()
        for n in 101...600 { tid = try update(engine, tid, to: row(n, size: 400)) }
        // 500 more versions (200 KB) went into the pages pruning emptied.
        #expect(try heap.pageCount() == pagesBefore)
        #expect(try engine.visibleRows(table) == [row(600, size: 400)])
        #expect(try heap.fetch(first, snapshot: engine.transactions.snapshot(for: .invalid, command: CommandID(0))) == nil)
        try engine.shutdown()
    }

    @Test func vacuumRemovesIndexEntriesAndFreesSlotsForReuse() throws {
        let data = try TestDataDirectory()
        defer { data.remove() }
        let engine = try data.create()
        try setUp(engine, withIndex: true)
        let heap = engine.heap(table)
        let tids = try insertRows(engine, 0..<200, indexed: true)
        let deleted = stride(from: 0, to: 200, by: 2).map { tids[$0] }
        try deleteRows(engine, deleted)
        let pages = try heap.pageCount()

        let result = try engine.vacuum(heap: table, indexes: [index])
        #expect(result.tuplesRemoved == 100)
        #expect(result.slotsFreed == 100)
        #expect(result.indexEntriesRemoved == 100)
        #expect(result.liveTuples == 100)
        #expect(try Set(indexTIDs(engine)) == Set(stride(from: 1, to: 200, by: 2).map { tids[$0] }))
        #expect(try engine.btree(index).verifyStructure() == 100)
        #expect(heap.currentStatistics.deadTuples == 0)

        // New rows take the freed slots (and pages) instead of extending the table.
        let reused = try insertRows(engine, 1000..<1100, indexed: true)
        #expect(try heap.pageCount() == pages)
        #expect(Set(reused) == Set(deleted))
        #expect(try engine.visibleRows(table).count == 200)
        try engine.shutdown()
    }

    @Test func vacuumLeavesVersionsASnapshotMayStillSee() throws {
        let data = try TestDataDirectory()
        defer { data.remove() }
        let engine = try data.create()
        try setUp(engine, withIndex: true)
        let tids = try insertRows(engine, 0..<10, indexed: true)
        let (old, registration) = engine.snapshots.registeredSnapshot(for: .invalid, command: CommandID(0))
        try deleteRows(engine, tids)
        let result = try engine.vacuum(heap: table, indexes: [index])
        #expect(result.tuplesRemoved == 0)
        #expect(result.recentlyDeadTuples == 10)
        #expect(try indexTIDs(engine).count == 10)
        #expect(try tids.allSatisfy { try engine.heap(table).fetch($0, snapshot: old) != nil })
        registration.release()
        #expect(try engine.vacuum(heap: table, indexes: [index]).tuplesRemoved == 10)
        #expect(try indexTIDs(engine).isEmpty)
        try engine.shutdown()
    }

    @Test func aFullLeafShedsEntriesOfDeadVersionsInsteadOfSplitting() throws {
        let data = try TestDataDirectory()
        defer { data.remove() }
        let engine = try data.create()
        try setUp(engine, withIndex: true)
        var tid = try insertRows(engine, 0..<1, indexed: true)[0]
        // One row updated 3000 times: 3000 entries of 20 bytes would need 8 leaves.
        for n in 1...3000 {
            tid = try update(engine, tid, to: row(n, size: 100))
            let xid = try engine.transactions.assignTransactionID()
            try engine.btree(index).insert(key: key(0), tid: tid, xid: xid, heap: engine.heap(table))
            try engine.transactions.commit(xid)
        }
        #expect(try engine.btree(index).height() == 1)
        #expect(try engine.bufferPool.pageCount(index) == 2)       // metapage and the one leaf
        var visible: [TupleID] = []
        let snapshot = engine.transactions.snapshot(for: .invalid, command: CommandID(0))
        for candidate in try indexTIDs(engine) where try engine.heap(table).fetch(candidate, snapshot: snapshot) != nil {
            visible.append(candidate)
        }
        #expect(visible == [tid])
        try engine.shutdown()
    }

    /// A row of the concurrency test: its key number, then which version it is.
    private func versioned(_ n: Int, _ version: Int) -> [UInt8] {
        key(n) + withUnsafeBytes(of: UInt32(version).bigEndian) { Array($0) } + [UInt8](repeating: 7, count: 120)
    }

    @Test func vacuumRunsSafelyWhileRowsAreUpdatedAndLookedUp() throws {
        let data = try TestDataDirectory()
        defer { data.remove() }
        let engine = try data.create(TestDataDirectory.configuration(sharedBuffers: 32))
        try setUp(engine, withIndex: true)
        let rows = 24, writers = 3, updatesPerWriter = 1000
        let heap = engine.heap(table), tree = engine.btree(index)
        let load = try engine.transactions.assignTransactionID()
        var tids: [TupleID] = []
        for n in 0..<rows {
            let tid = try heap.insert(versioned(n, 0), xid: load, command: CommandID(0))
            try tree.insert(key: key(n), tid: tid, xid: load, heap: heap)
            tids.append(tid)
        }
        try engine.transactions.commit(load)

        let failures = Mutex<[String]>([])
        let writersLeft = Mutex(writers)
        var threads: [TestThread] = []
        for writer in 0..<writers {
            let mine = Array(stride(from: writer, to: rows, by: writers))
            var current = Dictionary(uniqueKeysWithValues: mine.map { ($0, tids[$0]) })
            threads.append(TestThread {
                do {
                    for version in 1...updatesPerWriter {
                        let n = mine[version % mine.count]
                        let xid = try engine.transactions.assignTransactionID()
                        let snapshot = engine.transactions.snapshot(for: xid, command: CommandID(0))
                        guard let old = current[n], case .ok(let newTid?) = try heap.update(
                            old, newData: self.versioned(n, version), xid: xid, command: CommandID(0), snapshot: snapshot) else {
                            throw StorageError(.invalidState, "update of row \(n) refused")
                        }
                        try tree.insert(key: self.key(n), tid: newTid, xid: xid, heap: heap)
                        try engine.transactions.commit(xid)
                        current[n] = newTid
                    }
                } catch {
                    failures.withLock { $0.append("writer: \(error)") }
                }
                writersLeft.withLock { $0 -= 1 }
            })
        }
        // Looks every key up through the index: exactly one visible version, and it is that key's row.
        threads.append(TestThread {
            do {
                while writersLeft.withLock({ $0 }) > 0 {
                    for n in 0..<rows {
                        let (snapshot, registration) = engine.snapshots.registeredSnapshot(for: .invalid, command: CommandID(0))
                        defer { registration.release() }
                        var found: [[UInt8]] = []
                        let bound = BTreeBound(key: self.key(n), inclusive: true)
                        try tree.scan(from: bound, to: bound) { _, tid in
                            if let data = try heap.fetch(tid, snapshot: snapshot) { found.append(data) }
                            return true
                        }
                        if found.count != 1 || found[0].prefix(4) != self.key(n)[...] {
                            failures.withLock { $0.append("key \(n): \(found.count) visible versions") }
                        }
                    }
                }
            } catch {
                failures.withLock { $0.append("reader: \(error)") }
            }
        })
        threads.append(TestThread {
            do {
                while writersLeft.withLock({ $0 }) > 0 { try engine.vacuum(heap: self.table, indexes: [self.index]) }
            } catch {
                failures.withLock { $0.append("vacuum: \(error)") }
            }
        })
        for thread in threads { thread.start() }
        for thread in threads { thread.join() }
        #expect(failures.withLock { $0 } == [])

        try engine.vacuum(heap: table, indexes: [index])
        #expect(try indexTIDs(engine).count == rows)          // one entry per row left
        #expect(try tree.verifyStructure() == rows)
        #expect(try engine.visibleRows(table).count == rows)
        try engine.shutdown()
    }

    /// Every page of `relation` as the buffer pool holds it, checksum field left out (it is
    /// stamped when a page is written).
    private func pageImages(_ engine: StorageEngine, _ relation: RelationID) throws -> [[UInt8]] {
        try (0..<engine.bufferPool.pageCount(relation)).map { number in
            let page = try engine.bufferPool.read(relation, PageNumber(UInt32(number)), .shared)
            defer { page.release() }
            var bytes = Array(page.bytes)
            bytes.replaceSubrange(PageHeader.checksumOffset..<PageHeader.checksumOffset + 4, with: [0, 0, 0, 0])
            return bytes
        }
    }

    @Test func redoReproducesPruningAndVacuumAfterACrash() throws {
        let data = try TestDataDirectory()
        defer { data.remove() }
        let configuration = TestDataDirectory.configuration(sharedBuffers: 16)
        let engine = try data.create(configuration)
        try setUp(engine, withIndex: true)
        let tids = try insertRows(engine, 0..<300, indexed: true)
        try engine.checkpoint(reason: .manual)        // what follows is redone from this redo point
        try deleteRows(engine, stride(from: 0, to: 300, by: 3).map { tids[$0] })
        var tid = tids[1]
        for n in 0..<200 { tid = try update(engine, tid, to: row(5000 + n, size: 100)) }   // pruning
        try engine.vacuum(heap: table, indexes: [index])
        _ = try insertRows(engine, 2000..<2050, indexed: true)                              // slot reuse
        let heapPages = try pageImages(engine, table)
        let indexPages = try pageImages(engine, index)
        let rows = try Set(engine.visibleRows(table))
        engine.simulateCrash()

        let reopened = try data.open(configuration)
        #expect(try pageImages(reopened, table) == heapPages)
        #expect(try pageImages(reopened, index) == indexPages)
        #expect(try Set(reopened.visibleRows(table)) == rows)
        #expect(try reopened.btree(index).verifyStructure() == indexTIDs(reopened).count)
        try reopened.shutdown()
    }
}
