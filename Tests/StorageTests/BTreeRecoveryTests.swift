// B-tree durability through the real engine: the index is intact after a checkpoint and a clean
// restart, and after a crash (dirty pages lost) once redo has replayed the generic page-change
// records — splits included, since a split is one record over all its pages.
#if canImport(Glibc)
import Glibc
#endif
import Logging
import Testing
import WAL
@testable import Storage

@Suite struct BTreeRecoveryTests {
    let relation = RelationID(16400)

    func withDataDirectory(_ body: (String, StorageConfiguration, Logger) throws -> Void) throws {
        var template = Array("/tmp/minipg-btree-engine-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ buffer in buffer.baseAddress.flatMap { mkdtemp($0) } }) else {
            throw StorageError(.io, "mkdtemp failed")
        }
        let directory = String(cString: made) + "/data"
        defer { _ = system("rm -rf '\(String(cString: made))'") }
        var configuration = StorageConfiguration(sharedBuffers: 16)   // the minimum: evictions all along
        configuration.wal.fsync = false
        let logger = Logger(label: "btree-recovery-test")
        try StorageEngine.create(dataDirectory: directory, configuration: configuration, logger: logger)
        try body(directory, configuration, logger)
    }

    func fill(_ index: BTreeIndex, _ numbers: [Int], xid: TransactionID) throws {
        for number in numbers { try index.insert(key: btreeTestKey(number, length: 48), tid: btreeTestTID(number), xid: xid) }
    }

    @Test func intactAfterCheckpointAndRestart() throws {
        try withDataDirectory { directory, configuration, logger in
            let engine = try StorageEngine(dataDirectory: directory, configuration: configuration, logger: logger)
            let xid = try engine.transactions.assignTransactionID()
            try engine.createRelation(relation, kind: .btree, xid: xid)
            var random = BTreeTestRandom(state: 21)
            try fill(engine.btree(relation), Array(0..<3_000).shuffled(using: &random), xid: xid)
            try engine.transactions.commit(xid)
            try engine.checkpoint(reason: .manual)
            try engine.shutdown()

            let reopened = try StorageEngine(dataDirectory: directory, configuration: configuration, logger: logger)
            let index = reopened.btree(relation)
            #expect(try index.verifyStructure() == 3_000)
            #expect(try index.allEntries().map(\.1) == (0..<3_000).map(btreeTestTID))
            try reopened.shutdown()
        }
    }

    @Test func intactAfterCrashAndRedo() throws {
        try withDataDirectory { directory, configuration, logger in
            let engine = try StorageEngine(dataDirectory: directory, configuration: configuration, logger: logger)
            let xid = try engine.transactions.assignTransactionID()
            try engine.createRelation(relation, kind: .btree, xid: xid)
            try engine.transactions.commit(xid)
            var random = BTreeTestRandom(state: 8)
            let numbers = Array(0..<4_000).shuffled(using: &random)
            try fill(engine.btree(relation), Array(numbers[..<1_500]), xid: xid)
            try engine.checkpoint(reason: .manual)          // later changes log full-page images first
            let second = try engine.transactions.assignTransactionID()
            try fill(engine.btree(relation), Array(numbers[1_500...]), xid: second)
            for number in 0..<200 { try engine.btree(relation).delete(key: btreeTestKey(number, length: 48), tid: btreeTestTID(number)) }
            try engine.transactions.commit(second)          // flushes the WAL
            engine.simulateCrash()

            let recovered = try StorageEngine(dataDirectory: directory, configuration: configuration, logger: logger)
            let index = recovered.btree(relation)
            #expect(try index.verifyStructure() == 3_800)
            #expect(try index.allEntries().map(\.1) == (200..<4_000).map(btreeTestTID))
            try recovered.shutdown()
        }
    }
}
