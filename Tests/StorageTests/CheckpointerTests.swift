// The checkpointer thread: checkpoint_timeout and max_wal_size start checkpoints on their own.
#if canImport(Glibc)
import Glibc
#endif
import Testing
import WAL
@testable import Storage

@Suite("Checkpointer")
struct CheckpointerTests {
    /// Polls until `condition` holds, for at most a minute (a loaded machine may be slow; no
    /// test depends on how fast it happens).
    private func eventually(_ condition: () -> Bool) -> Bool {
        for _ in 0..<600 {
            if condition() { return true }
            usleep(100_000)
        }
        return condition()
    }

    @Test func maxWALSizeTriggersACheckpoint() throws {
        let data = try TestDataDirectory()
        defer { data.remove() }
        var configuration = TestDataDirectory.configuration()
        configuration.maxWALSize = 256 * 1024
        let engine = try data.create(configuration)
        let first = engine.control.checkpointLSN
        let rel = RelationID(16901)
        let xid = try engine.transactions.assignTransactionID()
        try engine.createRelation(rel, kind: .heap, xid: xid)
        for n in 0..<200 { _ = try engine.heap(rel).insert(row(n, size: 4000), xid: xid, command: CommandID(0)) }
        try engine.transactions.commit(xid)
        #expect(eventually { engine.control.checkpointLSN > first })
        try engine.shutdown()
    }

    @Test func checkpointTimeoutTriggersACheckpointOnlyAfterWork() throws {
        let data = try TestDataDirectory()
        defer { data.remove() }
        var configuration = TestDataDirectory.configuration()
        configuration.checkpointTimeout = .milliseconds(300)
        let engine = try data.create(configuration)
        let first = engine.control.checkpointLSN
        let rel = RelationID(16902)
        let xid = try engine.transactions.assignTransactionID()
        try engine.createRelation(rel, kind: .heap, xid: xid)
        _ = try engine.heap(rel).insert(row(1), xid: xid, command: CommandID(0))
        try engine.transactions.commit(xid)
        #expect(eventually { engine.control.checkpointLSN > first })
        engine.simulateCrash()
        let reopened = try data.open(configuration)
        #expect(try reopened.visibleRows(rel) == [row(1)])
        try reopened.shutdown()
    }
}
