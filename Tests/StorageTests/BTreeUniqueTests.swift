// Tests of insertUnique: the caller's verdict on entries with an equal key decides, and two
// sessions racing to insert the same key cannot both succeed.
import Foundation
import Testing
import WAL
@testable import Storage

@Suite struct BTreeUniqueTests {
    let relation = RelationID(16384)
    let xid = TransactionID(3)

    @Test func verdictsDecideTheInsert() throws {
        let store = try BTreeTestStore(frames: 32)
        defer { store.removeFiles() }
        let index = try store.index(relation)
        let key = btreeTestKey(7)
        #expect(try index.insertUnique(key: key, tid: btreeTestTID(1), xid: xid) { _ in .conflict } == .inserted)
        #expect(try index.insertUnique(key: key, tid: btreeTestTID(2), xid: xid) { _ in .conflict } == .conflict(btreeTestTID(1)))
        #expect(try index.insertUnique(key: key, tid: btreeTestTID(2), xid: xid) { _ in .waitFor(TransactionID(9)) } == .mustWait(TransactionID(9)))
        #expect(try index.insertUnique(key: key, tid: btreeTestTID(2), xid: xid) { _ in .ignore } == .inserted)
        #expect(try index.insertUnique(key: btreeTestKey(8), tid: btreeTestTID(3), xid: xid) { _ in .conflict } == .inserted)
        #expect(try index.allEntries().map(\.1) == [1, 2, 3].map(btreeTestTID))
    }

    @Test func checkSeesEveryEqualEntryAcrossLeaves() throws {
        let store = try BTreeTestStore(frames: 32)
        defer { store.removeFiles() }
        let index = try store.index(relation)
        let key = [UInt8](repeating: 0x42, count: 200)
        for number in 0..<800 { try index.insert(key: key, tid: btreeTestTID(number), xid: xid) }
        for number in 0..<300 { try index.insert(key: btreeTestKey(number), tid: btreeTestTID(number), xid: xid) }
        #expect(try index.height() >= 2)
        var seen: [TupleID] = []
        let result = try index.insertUnique(key: key, tid: btreeTestTID(5_000), xid: xid) { existing in
            seen.append(existing)
            return .ignore
        }
        #expect(result == .inserted)
        #expect(seen == (0..<800).map(btreeTestTID))
        #expect(try index.verifyStructure() == 1_101)
    }

    @Test func racingInsertsOfOneKeyLetOnlyOneIn() throws {
        let store = try BTreeTestStore(frames: 32)
        defer { store.removeFiles() }
        let index = try store.index(relation)
        let failures = FailureBox()
        let inserted = FailureBox()
        let group = DispatchGroup()
        for worker in 0..<4 {
            DispatchQueue.global().async(group: group) {
                do {
                    for number in 0..<300 {
                        let result = try index.insertUnique(key: btreeTestKey(number), tid: btreeTestTID(number * 4 + worker),
                                                            xid: TransactionID(3)) { _ in .conflict }
                        if result == .inserted { inserted.add("\(number)") }
                    }
                } catch { failures.add("\(error)") }
            }
        }
        group.wait()
        #expect(failures.messages.isEmpty)
        #expect(inserted.messages.count == 300)
        #expect(Set(inserted.messages).count == 300)
        #expect(try index.verifyStructure() == 300)
    }
}
