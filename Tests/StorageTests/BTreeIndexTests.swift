// Tests of BTreeIndex over a bare buffer pool: many random inserts (multi-level trees), range scans
// with every kind of bound, duplicates, deletes, oversized keys, a tiny buffer pool that evicts
// while splitting, reopening from disk, and concurrent writers and readers.
import Foundation
import Testing
import WAL
@testable import Storage

@Suite struct BTreeIndexTests {
    let relation = RelationID(16384)
    let xid = TransactionID(3)

    func withIndex(frames: Int = 64, _ body: (BTreeTestStore, BTreeIndex) throws -> Void) throws {
        let store = try BTreeTestStore(frames: frames)
        defer { store.removeFiles() }
        try body(store, try store.index(relation))
    }

    @Test func emptyIndexScansNothing() throws {
        try withIndex { _, index throws in
            #expect(try index.allEntries().isEmpty)
            #expect(try index.height() == 0)
            #expect(try index.delete(key: [1], tid: btreeTestTID(1)) == false)
            #expect(try index.verifyStructure() == 0)
        }
    }

    @Test func twentyThousandRandomKeysComeBackInOrder() throws {
        try withIndex { _, index throws in
            var random = BTreeTestRandom(state: 42)
            let numbers = Array(0..<20_000).shuffled(using: &random)
            for number in numbers {
                try index.insert(key: btreeTestKey(number, length: 60), tid: btreeTestTID(number), xid: xid)
            }
            #expect(try index.height() >= 3)
            #expect(try index.verifyStructure() == 20_000)
            let entries = try index.allEntries()
            #expect(entries.count == 20_000)
            #expect(entries.map(\.0) == (0..<20_000).map { btreeTestKey($0, length: 60) })
            #expect(entries.map(\.1) == (0..<20_000).map(btreeTestTID))
        }
    }

    @Test func ascendingInsertsFillLeftPages() throws {
        try withIndex { store, index throws in
            for number in 0..<5_000 { try index.insert(key: btreeTestKey(number), tid: btreeTestTID(number), xid: xid) }
            #expect(try index.verifyStructure() == 5_000)
            // 5,000 entries of 28 bytes fit in about 18 pages filled to 90%; half-full splits would need 35.
            #expect(try store.pageCount(of: relation) < 26)
        }
    }

    @Test func aSplitIsOneChangeOverAllItsPages() throws {
        try withIndex { store, index throws in
            var number = 0
            while try index.height() < 2 {
                try index.insert(key: btreeTestKey(number, length: 100), tid: btreeTestTID(number), xid: xid)
                number += 1
            }
            // The first split: the old root leaf (1), the new leaf (2), the new root (3) and the metapage.
            #expect(Set(store.loggedPageSets.last ?? []) == [1, 2, 3, 0])
            let rootSplits = store.loggedPageSets.count
            while store.loggedPageSets.count == rootSplits || store.loggedPageSets.last?.count == 1 {
                try index.insert(key: btreeTestKey(number, length: 100), tid: btreeTestTID(number), xid: xid)
                number += 1
            }
            // A leaf split below the root: the parent, the old leaf and the new one.
            #expect(Set(store.loggedPageSets.last ?? []) == [3, 2, 4])
        }
    }

    @Test func rangeScansWithEveryKindOfBound() throws {
        try withIndex { _, index throws in
            let numbers = Array(stride(from: 0, to: 2_000, by: 2))   // even numbers only
            for number in numbers.reversed() { try index.insert(key: btreeTestKey(number), tid: btreeTestTID(number), xid: xid) }
            let bounds: [(Int, Bool)?] = [nil, (100, true), (100, false), (101, true), (101, false), (1_998, false), (-1, true)]
            for lower in bounds {
                for upper in bounds {
                    let got = try index.allEntries(from: lower.map { BTreeBound(key: key($0.0), inclusive: $0.1) },
                                                   to: upper.map { BTreeBound(key: key($0.0), inclusive: $0.1) })
                    let expected = numbers.filter { number in
                        (lower.map { number > $0.0 || (number == $0.0 && $0.1) } ?? true)
                            && (upper.map { number < $0.0 || (number == $0.0 && $0.1) } ?? true)
                    }
                    #expect(got.map(\.1) == expected.map(btreeTestTID), "lower \(String(describing: lower)) upper \(String(describing: upper))")
                }
            }
        }
        func key(_ number: Int) -> [UInt8] { number < 0 ? [] : btreeTestKey(number) }
    }

    @Test func scanStopsWhenTheClosureSaysSo() throws {
        try withIndex { _, index throws in
            for number in 0..<3_000 { try index.insert(key: btreeTestKey(number), tid: btreeTestTID(number), xid: xid) }
            var seen: [TupleID] = []
            try index.scan(from: BTreeBound(key: btreeTestKey(500), inclusive: true), to: nil) { _, tid in
                seen.append(tid)
                return seen.count < 700
            }
            #expect(seen == (500..<1_200).map(btreeTestTID))
        }
    }

    @Test func duplicatesAreOrderedByTIDAndDeletable() throws {
        try withIndex { _, index throws in
            var random = BTreeTestRandom(state: 7)
            let duplicate = Array("same key".utf8)
            let tids = Array(0..<1_500).shuffled(using: &random)
            for number in tids { try index.insert(key: duplicate, tid: btreeTestTID(number), xid: xid) }
            for number in 0..<300 { try index.insert(key: btreeTestKey(number), tid: btreeTestTID(number), xid: xid) }
            let exact = BTreeBound(key: duplicate, inclusive: true)
            #expect(try index.allEntries(from: exact, to: exact).map(\.1) == (0..<1_500).map(btreeTestTID))
            // The same (key, TID) twice is refused.
            #expect(throws: StorageError.self) { try index.insert(key: duplicate, tid: btreeTestTID(5), xid: xid) }
            for number in stride(from: 0, to: 1_500, by: 3) {
                #expect(try index.delete(key: duplicate, tid: btreeTestTID(number)))
            }
            #expect(try index.delete(key: duplicate, tid: btreeTestTID(0)) == false)
            let remaining = (0..<1_500).filter { $0 % 3 != 0 }.map(btreeTestTID)
            #expect(try index.allEntries(from: exact, to: exact).map(\.1) == remaining)
            #expect(try index.allEntries(from: BTreeBound(key: duplicate, inclusive: false), to: nil).isEmpty)
            #expect(try index.verifyStructure() == 1_000 + 300)
        }
    }

    @Test func deleteRemovesExactlyTheEntry() throws {
        try withIndex { _, index throws in
            var random = BTreeTestRandom(state: 99)
            for number in 0..<4_000 { try index.insert(key: btreeTestKey(number, length: 40), tid: btreeTestTID(number), xid: xid) }
            let doomed = Set(Array(0..<4_000).shuffled(using: &random).prefix(2_500))
            for number in doomed {
                #expect(try index.delete(key: btreeTestKey(number, length: 40), tid: btreeTestTID(number)))
            }
            // Right key, wrong TID: nothing to delete.
            #expect(try index.delete(key: btreeTestKey(1, length: 40), tid: btreeTestTID(2)) == false || doomed.contains(1))
            let expected = (0..<4_000).filter { !doomed.contains($0) }
            #expect(try index.allEntries().map(\.1) == expected.map(btreeTestTID))
            #expect(try index.verifyStructure() == expected.count)
            // Deleted space is reused.
            for number in doomed { try index.insert(key: btreeTestKey(number, length: 40), tid: btreeTestTID(number), xid: xid) }
            #expect(try index.verifyStructure() == 4_000)
        }
    }

    @Test func randomInsertsAndDeletesMatchAModel() throws {
        try withIndex(frames: 24) { _, index throws in
            var random = BTreeTestRandom(state: 2026)
            var model = Set<Int>()
            for step in 0..<6_000 {
                let number = Int.random(in: 0..<1_500, using: &random)
                // Key lengths vary (8 to 400 bytes) so that splits see uneven items.
                let key = btreeTestKey(number / 3, length: 8 + number % 393)
                if model.contains(number) {
                    #expect(try index.delete(key: key, tid: btreeTestTID(number)))
                    model.remove(number)
                } else {
                    try index.insert(key: key, tid: btreeTestTID(number), xid: xid)
                    model.insert(number)
                }
                if step % 1_000 == 999 { #expect(try index.verifyStructure() == model.count) }
            }
            let expected = model.sorted { a, b in
                let (ka, kb) = (btreeTestKey(a / 3, length: 8 + a % 393), btreeTestKey(b / 3, length: 8 + b % 393))
                return ka == kb ? a < b : ka.lexicographicallyPrecedes(kb)
            }
            #expect(try index.allEntries().map(\.1) == expected.map(btreeTestTID))
        }
    }

    @Test func emptyAndInvertedRangesFindNothing() throws {
        try withIndex { _, index throws in
            for number in 0..<500 { try index.insert(key: btreeTestKey(number), tid: btreeTestTID(number), xid: xid) }
            let beyond = BTreeBound(key: btreeTestKey(10_000), inclusive: true)
            #expect(try index.allEntries(from: beyond, to: nil).isEmpty)
            #expect(try index.allEntries(from: BTreeBound(key: btreeTestKey(300), inclusive: true),
                                         to: BTreeBound(key: btreeTestKey(200), inclusive: true)).isEmpty)
            #expect(try index.allEntries(from: BTreeBound(key: btreeTestKey(300), inclusive: false),
                                         to: BTreeBound(key: btreeTestKey(300), inclusive: true)).isEmpty)
            #expect(try index.allEntries(from: nil, to: BTreeBound(key: [], inclusive: false)).isEmpty)
        }
    }

    @Test func keysUpToTheLimitAreAcceptedLongerOnesRefused() throws {
        try withIndex { _, index throws in
            let limit = BTreeIndex.maximumKeyLength
            do {
                try index.insert(key: [UInt8](repeating: 1, count: limit + 1), tid: btreeTestTID(1), xid: xid)
                Issue.record("an oversized key was accepted")
            } catch let error as StorageError {
                #expect(error.kind == .rowTooBig)
                #expect(error.message == "index row size \(limit + 1) exceeds btree maximum \(limit)")
            }
            var random = BTreeTestRandom(state: 5)
            for number in Array(0..<60).shuffled(using: &random) {
                try index.insert(key: btreeTestKey(number, length: limit), tid: btreeTestTID(number), xid: xid)
            }
            #expect(try index.height() >= 3)
            #expect(try index.verifyStructure() == 60)
            #expect(try index.allEntries().map(\.1) == (0..<60).map(btreeTestTID))
        }
    }

    @Test func tinyBufferPoolEvictsWhileSplitting() throws {
        try withIndex(frames: 16) { store, index throws in
            var random = BTreeTestRandom(state: 3)
            for number in Array(0..<3_000).shuffled(using: &random) {
                try index.insert(key: btreeTestKey(number, length: 300), tid: btreeTestTID(number), xid: xid)
            }
            #expect(try store.pageCount(of: relation) > 16 * 4)
            #expect(try index.height() >= 3)
            #expect(try index.verifyStructure() == 3_000)
            #expect(try index.allEntries().map(\.1) == (0..<3_000).map(btreeTestTID))
        }
    }

    @Test func indexIsIntactAfterReopening() throws {
        let store = try BTreeTestStore(frames: 32)
        defer { store.removeFiles() }
        let index = try store.index(relation)
        var random = BTreeTestRandom(state: 11)
        for number in Array(0..<5_000).shuffled(using: &random) {
            try index.insert(key: btreeTestKey(number, length: 24), tid: btreeTestTID(number), xid: xid)
        }
        let reopened = try store.reopened(frames: 16)
        let again = try reopened.index(relation)
        #expect(try again.verifyStructure() == 5_000)
        #expect(try again.allEntries().map(\.1) == (0..<5_000).map(btreeTestTID))
        try again.insert(key: btreeTestKey(5_000, length: 24), tid: btreeTestTID(5_000), xid: xid)
        #expect(try again.verifyStructure() == 5_001)
    }

    @Test func scanClosureMayInsertIntoTheSameIndex() throws {
        try withIndex { _, index throws in
            for number in 0..<1_000 { try index.insert(key: btreeTestKey(number), tid: btreeTestTID(number), xid: xid) }
            var visited = 0
            try index.scan(from: nil, to: BTreeBound(key: btreeTestKey(999), inclusive: true)) { _, tid in
                visited += 1
                let number = Int(tid.page.value) * 100 + Int(tid.slot) - 1
                try index.insert(key: btreeTestKey(number + 10_000), tid: btreeTestTID(number + 10_000), xid: xid)
                return true
            }
            #expect(visited == 1_000)
            #expect(try index.verifyStructure() == 2_000)
        }
    }

    @Test func concurrentWritersAndReaders() throws {
        try withIndex(frames: 32) { store, index throws in
            let writers = 3, perWriter = 1_500
            let failures = FailureBox()
            let group = DispatchGroup()
            for writer in 0..<writers {
                DispatchQueue.global().async(group: group) {
                    do {
                        for i in 0..<perWriter {
                            let number = i * writers + writer
                            try index.insert(key: btreeTestKey(number, length: 50), tid: btreeTestTID(number), xid: TransactionID(3))
                        }
                    } catch { failures.add("writer \(writer): \(error)") }
                }
            }
            DispatchQueue.global().async(group: group) {
                do {
                    for _ in 0..<20 {
                        var previous: [UInt8]?
                        try index.scan(from: nil, to: nil) { key, _ in
                            let current = Array(key)
                            if let previous, !previous.lexicographicallyPrecedes(current) { failures.add("scan out of order") }
                            previous = current
                            return true
                        }
                    }
                } catch { failures.add("reader: \(error)") }
            }
            group.wait()
            #expect(failures.messages.isEmpty, "\(failures.messages)")
            #expect(try index.verifyStructure() == writers * perWriter)
            _ = store
        }
    }
}

/// Collects failures from worker threads.
final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ message: String) { lock.lock(); list.append(message); lock.unlock() }
    var messages: [String] { lock.lock(); defer { lock.unlock() }; return list }
}
