// Subtransactions: visibility of a transaction's own subxids, ROLLBACK TO (abortSubtransactions)
// undoing inserts, deletes and row locks and waking waiters, released subxids held until the
// top-level end, deadlocks through subtransactions, and crash recovery of the one commit record
// that lists the subxids (and of the abort record of a rolled-back one).
#if canImport(Glibc)
import Glibc
#endif
import Testing
import WAL
@testable import Storage

@Suite("Subtransactions")
struct SubtransactionTests {
    let rel = RelationID(16700)

    private func createTable(_ engine: StorageEngine) throws {
        let xid = try engine.transactions.assignTransactionID()
        try engine.createRelation(rel, kind: .heap, xid: xid)
        try engine.transactions.commit(xid)
    }

    private func rows(_ engine: StorageEngine, _ snapshot: Snapshot) throws -> Set<[UInt8]> {
        var rows: Set<[UInt8]> = []
        try engine.heap(rel).scan(snapshot: snapshot) { _, data in
            rows.insert(Array(data))
            return true
        }
        return rows
    }

    @Test func ownSubtransactionsAreVisibleUntilRolledBack() throws {
        let data = try TestDataDirectory()
        defer { data.remove() }
        let engine = try data.create()
        try createTable(engine)
        let heap = engine.heap(rel), transactions = engine.transactions
        let before = try transactions.assignTransactionID()
        let kept = try heap.insert(row(0), xid: before, command: CommandID(0))
        try transactions.commit(before)

        let top = try transactions.assignTransactionID()
        _ = try heap.insert(row(1), xid: top, command: CommandID(0))
        let released = try transactions.assignSubtransactionID(of: top)
        _ = try heap.insert(row(2), xid: released, command: CommandID(1))
        let rolledBack = try transactions.assignSubtransactionID(of: top)
        #expect(top < released && released < rolledBack)
        #expect(transactions.topLevelTransaction(of: rolledBack) == top)
        _ = try heap.insert(row(3), xid: rolledBack, command: CommandID(2))
        let deleting = transactions.snapshot(for: rolledBack, command: CommandID(2))
        guard case .ok = try heap.delete(kept, xid: rolledBack, command: CommandID(2), snapshot: deleting) else {
            Issue.record("the subtransaction could not delete a committed row")
            return
        }
        // The snapshot of any of the family sees all of it (from later commands).
        let own = transactions.snapshot(for: top, command: CommandID(3))
        #expect(own.subtransactions == [released, rolledBack])
        #expect(try rows(engine, own) == [row(1), row(2), row(3)])
        #expect(try rows(engine, transactions.snapshot(for: .invalid, command: CommandID(0))) == [row(0)])

        transactions.abortSubtransactions([rolledBack])
        #expect(transactions.status(of: rolledBack) == .aborted)
        #expect(transactions.status(of: released) == .inProgress)
        let after = transactions.snapshot(for: top, command: CommandID(4))
        #expect(after.subtransactions == [released])
        #expect(try rows(engine, after) == [row(0), row(1), row(2)])

        try transactions.commit(top)
        #expect(transactions.status(of: released) == .committed)
        #expect(transactions.topLevelTransaction(of: released) == released)   // no longer running
        #expect(try rows(engine, transactions.snapshot(for: .invalid, command: CommandID(0))) == [row(0), row(1), row(2)])
        try engine.shutdown()
    }

    @Test func waitersWakeWhenTheSubtransactionIsRolledBackOrTheTopLevelEnds() throws {
        let data = try TestDataDirectory()
        defer { data.remove() }
        let engine = try data.create()
        try createTable(engine)
        let heap = engine.heap(rel), transactions = engine.transactions
        let setup = try transactions.assignTransactionID()
        let first = try heap.insert(row(1), xid: setup, command: CommandID(0))
        let second = try heap.insert(row(2), xid: setup, command: CommandID(0))
        try transactions.commit(setup)

        let holder = try transactions.assignTransactionID()
        let lockingSub = try transactions.assignSubtransactionID(of: holder)
        let releasedSub = try transactions.assignSubtransactionID(of: holder)
        for (tid, xid) in [(first, lockingSub), (second, releasedSub)] {
            guard case .ok = try heap.lockTuple(tid, xid: xid, snapshot: transactions.snapshot(for: xid, command: CommandID(0))) else {
                Issue.record("lock refused")
                return
            }
        }
        // Another transaction finds both rows locked by the holder's subtransactions.
        let waiter = try transactions.assignTransactionID()
        let waiterSnapshot = transactions.snapshot(for: waiter, command: CommandID(0))
        guard case .beingModified(let blocker) = try heap.lockTuple(first, xid: waiter, snapshot: waiterSnapshot) else {
            Issue.record("the subtransaction's row lock was not seen")
            return
        }
        #expect(blocker == lockingSub)
        // The holder itself finds them its own, from any of its subtransactions.
        guard case .ok = try heap.lockTuple(first, xid: releasedSub, snapshot: transactions.snapshot(for: releasedSub, command: CommandID(1))) else {
            Issue.record("the holder's own lock was refused")
            return
        }

        let waiting = TestThread {
            try? transactions.wait(for: lockingSub, by: waiter, timeout: nil, isCancelled: { false })
        }
        waiting.start()
        while transactions.blocker(of: waiter) == nil { usleep(1000) }
        transactions.abortSubtransactions([lockingSub])
        waiting.join()
        guard case .ok = try heap.lockTuple(first, xid: waiter, snapshot: transactions.snapshot(for: waiter, command: CommandID(1))) else {
            Issue.record("the row lock survived ROLLBACK TO")
            return
        }

        // A released subtransaction ends with its top-level transaction, not before.
        let waitingForReleased = TestThread {
            try? transactions.wait(for: releasedSub, by: waiter, timeout: nil, isCancelled: { false })
        }
        waitingForReleased.start()
        while transactions.blocker(of: waiter) == nil { usleep(1000) }
        #expect(transactions.blocker(of: waiter) == releasedSub)
        try transactions.commit(holder)
        waitingForReleased.join()
        #expect(transactions.blocker(of: waiter) == nil)
        #expect(transactions.status(of: releasedSub) == .committed)
        try transactions.commit(waiter)
        try engine.shutdown()
    }

    @Test func deadlockThroughSubtransactionsIsDetected() throws {
        let data = try TestDataDirectory()
        defer { data.remove() }
        let engine = try data.create()
        let transactions = engine.transactions
        let a = try transactions.assignTransactionID()
        let aSub = try transactions.assignSubtransactionID(of: a)
        let b = try transactions.assignTransactionID()
        let bSub = try transactions.assignSubtransactionID(of: b)
        // b (writing as bSub) waits for a's earlier subtransaction ...
        let waiting = TestThread {
            try? transactions.wait(for: aSub, by: bSub, timeout: .seconds(60), isCancelled: { false })
        }
        waiting.start()
        while transactions.blocker(of: b) == nil { usleep(1000) }
        // ... so a waiting for b's top-level xid closes the cycle.
        #expect(throws: StorageError.self) {
            try transactions.wait(for: b, by: a, timeout: .seconds(60), isCancelled: { false })
        }
        transactions.abort(a)
        waiting.join()
        #expect(transactions.status(of: aSub) == .aborted)
        transactions.abort(b)
        #expect(transactions.status(of: bSub) == .aborted)
        try engine.shutdown()
    }

    @Test func commitRecordWithSubtransactionsSurvivesACrash() throws {
        let data = try TestDataDirectory()
        defer { data.remove() }
        let engine = try data.create()
        try createTable(engine)
        let heap = engine.heap(rel), transactions = engine.transactions
        let top = try transactions.assignTransactionID()
        _ = try heap.insert(row(1), xid: top, command: CommandID(0))
        let released = try transactions.assignSubtransactionID(of: top)
        _ = try heap.insert(row(2), xid: released, command: CommandID(1))
        let rolledBack = try transactions.assignSubtransactionID(of: top)
        _ = try heap.insert(row(3), xid: rolledBack, command: CommandID(2))
        transactions.abortSubtransactions([rolledBack])
        try transactions.commit(top)
        // A transaction left open with a live subtransaction: aborted by recovery.
        let open = try transactions.assignTransactionID()
        let openSub = try transactions.assignSubtransactionID(of: open)
        _ = try heap.insert(row(4), xid: openSub, command: CommandID(0))
        engine.simulateCrash()

        let reopened = try data.open()
        #expect(Set(try reopened.visibleRows(rel)) == [row(1), row(2)])
        #expect(reopened.transactions.status(of: released) == .committed)
        #expect(reopened.transactions.status(of: rolledBack) == .aborted)
        #expect(reopened.transactions.status(of: openSub) == .aborted)
        try reopened.shutdown()
    }

    @Test func transactionRecordRoundTrips() throws {
        let record = TransactionRecord(subtransactions: [TransactionID(10), TransactionID(12)], drops: [RelationID(16384)],
                                       xactTime: 849_312_000_123_456)
        #expect(try TransactionRecord.decode(record.encode()) == record)
        let beforeEpoch = TransactionRecord(subtransactions: [], drops: [], xactTime: -1)
        #expect(try TransactionRecord.decode(beforeEpoch.encode()) == beforeEpoch)
        #expect(throws: (any Error).self) { try TransactionRecord.decode(Array(record.encode().dropLast())) }
    }
}
