// Heap and MVCC: insert/scan/update/delete with snapshots — own changes visible, others'
// uncommitted changes invisible, aborted changes never visible — and the TM_Result outcomes.
#if canImport(Glibc)
import Glibc
#endif
import Testing
import WAL
@testable import Storage

@Suite("Heap and MVCC")
struct HeapTests {
    let rel = RelationID(16400)

    private func withEngine(_ body: (StorageEngine) throws -> Void) throws {
        let data = try TestDataDirectory()
        defer { data.remove() }
        let engine = try data.create()
        try body(engine)
        try engine.shutdown()
    }

    private func createTable(_ engine: StorageEngine) throws {
        let xid = try engine.transactions.assignTransactionID()
        try engine.createRelation(rel, kind: .heap, xid: xid)
        try engine.transactions.commit(xid)
    }

    @Test func ownChangesVisibleOthersOnlyAfterCommit() throws {
        try withEngine { engine in
            try createTable(engine)
            let heap = engine.heap(rel)
            let t1 = try engine.transactions.assignTransactionID()
            let tid = try heap.insert(row(1), xid: t1, command: CommandID(0))
            #expect(tid == TupleID(page: PageNumber(0), slot: 1))
            #expect(tid.description == "(0,1)")

            // Same command: not yet visible (no Halloween problem); next command: visible.
            #expect(try heap.fetch(tid, snapshot: engine.transactions.snapshot(for: t1, command: CommandID(0))) == nil)
            #expect(try heap.fetch(tid, snapshot: engine.transactions.snapshot(for: t1, command: CommandID(1))) == row(1))
            // Another transaction does not see it before the commit ...
            let t2 = try engine.transactions.assignTransactionID()
            let before = engine.transactions.snapshot(for: t2, command: CommandID(0))
            #expect(try heap.fetch(tid, snapshot: before) == nil)
            try engine.transactions.commit(t1)
            // ... nor with a snapshot taken before the commit, but with a new one.
            #expect(try heap.fetch(tid, snapshot: before) == nil)
            #expect(try heap.fetch(tid, snapshot: engine.transactions.snapshot(for: t2, command: CommandID(0))) == row(1))
            try engine.transactions.commit(t2)
        }
    }

    @Test func abortedRowsAreNeverVisible() throws {
        try withEngine { engine in
            try createTable(engine)
            let heap = engine.heap(rel)
            let t1 = try engine.transactions.assignTransactionID()
            _ = try heap.insert(row(1), xid: t1, command: CommandID(0))
            engine.transactions.abort(t1)
            #expect(engine.transactions.status(of: t1) == .aborted)
            #expect(try engine.visibleRows(rel).isEmpty)
            let t2 = try engine.transactions.assignTransactionID()
            _ = try heap.insert(row(2), xid: t2, command: CommandID(0))
            try engine.transactions.commit(t2)
            #expect(try engine.visibleRows(rel) == [row(2)])
        }
    }

    @Test func updateAndDeleteFollowMVCC() throws {
        try withEngine { engine in
            try createTable(engine)
            let heap = engine.heap(rel)
            let t1 = try engine.transactions.assignTransactionID()
            let a = try heap.insert(row(1), xid: t1, command: CommandID(0))
            let b = try heap.insert(row(2), xid: t1, command: CommandID(0))
            try engine.transactions.commit(t1)

            let t2 = try engine.transactions.assignTransactionID()
            let s2 = engine.transactions.snapshot(for: t2, command: CommandID(0))
            guard case .ok(let newVersion?) = try heap.update(a, newData: row(10), xid: t2, command: CommandID(0), snapshot: s2) else {
                Issue.record("update failed"); return
            }
            guard case .ok = try heap.delete(b, xid: t2, command: CommandID(0), snapshot: s2) else {
                Issue.record("delete failed"); return
            }
            // A second change of the same row by the same command: selfModified.
            guard case .selfModified = try heap.delete(a, xid: t2, command: CommandID(0), snapshot: s2) else {
                Issue.record("expected selfModified"); return
            }
            // t2 sees its own changes from its next command on.
            #expect(try engine.visibleRows(rel, as: t2, command: CommandID(1)) == [row(10)])
            // Others still see the old rows, and must wait for t2.
            let t3 = try engine.transactions.assignTransactionID()
            #expect(try engine.visibleRows(rel, as: t3).sorted { $0.lexicographicallyPrecedes($1) } == [row(1), row(2)])
            let s3 = engine.transactions.snapshot(for: t3, command: CommandID(0))
            guard case .beingModified(let holder) = try heap.delete(a, xid: t3, command: CommandID(0), snapshot: s3) else {
                Issue.record("expected beingModified"); return
            }
            #expect(holder == t2)
            try engine.transactions.commit(t2)
            // Now t3 learns that the row was updated (follow newVersion) or deleted.
            guard case .updated(let next) = try heap.delete(a, xid: t3, command: CommandID(0), snapshot: s3) else {
                Issue.record("expected updated"); return
            }
            #expect(next == newVersion)
            guard case .deleted = try heap.delete(b, xid: t3, command: CommandID(0), snapshot: s3) else {
                Issue.record("expected deleted"); return
            }
            let latest = try heap.fetchLatest(a)
            #expect(latest?.header.xmax == t2)
            #expect(latest?.header.ctid == newVersion)
            engine.transactions.abort(t3)
            #expect(try engine.visibleRows(rel) == [row(10)])
        }
    }

    @Test func rowLocksAndUpdatesAcrossPages() throws {
        try withEngine { engine in
            try createTable(engine)
            let heap = engine.heap(rel)
            let t1 = try engine.transactions.assignTransactionID()
            // Fill page 0 so that the update must put the new version on another page.
            var tids: [TupleID] = []
            for n in 0..<7 { tids.append(try heap.insert(row(n, size: 1000), xid: t1, command: CommandID(0))) }
            try engine.transactions.commit(t1)
            #expect(try heap.pageCount() == 1)

            let t2 = try engine.transactions.assignTransactionID()
            let s2 = engine.transactions.snapshot(for: t2, command: CommandID(0))
            guard case .ok = try heap.lockTuple(tids[0], xid: t2, snapshot: s2) else { Issue.record("lock failed"); return }
            let t3 = try engine.transactions.assignTransactionID()
            let s3 = engine.transactions.snapshot(for: t3, command: CommandID(0))
            guard case .beingModified(t2) = try heap.lockTuple(tids[0], xid: t3, snapshot: s3) else {
                Issue.record("expected the lock to be held"); return
            }
            // A lock is not a deletion: everyone still sees the row.
            #expect(try heap.fetch(tids[0], snapshot: s3) == row(0, size: 1000))
            guard case .ok(let moved?) = try heap.update(tids[0], newData: row(100, size: 2000), xid: t2,
                                                         command: CommandID(1), snapshot: s2) else {
                Issue.record("update failed"); return
            }
            #expect(moved.page == PageNumber(1))
            try engine.transactions.commit(t2)
            engine.transactions.abort(t3)
            #expect(try engine.visibleRows(rel).count == 7)
            #expect(try heap.fetch(moved, snapshot: engine.transactions.snapshot(for: .invalid, command: CommandID(0))) == row(100, size: 2000))
        }
    }

    @Test func waitForCommitTimeoutAndDeadlock() throws {
        try withEngine { engine in
            let tm = engine.transactions
            let t1 = try tm.assignTransactionID()
            let t2 = try tm.assignTransactionID()
            #expect(throws: StorageError.self) {
                try tm.wait(for: t1, by: t2, timeout: .milliseconds(20), isCancelled: { false })
            }
            do {
                try tm.wait(for: t1, by: t2, timeout: nil, isCancelled: { true })
                Issue.record("expected cancel")
            } catch let error as StorageError {
                #expect(error.kind == .cancelled)
            }
            // t2 waits for t1 in the background; then t1 waits for t2: t1 closes the cycle.
            let waiter = TestThread { try? tm.wait(for: t1, by: t2, timeout: .seconds(30), isCancelled: { false }) }
            waiter.start()
            while tm.blocker(of: t2) != t1 { usleep(1000) }
            var detected = false
            do {
                try tm.wait(for: t2, by: t1, timeout: .seconds(30), isCancelled: { false })
            } catch let error as StorageError where error.kind == .deadlock {
                detected = true
                #expect(error.message == "Transaction \(t1.value) waits for transaction \(t2.value); transaction \(t2.value) waits for transaction \(t1.value).")
            }
            #expect(detected)
            tm.abort(t1)     // wakes the background waiter
            try tm.commit(t2)
            waiter.join()
        }
    }

    @Test func rowTooBigIsRefused() throws {
        try withEngine { engine in
            try createTable(engine)
            let xid = try engine.transactions.assignTransactionID()
            do {
                _ = try engine.heap(rel).insert([UInt8](repeating: 1, count: pageSize), xid: xid, command: CommandID(0))
                Issue.record("expected rowTooBig")
            } catch let error as StorageError {
                #expect(error.kind == .rowTooBig)
            }
            engine.transactions.abort(xid)
        }
    }
}
