// Removing dead entries from a full leaf before splitting it (PostgreSQL's "simple deletion" in
// _bt_delete_or_dedup_one_page, reduced to asking the heap about every entry of the leaf).
//
// Without HOT, every UPDATE adds an entry to every index, and the entries of the versions it
// replaced stay until VACUUM. A table whose few rows are updated all the time (pgbench's branches
// and tellers) would split its index's leaves over and over; instead, when an insert finds its
// leaf full, the entries whose heap tuple is dead to everyone (or already pruned to LP_DEAD) are
// removed first, and the page splits only if that did not make room.
//
// Safe because such an entry can never lead a scan to a visible row: its tuple is dead to every
// snapshot in use and to every later one. The heap slot is left alone (other indexes may still
// point at it); VACUUM frees it. The caller holds the tree lock exclusively and the leaf
// exclusively; the heap pages are read in share mode (index before heap, the same order as the
// unique check), and the leaf is rewritten inside one logChanges.
import WAL

extension HeapRelation {
    /// True if the version at `tid` is dead to everyone (pruned, or deleted before `horizon`).
    func isDeadToEveryone(_ tid: TupleID, horizon: TransactionID) throws -> Bool {
        guard Int(tid.page.value) < (try pool.pageCount(id)) else { return false }
        let page = try pool.read(id, tid.page, .shared)
        defer { page.release() }
        guard Int(tid.slot) >= 1, Int(tid.slot) <= HeapPage.slotCount(page.bytes) else { return false }
        switch HeapPage.state(page.bytes, slot: tid.slot) {
        case .dead: return true
        case .unused: return false
        case .normal:
            guard let tuple = HeapPage.tuple(page.bytes, slot: tid.slot) else { return false }
            return Visibility.isDeadToEveryone(HeapTupleHeader(reading: UnsafeRawBufferPointer(tuple), at: 0),
                                               horizon: horizon, clog)
        }
    }
}

extension BTreeIndex {
    /// Removes the entries of the exclusively locked `leaf` that point at versions of `heap` dead
    /// to everyone; returns how many (0: the page and the WAL are untouched).
    @discardableResult
    func deleteDeadEntries(_ leaf: PageGuard, heap: HeapRelation, xid: TransactionID) throws -> Int {
        let page = BTreePage(leaf.bytes)
        let horizon = heap.horizon()
        let items = page.items()
        let kept = try items.filter { try !heap.isDeadToEveryone($0.tid.tupleID, horizon: horizon) }
        guard kept.count < items.count else { return 0 }
        try store.logPageChanges([leaf], xid: xid) {
            page.rewrite(level: 0, rightLink: page.rightLink, items: kept)
        }
        return items.count - kept.count
    }
}
