// The order of B-tree entries: key bytes compared like memcmp (a shorter key that is a prefix of a
// longer one sorts first), then the heap TID (page, then slot) as a tie-breaker.
//
// Invariant: (key, tid) is unique in an index, so every entry — even one of many duplicates of a
// key — has exactly one place in the tree and can be found again to be deleted. This is the same
// idea as PostgreSQL 12's "heap TID as a key column" (nbtree README, "Notes about data
// representation").
//
// Two pseudo-TIDs bracket every real one (slot numbers start at 1, and a relation never reaches page
// 0xFFFFFFFF, PostgreSQL's InvalidBlockNumber):
//   BTreeTID.lowest  (0, 0)           — "before every entry with this key" (inclusive lower bounds)
//   BTreeTID.highest (0xFFFFFFFF, 0xFFFF) — "after every entry with this key" (exclusive lower bounds)
// and the empty key with BTreeTID.lowest is the smallest possible entry, which is why the first item
// of an internal page (its "minus infinity" downlink) needs no special case.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A heap tuple pointer as the B-tree stores it; converted to and from `TupleID` at the API edge,
/// so that the page layer is plain bytes and integers.
struct BTreeTID: Hashable, Comparable, Sendable {
    var page: UInt32
    var slot: UInt16

    static let lowest = BTreeTID(page: 0, slot: 0)
    static let highest = BTreeTID(page: UInt32.max, slot: UInt16.max)

    static func < (a: BTreeTID, b: BTreeTID) -> Bool {
        a.page != b.page ? a.page < b.page : a.slot < b.slot
    }
}

enum BTreeEntryOrder {
    /// memcmp order over the common prefix, then the shorter key first. Returns <0, 0 or >0.
    static func compareKeys(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        let common = min(a.count, b.count)
        if common > 0, let pa = a.baseAddress, let pb = b.baseAddress {
            let result = memcmp(pa, pb, common)
            if result != 0 { return Int(result) }
        }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }

    /// The full entry order: key, then TID.
    static func compare(key a: UnsafeRawBufferPointer, tid tidA: BTreeTID,
                        key b: UnsafeRawBufferPointer, tid tidB: BTreeTID) -> Int {
        let byKey = compareKeys(a, b)
        if byKey != 0 { return byKey }
        return tidA == tidB ? 0 : (tidA < tidB ? -1 : 1)
    }
}
