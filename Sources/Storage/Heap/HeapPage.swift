// Storage: the slotted heap page (PostgreSQL's bufpage.c for heap pages).
//
//  0            24                      pd_lower             pd_upper                8192
//  +------------+-----------------------+--------------------+----------------------+
//  | PageHeader | line pointers →       |    free space      | ← tuples             |
//  |            | lp1 lp2 ... (4 B each)|                    | ... tuple2 tuple1    |
//  +------------+-----------------------+--------------------+----------------------+
//
//  line pointer (slot n at 24 + 4·(n−1)):  offset u16 | length u16   (length includes the
//  24-byte HeapTupleHeader). Slot numbers start at 1 and are never reused (no VACUUM yet), so a
//  TupleID stays valid for as long as the page exists. Tuples start 8-byte aligned (MAXALIGN).
// No special space on heap pages (pd_special = 8192).

enum HeapPage {
    static let linePointerSize = 4
    static let tupleAlignment = 8
    /// The largest tuple (header + data) one empty page holds.
    static let maxTupleSize = (pageSize - pageHeaderSize - linePointerSize) & ~(tupleAlignment - 1)

    static func slotCount(_ page: UnsafeMutableRawBufferPointer) -> Int {
        let header = PageHeader(bytes: page)
        return header.isNew ? 0 : (header.lower - pageHeaderSize) / linePointerSize
    }

    /// True if a tuple of `size` bytes (header included) fits (a new page always has room).
    static func hasRoom(_ page: UnsafeMutableRawBufferPointer, size: Int) -> Bool {
        let header = PageHeader(bytes: page)
        if header.isNew { return true }
        let alignedStart = (header.upper - size) & ~(tupleAlignment - 1)
        return alignedStart >= header.lower + linePointerSize
    }

    /// Adds a tuple and returns its slot; the caller checked hasRoom. Formats a new page first.
    static func add(_ page: UnsafeMutableRawBufferPointer, size: Int, fill: (UnsafeMutableRawBufferPointer) -> Void) -> UInt16 {
        let header = PageHeader(bytes: page)
        if header.isNew { header.initialize(kind: .heap) }
        let start = (header.upper - size) & ~(tupleAlignment - 1)
        precondition(start >= header.lower + linePointerSize, "heap page overflow")
        let slot = UInt16(slotCount(page) + 1)
        page.setU16(UInt16(start), at: header.lower)
        page.setU16(UInt16(size), at: header.lower + 2)
        header.lower += linePointerSize
        header.upper = start
        fill(UnsafeMutableRawBufferPointer(rebasing: page[start..<start + size]))
        return slot
    }

    /// The tuple bytes (header + data) in `slot`, or nil if there is no such slot.
    static func tuple(_ page: UnsafeMutableRawBufferPointer, slot: UInt16) -> UnsafeMutableRawBufferPointer? {
        guard slot >= 1, Int(slot) <= slotCount(page) else { return nil }
        let pointer = pageHeaderSize + Int(slot - 1) * linePointerSize
        let offset = Int(page.u16(at: pointer)), length = Int(page.u16(at: pointer + 2))
        guard length >= HeapTupleHeader.size, offset + length <= pageSize else { return nil }
        return UnsafeMutableRawBufferPointer(rebasing: page[offset..<offset + length])
    }
}
