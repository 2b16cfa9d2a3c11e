// Storage: a table's heap — unordered tuples in slotted pages (PostgreSQL's heapam.c).
//
// Every change goes through logChanges (WAL before data, generic redo). DELETE sets xmax, UPDATE
// sets the old version's xmax and t_ctid and adds a new version: on the same page if it has room
// (after pruning it if need be), else on a page the free space map or the insert hint offers, else
// on a new page at the end. Versions dead to everyone are removed by pruning (HeapPrune.swift) and
// VACUUM (Vacuum/); their slots become reusable once VACUUM removed their index entries.
// Data bytes are opaque (SQLMini encodes rows).
//
// Page locks: at most one page is held, except by UPDATE when the new version goes to another
// page; then both are locked in page-number order, so two updaters cannot deadlock.
// Scans copy each page's visible tuples and release the page before calling back, so the callback
// may change the same table.
import WAL

public final class HeapRelation: @unchecked Sendable {
    public let id: RelationID
    let pool: BufferPool
    let log: PageChangeLogger
    let clog: CommitLog
    /// The oldest xmin (SnapshotRegistry.horizon): what pruning may remove.
    let horizon: @Sendable () -> TransactionID
    /// Pages VACUUM and pruning found room on.
    let freeSpace = FreeSpaceMap()
    /// The page that last had room: where inserts go while the free space map offers nothing.
    private let insertHint = PThreadMutex<PageNumber?>(nil)
    /// Counters for autovacuum and pg_stat_user_tables.
    let statistics = PThreadMutex(HeapStatistics())
    /// Held by the one VACUUM of this relation at a time (PostgreSQL's ShareUpdateExclusiveLock).
    let vacuumLock = PThreadMutex(())

    init(id: RelationID, pool: BufferPool, log: PageChangeLogger, clog: CommitLog,
         horizon: @escaping @Sendable () -> TransactionID) {
        self.id = id
        self.pool = pool
        self.log = log
        self.clog = clog
        self.horizon = horizon
    }

    public func pageCount() throws -> Int { try pool.pageCount(id) }

    // MARK: - Insert

    public func insert(_ data: [UInt8], xid: TransactionID, command: CommandID) throws -> TupleID {
        let size = try tupleSize(data)
        let page = try pageWithRoom(size, excluding: nil)
        defer { page.release() }
        var slot: UInt16 = 0
        try log.logChanges(to: [page], xid: xid) {
            slot = add(data, to: page, xid: xid, command: command, updated: false)
        }
        statistics.withLock { $0.inserted += 1; $0.liveTuples += 1 }
        return TupleID(page: page.pageNumber, slot: slot)
    }

    private func tupleSize(_ data: [UInt8]) throws -> Int {
        let size = HeapTupleHeader.size + data.count
        guard size <= HeapPage.maxTupleSize else {
            throw StorageError(.rowTooBig, "row is too big: size \(size), maximum size \(HeapPage.maxTupleSize)")
        }
        return size
    }

    /// Writes a new version into `page` (inside logChanges) and returns its slot.
    private func add(_ data: [UInt8], to page: PageGuard, xid: TransactionID, command: CommandID, updated: Bool) -> UInt16 {
        let pageNumber = page.pageNumber
        let slot = HeapPage.nextSlot(page.bytes)
        let header = HeapTupleHeader(xmin: xid, command: command, ctid: TupleID(page: pageNumber, slot: slot),
                                     infomask: updated ? .updated : [])
        let added = HeapPage.add(page.bytes, size: HeapTupleHeader.size + data.count) { tuple in
            header.write(to: tuple, at: 0)
            data.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: tuple[HeapTupleHeader.size...]).copyMemory(from: $0) }
        }
        precondition(added == slot)
        return slot
    }

    /// An exclusively locked page with room for `size` bytes: a page the free space map offers,
    /// else the hinted page, else the last one (each pruned first if it is full), else a new page
    /// at the end. A page just added by `extend` may already have been found (as the last page)
    /// and filled by another inserter before we got its lock, so it is checked too.
    private func pageWithRoom(_ size: Int, excluding: PageNumber?) throws -> PageGuard {
        while let candidate = freeSpace.pageWithSpace(atLeast: size, excluding: excluding),
              Int(candidate.value) < (try pool.pageCount(id)) {
            let page = try pool.read(id, candidate, .exclusive)
            if try pruneForRoom(page, size: size) { return page }
            freeSpace.record(candidate, freeBytes: HeapPage.freeSpace(page.bytes))
            page.release()
        }
        while true {
            var candidates: [PageNumber] = []
            if let hint = insertHint.withLock({ $0 }) { candidates.append(hint) }
            let count = try pool.pageCount(id)
            if count > 0, candidates.first?.value != UInt32(count - 1) { candidates.append(PageNumber(UInt32(count - 1))) }
            for candidate in candidates where candidate != excluding && Int(candidate.value) < count {
                let page = try pool.read(id, candidate, .exclusive)
                if try pruneForRoom(page, size: size) { return page }
                page.release()
            }
            let page = try pool.extend(id)
            insertHint.withLock { $0 = page.pageNumber }
            if HeapPage.hasRoom(page.bytes, size: size) { return page }
            page.release()
        }
    }

    // MARK: - Reading

    public func scan(snapshot: Snapshot, _ body: (TupleID, UnsafeRawBufferPointer) throws -> Bool) throws {
        let count = try pool.pageCount(id)
        var visible: [(TupleID, [UInt8])] = []
        for number in 0..<count {
            let pageNumber = PageNumber(UInt32(number))
            let page = try pool.read(id, pageNumber, .shared)
            visible.removeAll(keepingCapacity: true)
            let slots = HeapPage.slotCount(page.bytes)
            if slots > 0 {
                for slot in 1...UInt16(slots) {
                    guard let tuple = HeapPage.tuple(page.bytes, slot: slot) else { continue }
                    let header = HeapTupleHeader(reading: UnsafeRawBufferPointer(tuple), at: 0)
                    if Visibility.isVisible(header, snapshot, clog) {
                        visible.append((TupleID(page: pageNumber, slot: slot), Array(tuple[HeapTupleHeader.size...])))
                    }
                }
            }
            page.release()
            for (tid, data) in visible {
                let goOn = try data.withUnsafeBytes { try body(tid, $0) }
                if !goOn { return }
            }
        }
    }

    /// The tuple at `tid` if `snapshot` sees it.
    public func fetch(_ tid: TupleID, snapshot: Snapshot) throws -> [UInt8]? {
        guard let (header, data) = try fetchLatest(tid) else { return nil }
        return Visibility.isVisible(header, snapshot, clog) ? data : nil
    }

    /// The version stored at `tid`, header and data, whatever its visibility (unique checks, row
    /// locks); its header's ctid leads to a newer version if it was updated. Nil if no such tuple.
    public func fetchLatest(_ tid: TupleID) throws -> (header: HeapTupleHeader, data: [UInt8])? {
        guard Int(tid.page.value) < (try pool.pageCount(id)) else { return nil }
        let page = try pool.read(id, tid.page, .shared)
        defer { page.release() }
        guard let tuple = HeapPage.tuple(page.bytes, slot: tid.slot) else { return nil }
        return (HeapTupleHeader(reading: UnsafeRawBufferPointer(tuple), at: 0), Array(tuple[HeapTupleHeader.size...]))
    }

    // MARK: - Changing existing tuples

    /// Reads the header at `tid` in a locked page; throws if there is no tuple there.
    private func header(_ page: PageGuard, _ tid: TupleID) throws -> (HeapTupleHeader, UnsafeMutableRawBufferPointer) {
        guard let tuple = HeapPage.tuple(page.bytes, slot: tid.slot) else {
            throw StorageError(.invalidState, "tuple \(tid) does not exist in relation \(id)")
        }
        return (HeapTupleHeader(reading: UnsafeRawBufferPointer(tuple), at: 0), tuple)
    }

    public func delete(_ tid: TupleID, xid: TransactionID, command: CommandID, snapshot: Snapshot) throws -> HeapModifyResult {
        let page = try pool.read(id, tid.page, .exclusive)
        defer { page.release() }
        let (old, _) = try header(page, tid)
        if let result = Visibility.satisfiesUpdate(old, tid: tid, snapshot: snapshot, command: command, clog) { return result }
        try log.logChanges(to: [page], xid: xid) {
            let (_, tuple) = try header(page, tid)
            var changed = old
            changed.xmax = xid
            changed.xmaxCommandID = command
            changed.infomask.remove(.xmaxLockOnly)
            changed.write(to: tuple, at: 0)
        }
        statistics.withLock { $0.deleted += 1; $0.liveTuples -= 1; $0.deadTuples += 1 }
        return .ok(newVersion: nil)
    }

    /// SELECT FOR UPDATE: marks the row with xmax = xid, lock-only.
    public func lockTuple(_ tid: TupleID, xid: TransactionID, snapshot: Snapshot) throws -> HeapModifyResult {
        let page = try pool.read(id, tid.page, .exclusive)
        defer { page.release() }
        let (old, _) = try header(page, tid)
        if let result = Visibility.satisfiesUpdate(old, tid: tid, snapshot: snapshot, command: snapshot.currentCommand, clog) {
            return result
        }
        if snapshot.isCurrentTransaction(old.xmax) { return .ok(newVersion: nil) }     // already locked (or changed) by us
        try log.logChanges(to: [page], xid: xid) {
            let (_, tuple) = try header(page, tid)
            var changed = old
            changed.xmax = xid
            changed.xmaxCommandID = snapshot.currentCommand
            changed.infomask.insert(.xmaxLockOnly)
            changed.write(to: tuple, at: 0)
        }
        return .ok(newVersion: nil)
    }

    public func update(_ tid: TupleID, newData: [UInt8], xid: TransactionID, command: CommandID,
                       snapshot: Snapshot) throws -> HeapModifyResult {
        let size = try tupleSize(newData)
        while true {
            let page = try pool.read(id, tid.page, .exclusive)
            let (old, _) = try header(page, tid)
            if let result = Visibility.satisfiesUpdate(old, tid: tid, snapshot: snapshot, command: command, clog) {
                page.release()
                return result
            }
            if try pruneForRoom(page, size: size) {
                defer { page.release() }
                return .ok(newVersion: try replace(tid, in: page, with: newData, on: page, old: old, xid: xid, command: command))
            }
            page.release()
            // The new version goes to another page: find one, then lock both in page order.
            let target = try pageWithRoom(size, excluding: tid.page)
            let targetNumber = target.pageNumber
            target.release()
            let first = try pool.read(id, min(tid.page, targetNumber), .exclusive)
            let second = try pool.read(id, max(tid.page, targetNumber), .exclusive)
            defer { first.release(); second.release() }
            let (oldPage, newPage) = tid.page < targetNumber ? (first, second) : (second, first)
            let (current, _) = try header(oldPage, tid)
            if let result = Visibility.satisfiesUpdate(current, tid: tid, snapshot: snapshot, command: command, clog) { return result }
            guard HeapPage.hasRoom(newPage.bytes, size: size) else { continue }   // filled meanwhile
            return .ok(newVersion: try replace(tid, in: oldPage, with: newData, on: newPage, old: current, xid: xid, command: command))
        }
    }

    /// Adds the new version to `newPage` and points the old one at it, in one WAL record.
    private func replace(_ tid: TupleID, in oldPage: PageGuard, with data: [UInt8], on newPage: PageGuard,
                         old: HeapTupleHeader, xid: TransactionID, command: CommandID) throws -> TupleID {
        var newTid = tid
        let pages = oldPage === newPage ? [oldPage] : [oldPage, newPage]
        try log.logChanges(to: pages, xid: xid) {
            let slot = add(data, to: newPage, xid: xid, command: command, updated: true)
            newTid = TupleID(page: newPage.pageNumber, slot: slot)
            let (_, tuple) = try header(oldPage, tid)
            var changed = old
            changed.xmax = xid
            changed.xmaxCommandID = command
            changed.infomask.remove(.xmaxLockOnly)
            changed.ctid = newTid
            changed.write(to: tuple, at: 0)
        }
        statistics.withLock { $0.updated += 1; $0.deadTuples += 1 }
        return newTid
    }
}
