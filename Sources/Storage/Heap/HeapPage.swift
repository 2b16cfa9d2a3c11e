// Storage: the slotted heap page (PostgreSQL's bufpage.c for heap pages).
//
//  0            24                      pd_lower             pd_upper                8192
//  +------------+-----------------------+--------------------+----------------------+
//  | PageHeader | line pointers →       |    free space      | ← tuples             |
//  |            | lp1 lp2 ... (4 B each)|                    | ... tuple2 tuple1    |
//  +------------+-----------------------+--------------------+----------------------+
//
//  line pointer (slot n at 24 + 4·(n−1)):  offset u16 | length u16
//    LP_NORMAL  length >= 24: a tuple (the 24-byte HeapTupleHeader and its data) at offset
//    LP_DEAD    length 0, offset 1: pruned — its storage is reclaimed, but index entries may still
//               point at the slot, so it must not be reused yet
//    LP_UNUSED  length 0, offset 0: free — VACUUM removed every index entry pointing at it
//  (PostgreSQL keeps two flag bits in the pointer; here "no storage" is length 0 and the offset
//  tells the two states apart, so pointers written before pruning existed read as LP_NORMAL.)
//
// Slot numbers start at 1. A TupleID stays valid while its tuple lives: pruning moves tuples
// (compaction) but never renumbers slots. An LP_UNUSED slot is handed out again by `add`; trailing
// unused pointers are cut off pd_lower. Tuples start 8-byte aligned (MAXALIGN).
// No special space on heap pages (pd_special = 8192).

enum LinePointerState: Equatable {
    case normal
    case dead
    case unused
}

enum HeapPage {
    static let linePointerSize = 4
    static let tupleAlignment = 8
    /// The largest tuple (header + data) one empty page holds.
    static let maxTupleSize = (pageSize - pageHeaderSize - linePointerSize) & ~(tupleAlignment - 1)
    private static let deadMarker: UInt16 = 1

    static func slotCount(_ page: UnsafeMutableRawBufferPointer) -> Int {
        let header = PageHeader(bytes: page)
        return header.isNew ? 0 : (header.lower - pageHeaderSize) / linePointerSize
    }

    private static func pointer(_ slot: UInt16) -> Int { pageHeaderSize + Int(slot - 1) * linePointerSize }

    static func state(_ page: UnsafeMutableRawBufferPointer, slot: UInt16) -> LinePointerState {
        let at = pointer(slot)
        if page.u16(at: at + 2) != 0 { return .normal }
        return page.u16(at: at) == deadMarker ? .dead : .unused
    }

    /// True if a tuple of `size` bytes (header included) fits (a new page always has room).
    /// Room for a new line pointer is always asked for, even when an unused one could be reused.
    static func hasRoom(_ page: UnsafeMutableRawBufferPointer, size: Int) -> Bool {
        let header = PageHeader(bytes: page)
        if header.isNew { return true }
        let alignedStart = (header.upper - size) & ~(tupleAlignment - 1)
        return alignedStart >= header.lower + linePointerSize
    }

    /// Bytes a new tuple could use (header included) — what the free space map records.
    static func freeSpace(_ page: UnsafeMutableRawBufferPointer) -> Int {
        let header = PageHeader(bytes: page)
        if header.isNew { return maxTupleSize }
        return max(0, (header.upper & ~(tupleAlignment - 1)) - header.lower - linePointerSize)
    }

    /// The slot `add` will use: the first LP_UNUSED one, else a new one at the end.
    static func nextSlot(_ page: UnsafeMutableRawBufferPointer) -> UInt16 {
        let count = slotCount(page)
        if count > 0 {
            for slot in 1...UInt16(count) where state(page, slot: slot) == .unused { return slot }
        }
        return UInt16(count + 1)
    }

    /// Adds a tuple in `nextSlot` and returns that slot; the caller checked hasRoom. Formats a new
    /// page first.
    static func add(_ page: UnsafeMutableRawBufferPointer, size: Int, fill: (UnsafeMutableRawBufferPointer) -> Void) -> UInt16 {
        let header = PageHeader(bytes: page)
        if header.isNew { header.initialize(kind: .heap) }
        let start = (header.upper - size) & ~(tupleAlignment - 1)
        precondition(start >= header.lower + linePointerSize, "heap page overflow")
        let slot = nextSlot(page)
        if Int(slot) > slotCount(page) { header.lower += linePointerSize }
        page.setU16(UInt16(start), at: pointer(slot))
        page.setU16(UInt16(size), at: pointer(slot) + 2)
        header.upper = start
        fill(UnsafeMutableRawBufferPointer(rebasing: page[start..<start + size]))
        return slot
    }

    /// The tuple bytes (header + data) in `slot`, or nil if there is no such slot or it holds no
    /// tuple (LP_DEAD, LP_UNUSED).
    static func tuple(_ page: UnsafeMutableRawBufferPointer, slot: UInt16) -> UnsafeMutableRawBufferPointer? {
        guard slot >= 1, Int(slot) <= slotCount(page) else { return nil }
        let offset = Int(page.u16(at: pointer(slot))), length = Int(page.u16(at: pointer(slot) + 2))
        guard length >= HeapTupleHeader.size, offset + length <= pageSize else { return nil }
        return UnsafeMutableRawBufferPointer(rebasing: page[offset..<offset + length])
    }

    /// Pruning: the tuple's storage goes (at the next `compact`), its slot stays reserved.
    static func markDead(_ page: UnsafeMutableRawBufferPointer, slot: UInt16) {
        page.setU16(deadMarker, at: pointer(slot))
        page.setU16(0, at: pointer(slot) + 2)
    }

    /// VACUUM, once no index entry points at the LP_DEAD slot any more: free for reuse.
    static func markUnused(_ page: UnsafeMutableRawBufferPointer, slot: UInt16) {
        page.setU32(0, at: pointer(slot))
    }

    /// PageRepairFragmentation: packs the LP_NORMAL tuples against the end of the page (keeping
    /// their slots), drops trailing LP_UNUSED pointers, and zeroes the hole in between.
    static func compact(_ page: UnsafeMutableRawBufferPointer) {
        let header = PageHeader(bytes: page)
        guard !header.isNew else { return }
        var count = slotCount(page)
        while count > 0, state(page, slot: UInt16(count)) == .unused { count -= 1 }
        var tuples: [(slot: UInt16, bytes: [UInt8])] = []
        if count > 0 {
            for slot in 1...UInt16(count) {
                if let tuple = tuple(page, slot: slot) { tuples.append((slot, Array(tuple))) }
            }
        }
        UnsafeMutableRawBufferPointer(rebasing: page[header.upper...]).initializeMemory(as: UInt8.self, repeating: 0)
        var upper = pageSize
        for (slot, bytes) in tuples {
            upper = (upper - bytes.count) & ~(tupleAlignment - 1)
            bytes.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: page[upper..<upper + bytes.count]).copyMemory(from: $0) }
            page.setU16(UInt16(upper), at: pointer(slot))
        }
        header.lower = pageHeaderSize + count * linePointerSize
        header.upper = upper
        UnsafeMutableRawBufferPointer(rebasing: page[header.lower..<upper]).initializeMemory(as: UInt8.self, repeating: 0)
    }
}
