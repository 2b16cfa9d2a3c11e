// A B-tree node page (leaf or internal): a slotted page whose line pointers are kept in key order.
//
//  0            24                              pd_lower        pd_upper             8184       8192
//  +------------+-------------------------------+---------------+--------------------+-----------+
//  | page header| line pointers, 4 B each,      |  free space   | items, packed      | special:  |
//  | (Storage;  | in entry order →              |  (all zeros)  | towards the end ←  | rightLink |
//  | pd_kind =  |                               |               |                    | level     |
//  | btree)     |                               |               |                    |           |
//  +------------+-------------------------------+---------------+--------------------+-----------+
//
//  line pointer:  offset u16 | length u16                (like PostgreSQL's ItemIdData)
//  item:          heap page u32 | heap slot u16 | key length u16 | child page u32 | key bytes
//                 (12-byte item header; child is 0 on leaves)
//  special space: rightLink u32 | level u32               (PostgreSQL's BTPageOpaqueData, trimmed)
//
// Leaf items (level 0) are the index entries (key, heap TID). An internal item is a separator and a
// downlink: child i holds every entry e with separator(i) <= e < separator(i+1). The first item of an
// internal page has the empty key and TID (0,0): the smallest possible entry, PostgreSQL's "minus
// infinity" item, so that every search finds a child.
//
// rightLink is the page number of the right sibling on the same level, 0 if this is the rightmost
// page (page 0 is the metapage, so it can never be a sibling — PostgreSQL's P_NONE). Leaf scans
// follow it to move on in key order.
//
// Invariants: pd_lower (the end of the line pointer array) <= pd_upper; every item lies in
// [pd_upper, special); entries are strictly increasing in BTreeEntryOrder; deleting an item compacts
// the item area at once (like PostgreSQL's PageIndexTupleDelete), so the free space is one hole
// between pd_lower and pd_upper — which a full-page image may leave out, so nothing lives there.
// The LSN and checksum are Storage's: logChanges and the buffer pool set them.

/// A view of one B-tree node page. Reading through a view of a page held in share mode is fine;
/// only the mutating methods write.
struct BTreePage {
    let bytes: UnsafeMutableRawBufferPointer

    static let lineSize = 4
    static let itemHeaderSize = 12
    static let specialSize = 8
    static let linesOffset = pageHeaderSize
    private static let rightLinkOffset = pageSize - specialSize
    private static let levelOffset = pageSize - specialSize + 4

    /// Bytes available for line pointers and items on an empty page.
    static let capacity = pageSize - pageHeaderSize - specialSize

    init(_ bytes: UnsafeMutableRawBufferPointer) {
        precondition(bytes.count == pageSize, "a B-tree page is \(pageSize) bytes")
        self.bytes = bytes
    }

    private var header: PageHeader { PageHeader(bytes: bytes) }

    /// Formats an empty node of the given level (0 = leaf). Keeps the page LSN.
    static func format(_ bytes: UnsafeMutableRawBufferPointer, level: Int, rightLink: UInt32) {
        let page = BTreePage(bytes)
        let lsn = page.header.lsn
        page.header.initialize(kind: .btree, specialSize: specialSize)
        page.header.lsn = lsn
        page.rightLink = rightLink
        bytes.setU32(UInt32(level), at: levelOffset)
    }

    // MARK: header fields

    /// A formatted B-tree node: the right kind, and a special space of the right size.
    var isFormatted: Bool {
        header.kind == PageKind.btree.rawValue && header.special == Self.rightLinkOffset
    }
    var level: Int { Int(bytes.u32(at: Self.levelOffset)) }
    var isLeaf: Bool { level == 0 }
    var count: Int { (header.lower - Self.linesOffset) / Self.lineSize }
    var rightLink: UInt32 {
        get { bytes.u32(at: Self.rightLinkOffset) }
        nonmutating set { bytes.setU32(newValue, at: Self.rightLinkOffset) }
    }
    var freeSpace: Int { header.freeSpace }

    /// What an item with a key of this length costs: its line pointer plus its bytes.
    static func spaceNeeded(keyLength: Int) -> Int { lineSize + itemHeaderSize + keyLength }

    func fits(keyLength: Int) -> Bool { freeSpace >= Self.spaceNeeded(keyLength: keyLength) }

    /// Checks what a reader relies on before trusting the page (a torn or foreign page would
    /// otherwise send offsets outside the buffer). Returns a description of the first problem.
    func validate() -> String? {
        guard isFormatted else { return "not a B-tree node page" }
        guard header.isSane, (header.lower - Self.linesOffset) % Self.lineSize == 0 else {
            return "pd_lower \(header.lower) / pd_upper \(header.upper) are inconsistent"
        }
        for index in 0..<count {
            let (offset, length) = line(index)
            guard offset >= header.upper, length >= Self.itemHeaderSize,
                  offset + length <= Self.rightLinkOffset,
                  Self.itemHeaderSize + Int(bytes.u16(at: offset + 6)) == length
            else { return "item \(index + 1) is malformed" }
        }
        return nil
    }

    // MARK: items

    private func line(_ index: Int) -> (offset: Int, length: Int) {
        let at = Self.linesOffset + index * Self.lineSize
        return (Int(bytes.u16(at: at)), Int(bytes.u16(at: at + 2)))
    }

    func tid(at index: Int) -> BTreeTID {
        let offset = line(index).offset
        return BTreeTID(page: bytes.u32(at: offset), slot: bytes.u16(at: offset + 4))
    }

    func child(at index: Int) -> UInt32 {
        bytes.u32(at: line(index).offset + 8)
    }

    func key(at index: Int) -> UnsafeRawBufferPointer {
        let (offset, length) = line(index)
        return UnsafeRawBufferPointer(rebasing: bytes[(offset + Self.itemHeaderSize)..<(offset + length)])
    }

    func item(at index: Int) -> BTreeItem {
        BTreeItem(key: Array(key(at: index)), tid: tid(at: index), child: child(at: index))
    }

    func items() -> [BTreeItem] { (0..<count).map { item(at: $0) } }

    /// Compares the entry at `index` with (key, tid).
    func compare(at index: Int, key: UnsafeRawBufferPointer, tid: BTreeTID) -> Int {
        BTreeEntryOrder.compare(key: self.key(at: index), tid: self.tid(at: index), key: key, tid: tid)
    }

    /// Binary search: the first index whose entry is >= (key, tid); `count` if there is none.
    func lowerBound(key: UnsafeRawBufferPointer, tid: BTreeTID) -> Int {
        var low = 0, high = count
        while low < high {
            let middle = (low + high) / 2
            if compare(at: middle, key: key, tid: tid) < 0 { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// On an internal page: the index of the downlink to follow for (key, tid), that is the last
    /// separator <= (key, tid). Item 0 is minus infinity, so there always is one.
    func childIndex(key: UnsafeRawBufferPointer, tid: BTreeTID) -> Int {
        precondition(!isLeaf && count > 0, "childIndex on a leaf or an empty internal page")
        let position = lowerBound(key: key, tid: tid)
        if position < count, compare(at: position, key: key, tid: tid) == 0 { return position }
        return position - 1
    }

    /// Inserts an item so that it becomes the `index`-th entry. The caller checked `fits` and chose
    /// `index` with `lowerBound`, which keeps the entries sorted.
    func insert(_ item: BTreeItem, at index: Int) {
        precondition(index >= 0 && index <= count, "insert position \(index) outside 0...\(count)")
        precondition(fits(keyLength: item.key.count), "B-tree page has no room for the item")
        let length = Self.itemHeaderSize + item.key.count
        let offset = header.upper - length
        write(item, at: offset)
        // Shift the line pointers from `index` on one slot to the right.
        let from = Self.linesOffset + index * Self.lineSize
        let moved = header.lower - from
        if moved > 0, let base = bytes.baseAddress {
            (base + from + Self.lineSize).copyMemory(from: base + from, byteCount: moved)
        }
        bytes.setU16(UInt16(offset), at: from)
        bytes.setU16(UInt16(length), at: from + 2)
        header.lower += Self.lineSize
        header.upper = offset
    }

    /// Removes the `index`-th entry and closes the hole it leaves in the item area.
    func remove(at index: Int) {
        precondition(index >= 0 && index < count, "remove position \(index) outside 0..<\(count)")
        guard let base = bytes.baseAddress else { return }
        let (offset, length) = line(index)
        let upper = header.upper
        // The items stored below the removed one (at lower addresses) move up by its length.
        (base + upper + length).copyMemory(from: base + upper, byteCount: offset - upper)
        let from = Self.linesOffset + (index + 1) * Self.lineSize
        let moved = header.lower - from
        if moved > 0 {
            (base + from - Self.lineSize).copyMemory(from: base + from, byteCount: moved)
        }
        header.lower -= Self.lineSize
        header.upper = upper + length
        for other in 0..<count {
            let at = Self.linesOffset + other * Self.lineSize
            let otherOffset = Int(bytes.u16(at: at))
            if otherOffset < offset { bytes.setU16(UInt16(otherOffset + length), at: at) }
        }
        // Leave the hole zeroed, as a freshly formatted page has it.
        (base + upper).initializeMemory(as: UInt8.self, repeating: 0, count: length)
        (base + header.lower).initializeMemory(as: UInt8.self, repeating: 0, count: Self.lineSize)
    }

    /// Replaces the whole content with `items` (already sorted), keeping the page LSN.
    func rewrite(level: Int, rightLink: UInt32, items: [BTreeItem]) {
        Self.format(bytes, level: level, rightLink: rightLink)
        for (index, item) in items.enumerated() { insert(item, at: index) }
    }

    private func write(_ item: BTreeItem, at offset: Int) {
        bytes.setU32(item.tid.page, at: offset)
        bytes.setU16(item.tid.slot, at: offset + 4)
        bytes.setU16(UInt16(item.key.count), at: offset + 6)
        bytes.setU32(item.child, at: offset + 8)
        item.key.withUnsafeBytes { key in
            if let source = key.baseAddress, let base = bytes.baseAddress {
                (base + offset + Self.itemHeaderSize).copyMemory(from: source, byteCount: key.count)
            }
        }
    }
}

/// One item copied out of a page: an index entry on a leaf, a separator and downlink on an
/// internal page.
struct BTreeItem: Equatable, Sendable {
    var key: [UInt8]
    var tid: BTreeTID
    var child: UInt32

    /// The minus-infinity downlink that starts every internal page.
    static func firstDownlink(to child: UInt32) -> BTreeItem {
        BTreeItem(key: [], tid: .lowest, child: child)
    }

    var spaceNeeded: Int { BTreePage.spaceNeeded(keyLength: key.count) }
}
