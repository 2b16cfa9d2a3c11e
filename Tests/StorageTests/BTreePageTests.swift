// Tests of the B-tree page layout and its in-page algorithms (binary search, sorted insert, delete
// with compaction, split point choice) on plain 8 KiB buffers, without a buffer pool.
import Testing
@testable import Storage
import WAL

@Suite struct BTreePageTests {
    /// Runs `body` with a freshly formatted page of the given level.
    func withPage(level: Int = 0, _ body: (BTreePage) throws -> Void) rethrows {
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: pageSize, alignment: 16)
        defer { bytes.deallocate() }
        bytes.initializeMemory(as: UInt8.self, repeating: 0xAB)
        PageHeader(bytes: bytes).lsn = LSN(0x1_0000_0028)
        BTreePage.format(bytes, level: level, rightLink: 0)
        try body(BTreePage(bytes))
    }

    func entry(_ text: String, _ page: UInt32 = 1, _ slot: UInt16 = 1) -> BTreeItem {
        BTreeItem(key: Array(text.utf8), tid: BTreeTID(page: page, slot: slot), child: 0)
    }

    func insertSorted(_ item: BTreeItem, into page: BTreePage) {
        let at = item.key.withUnsafeBytes { page.lowerBound(key: $0, tid: item.tid) }
        page.insert(item, at: at)
    }

    @Test func formatKeepsThePageLSN() {
        withPage { page in
            #expect(PageHeader(bytes: page.bytes).lsn == LSN(0x1_0000_0028))
            #expect(page.isFormatted && page.isLeaf && page.count == 0)
            #expect(page.freeSpace == BTreePage.capacity)
            #expect(page.validate() == nil)
        }
    }

    @Test func insertKeepsEntriesSortedByKeyThenTID() {
        withPage { page in
            for item in [entry("m"), entry("b", 2, 1), entry("zz"), entry("b", 1, 7), entry(""), entry("b", 1, 3)] {
                insertSorted(item, into: page)
            }
            let got = page.items().map { (String(decoding: $0.key, as: UTF8.self), $0.tid.page, $0.tid.slot) }
            #expect(got.map(\.0) == ["", "b", "b", "b", "m", "zz"])
            #expect(got[1...3].map { [$0.1, UInt32($0.2)] } == [[1, 3], [1, 7], [2, 1]])
            #expect(page.validate() == nil)
        }
    }

    @Test func prefixSortsBeforeLongerKey() {
        let a: [UInt8] = [1, 2], b: [UInt8] = [1, 2, 0], c: [UInt8] = [1, 3]
        a.withUnsafeBytes { a in b.withUnsafeBytes { b in c.withUnsafeBytes { c in
            #expect(BTreeEntryOrder.compareKeys(a, b) < 0)
            #expect(BTreeEntryOrder.compareKeys(b, c) < 0)
            #expect(BTreeEntryOrder.compareKeys(c, a) > 0)
            #expect(BTreeEntryOrder.compareKeys(a, a) == 0)
        } } }
    }

    @Test func lowerBoundWithPseudoTIDs() {
        withPage { page in
            for slot: UInt16 in 1...3 { insertSorted(entry("k", 5, slot), into: page) }
            insertSorted(entry("a"), into: page)
            insertSorted(entry("z"), into: page)
            let key = Array("k".utf8)
            key.withUnsafeBytes { key in
                #expect(page.lowerBound(key: key, tid: .lowest) == 1)    // first "k"
                #expect(page.lowerBound(key: key, tid: .highest) == 4)   // first after every "k"
                #expect(page.lowerBound(key: key, tid: BTreeTID(page: 5, slot: 2)) == 2)
            }
        }
    }

    @Test func removeCompactsAndKeepsOrder() {
        withPage { page in
            let words = ["delta", "alpha", "echo", "charlie", "bravo"]
            for word in words { insertSorted(entry(word), into: page) }
            let fullFree = page.freeSpace
            page.remove(at: 2)   // "charlie"
            #expect(page.items().map { String(decoding: $0.key, as: UTF8.self) } == ["alpha", "bravo", "delta", "echo"])
            #expect(page.freeSpace == fullFree + BTreePage.spaceNeeded(keyLength: 7))
            #expect(page.validate() == nil)
            page.remove(at: 0)
            page.remove(at: 2)
            #expect(page.items().map { String(decoding: $0.key, as: UTF8.self) } == ["bravo", "delta"])
            page.remove(at: 0)
            page.remove(at: 0)
            #expect(page.count == 0 && page.freeSpace == BTreePage.capacity)
        }
    }

    @Test func pageFillsUntilNoRoom() {
        withPage { page in
            var inserted = 0
            while page.fits(keyLength: 100) {
                insertSorted(BTreeItem(key: [UInt8](repeating: UInt8(inserted % 251), count: 100),
                                       tid: BTreeTID(page: UInt32(inserted), slot: 1), child: 0), into: page)
                inserted += 1
            }
            #expect(inserted == BTreePage.capacity / BTreePage.spaceNeeded(keyLength: 100))
            #expect(page.validate() == nil)
        }
    }

    @Test func childIndexFollowsLastSeparatorAtOrBelow() {
        withPage(level: 1) { page in
            page.insert(.firstDownlink(to: 10), at: 0)
            page.insert(BTreeItem(key: Array("g".utf8), tid: BTreeTID(page: 3, slot: 2), child: 11), at: 1)
            page.insert(BTreeItem(key: Array("p".utf8), tid: BTreeTID(page: 1, slot: 1), child: 12), at: 2)
            func child(_ key: String, _ tid: BTreeTID) -> UInt32 {
                Array(key.utf8).withUnsafeBytes { page.child(at: page.childIndex(key: $0, tid: tid)) }
            }
            #expect(child("", .lowest) == 10)
            #expect(child("a", .highest) == 10)
            #expect(child("g", .lowest) == 10)                           // before the separator's TID
            #expect(child("g", BTreeTID(page: 3, slot: 2)) == 11)        // equal to the separator
            #expect(child("g", .highest) == 11)
            #expect(child("pa", .lowest) == 12)
        }
    }

    @Test func splitAtHalfWhenInsertingInTheMiddle() throws {
        let items = (0..<40).map { entry(padded($0), UInt32($0), 1) }
        let split = try #require(BTreeSplitChooser.split(items, insertedAt: 10, isLeaf: true, isRightmost: true))
        #expect(split.left.count == 20 && split.right.count == 20)
        #expect(split.separator.key == split.right[0].key && split.separator.tid == split.right[0].tid)
    }

    @Test func rightmostAppendFillsTheLeftPage() throws {
        let items = (0..<40).map { entry(padded($0), UInt32($0), 1) }
        let split = try #require(BTreeSplitChooser.split(items, insertedAt: 39, isLeaf: true, isRightmost: true))
        #expect(split.left.count == 36 && split.right.count == 4)
        let notRightmost = try #require(BTreeSplitChooser.split(items, insertedAt: 39, isLeaf: true, isRightmost: false))
        #expect(notRightmost.left.count == 20)
    }

    @Test func internalSplitMovesTheMiddleKeyUp() throws {
        var items = [BTreeItem.firstDownlink(to: 100)]
        items += (1..<10).map { BTreeItem(key: Array(padded($0).utf8), tid: BTreeTID(page: 1, slot: 1), child: 100 + UInt32($0)) }
        let split = try #require(BTreeSplitChooser.split(items, insertedAt: 3, isLeaf: false, isRightmost: false))
        let at = split.left.count
        #expect(split.separator.key == items[at].key)
        #expect(split.right[0] == .firstDownlink(to: items[at].child))
        #expect(split.right.count == items.count - at)
    }

    @Test func splitOfLargeKeysKeepsBothHalvesWithinAPage() throws {
        let big = btreeMaximumKeyLength
        let items = (0..<4).map { BTreeItem(key: [UInt8](repeating: UInt8($0), count: big), tid: BTreeTID(page: 1, slot: 1), child: 0) }
        let split = try #require(BTreeSplitChooser.split(items, insertedAt: 3, isLeaf: true, isRightmost: true))
        #expect(split.left.reduce(0) { $0 + $1.spaceNeeded } <= BTreePage.capacity)
        #expect(split.right.reduce(0) { $0 + $1.spaceNeeded } <= BTreePage.capacity)
    }

    private func padded(_ number: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }
}
