// Concurrent sessions: inserts, updates and commits from several threads while checkpoints run,
// then a crash.
#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Testing
import WAL
@testable import Storage

@Suite("Concurrency")
struct ConcurrencyTests {
    @Test func concurrentWritersCheckpointsAndACrash() throws {
        let data = try TestDataDirectory()
        defer { data.remove() }
        let configuration = TestDataDirectory.configuration(sharedBuffers: 16)
        let engine = try data.create(configuration)
        let rel = RelationID(16900)
        let create = try engine.transactions.assignTransactionID()
        try engine.createRelation(rel, kind: .heap, xid: create)
        try engine.transactions.commit(create)

        let writers = 4, transactionsPerWriter = 40, rowsPerTransaction = 5
        let failures = Mutex<[String]>([])
        let committed = Mutex<Set<[UInt8]>>([])
        var threads: [TestThread] = []
        for writer in 0..<writers {
            threads.append(TestThread {
                do {
                    for t in 0..<transactionsPerWriter {
                        let xid = try engine.transactions.assignTransactionID()
                        var rows: [[UInt8]] = []
                        for r in 0..<rowsPerTransaction {
                            let data = row(writer * 1_000_000 + t * 100 + r, size: 300)
                            let tid = try engine.heap(rel).insert(data, xid: xid, command: CommandID(0))
                            rows.append(data)
                            if r == 0 {    // and change it again in a later command
                                let updated = row(-(writer * 1_000_000 + t * 100 + 1), size: 300)
                                let snapshot = engine.transactions.snapshot(for: xid, command: CommandID(1))
                                guard case .ok = try engine.heap(rel).update(tid, newData: updated, xid: xid, command: CommandID(1), snapshot: snapshot) else {
                                    throw StorageError(.invalidState, "own update refused")
                                }
                                rows[0] = updated
                            }
                        }
                        if t % 4 == 3 {
                            engine.transactions.abort(xid)
                        } else {
                            try engine.transactions.commit(xid)
                            committed.withLock { $0.formUnion(rows) }
                        }
                    }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            })
        }
        for thread in threads { thread.start() }
        for _ in 0..<3 { try engine.checkpoint(reason: .manual) }
        for thread in threads { thread.join() }
        #expect(failures.withLock { $0 }.isEmpty)
        let expected = committed.withLock { $0 }
        #expect(expected.count == writers * transactionsPerWriter * 3 / 4 * rowsPerTransaction)
        #expect(Set(try engine.visibleRows(rel)) == expected)
        engine.simulateCrash()

        let reopened = try data.open(configuration)
        #expect(Set(try reopened.visibleRows(rel)) == expected)
        try reopened.shutdown()
    }
}
