// Storage: page pruning (PostgreSQL's pruneheap.c, without HOT chains) and the test that decides
// what it may remove (HeapTupleSatisfiesVacuum, reduced to "dead to everyone or not").
//
// A row version is dead to everyone when its inserter aborted, or when its deleter (xmax, not a
// mere row lock) committed and is older than the oldest xmin (OldestXmin.swift): no snapshot in
// use, and none taken later, can see it. Pruning turns such versions into LP_DEAD line pointers and
// compacts the page (HeapPage.compact), all inside one logChanges, so redo — after a crash or on a
// standby — reproduces the page byte for byte. The slots stay LP_DEAD (not reusable) because index
// entries may still point at them; VACUUM removes those and then frees the slots.
//
// Callers hold the page exclusively. Everyone who reads a heap page copies what it needs while
// holding the page's content lock (scans, fetches), so moving tuples inside the page is safe;
// TupleIDs of live tuples do not change.
//
// Hot standby: the record carries the newest committed xmax among the removed versions (PostgreSQL's
// snapshotConflictHorizon); a standby query whose snapshot xmin is at or below it might still see
// one of them, so replay waits for it or cancels it first. Versions whose inserter aborted were
// never visible to anyone and add nothing to the horizon.
import WAL

extension Visibility {
    static func isDeadToEveryone(_ tuple: HeapTupleHeader, horizon: TransactionID, _ clog: CommitLog) -> Bool {
        if tuple.xmin.isNormal && clog.status(of: tuple.xmin) == .aborted { return true }
        guard tuple.xmax.isNormal, !tuple.xmaxIsLockOnly, tuple.xmax < horizon else { return false }
        return clog.status(of: tuple.xmax) == .committed
    }
}

extension HeapRelation {
    /// Prunes an exclusively locked page; returns how many versions it removed (0: the page and
    /// the WAL are untouched).
    @discardableResult
    func prune(_ page: PageGuard, horizon: TransactionID) throws -> Int {
        let slots = HeapPage.slotCount(page.bytes)
        guard slots > 0 else { return 0 }
        var dead: [UInt16] = []
        var conflictHorizon = TransactionID.invalid
        for slot in 1...UInt16(slots) {
            guard let tuple = HeapPage.tuple(page.bytes, slot: slot) else { continue }
            let header = HeapTupleHeader(reading: UnsafeRawBufferPointer(tuple), at: 0)
            guard Visibility.isDeadToEveryone(header, horizon: horizon, clog) else { continue }
            dead.append(slot)
            if header.xmax.isNormal, !header.xmaxIsLockOnly, clog.status(of: header.xmax) == .committed,
               !conflictHorizon.isValid || header.xmax > conflictHorizon {
                conflictHorizon = header.xmax
            }
        }
        guard !dead.isEmpty else { return 0 }
        // Only aborted inserts removed (horizon invalid): a plain page-change record.
        try log.logChanges(to: [page], xid: .invalid, conflictHorizon: conflictHorizon) {
            for slot in dead { HeapPage.markDead(page.bytes, slot: slot) }
            HeapPage.compact(page.bytes)
        }
        freeSpace.record(page.pageNumber, freeBytes: HeapPage.freeSpace(page.bytes))
        return dead.count
    }

    /// Prunes `page` if a tuple of `size` bytes does not fit; true if it fits afterwards.
    func pruneForRoom(_ page: PageGuard, size: Int) throws -> Bool {
        if HeapPage.hasRoom(page.bytes, size: size) { return true }
        try prune(page, horizon: horizon())
        return HeapPage.hasRoom(page.bytes, size: size)
    }
}
