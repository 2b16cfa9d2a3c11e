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
// unique check), and the leaf is rewritten inside one logChanges. That record carries the newest
// xmax among the removed entries' heap versions not yet pruned (the conflict horizon a hot standby
// resolves before applying it; entries of LP_DEAD slots add nothing: their pruning carried it).
import WAL

extension HeapRelation {
    /// Whether the version at `tid` is dead to everyone (pruned, or deleted before `horizon`): nil
    /// if not, else the xid a standby's snapshots must be past before its entry goes (`.invalid`:
    /// none — already pruned, or its inserter aborted).
    func deadVersionConflictHorizon(_ tid: TupleID, horizon: TransactionID) throws -> TransactionID? {
        guard Int(tid.page.value) < (try pool.pageCount(id)) else { return nil }
        let page = try pool.read(id, tid.page, .shared)
        defer { page.release() }
        guard Int(tid.slot) >= 1, Int(tid.slot) <= HeapPage.slotCount(page.bytes) else { return nil }
        switch HeapPage.state(page.bytes, slot: tid.slot) {
        case .dead: return .invalid
        case .unused: return nil
        case .normal:
            guard let tuple = HeapPage.tuple(page.bytes, slot: tid.slot) else { return nil }
            let header = HeapTupleHeader(reading: UnsafeRawBufferPointer(tuple), at: 0)
            guard Visibility.isDeadToEveryone(header, horizon: horizon, clog) else { return nil }
            return header.xmin.isNormal && clog.status(of: header.xmin) == .aborted ? .invalid : header.xmax
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
        var kept: [BTreeItem] = []
        var conflictHorizon = TransactionID.invalid
        for item in items {
            guard let removedXmax = try heap.deadVersionConflictHorizon(item.tid.tupleID, horizon: horizon) else {
                kept.append(item)
                continue
            }
            if removedXmax.isValid, !conflictHorizon.isValid || removedXmax > conflictHorizon { conflictHorizon = removedXmax }
        }
        guard kept.count < items.count else { return 0 }
        try store.logPageChanges([leaf], xid: xid, conflictHorizon: conflictHorizon) {
            page.rewrite(level: 0, rightLink: page.rightLink, items: kept)
        }
        return items.count - kept.count
    }
}
