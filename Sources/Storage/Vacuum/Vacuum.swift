// Storage: VACUUM of one table (PostgreSQL's vacuumlazy.c, without the visibility map, freezing
// or truncation of empty pages at the end).
//
//   1. heap scan: every page is pruned (HeapPrune.swift) with the current oldest xmin, then its
//      LP_DEAD slots are collected as dead TIDs and its live tuples counted;
//   2. index pass: every index of the table drops the entries pointing at the dead TIDs
//      (BTreeIndex.bulkDelete);
//   3. heap pass: those slots become LP_UNUSED (reusable) and each page's free space goes to the
//      free space map.
// The order is what makes slot reuse safe: a slot is freed only after no index entry points at it,
// so an index can never lead to a different row that later took the slot. An index scan that
// copied a TID before step 2 and fetches it after step 3 finds nothing, or a version inserted after
// its snapshot — invisible to it. Only one VACUUM runs per table at a time (`vacuumLock`): two
// would each free the other's reused slots' new index entries. DML runs concurrently: every step
// locks one page (or one index) at a time. Every change is WAL-logged with logChanges.
#if canImport(Glibc)
import Glibc
#endif
import WAL

/// What one VACUUM did (VACUUM VERBOSE's figures).
public struct VacuumResult: Sendable {
    public var pagesScanned = 0
    /// Row versions removed (pruned) by this VACUUM.
    public var tuplesRemoved = 0
    /// LP_DEAD slots made reusable (their versions may have been pruned earlier).
    public var slotsFreed = 0
    public var indexEntriesRemoved = 0
    /// Live versions left, and dead ones not yet removable (a snapshot may still see them).
    public var liveTuples = 0
    public var recentlyDeadTuples = 0

    public init() {}
}

extension StorageEngine {
    /// VACUUM `heap` and its `indexes`; `automatic` says autovacuum ran it (statistics only).
    @discardableResult
    public func vacuum(heap id: RelationID, indexes: [RelationID], automatic: Bool = false) throws -> VacuumResult {
        let relation = heap(id)
        return try relation.vacuumLock.withLock { _ in
            var result = VacuumResult()
            let horizon = snapshots.horizon()
            var deadByPage: [PageNumber: [UInt16]] = [:]
            let pages = try relation.pageCount()
            for number in 0..<pages {
                let page = try bufferPool.read(id, PageNumber(UInt32(number)), .exclusive)
                defer { page.release() }
                result.pagesScanned += 1
                result.tuplesRemoved += try relation.prune(page, horizon: horizon)
                let slots = HeapPage.slotCount(page.bytes)
                guard slots > 0 else { continue }
                for slot in 1...UInt16(slots) {
                    switch HeapPage.state(page.bytes, slot: slot) {
                    case .dead: deadByPage[page.pageNumber, default: []].append(slot)
                    case .unused: continue
                    case .normal:
                        guard let tuple = HeapPage.tuple(page.bytes, slot: slot) else { continue }
                        let header = HeapTupleHeader(reading: UnsafeRawBufferPointer(tuple), at: 0)
                        if header.xmax.isNormal && !header.xmaxIsLockOnly && transactions.status(of: header.xmax) == .committed {
                            result.recentlyDeadTuples += 1
                        } else {
                            result.liveTuples += 1
                        }
                    }
                }
                relation.freeSpace.record(page.pageNumber, freeBytes: HeapPage.freeSpace(page.bytes))
            }

            let deadTIDs = Set(deadByPage.flatMap { page, slots in slots.map { TupleID(page: page, slot: $0) } })
            for index in indexes {
                result.indexEntriesRemoved += try btree(index).bulkDelete(deadTIDs)
            }

            for (number, slots) in deadByPage.sorted(by: { $0.key < $1.key }) {
                let page = try bufferPool.read(id, number, .exclusive)
                defer { page.release() }
                try logChanges(to: [page], xid: .invalid) {
                    for slot in slots { HeapPage.markUnused(page.bytes, slot: slot) }
                    HeapPage.compact(page.bytes)
                }
                result.slotsFreed += slots.count
                relation.freeSpace.record(number, freeBytes: HeapPage.freeSpace(page.bytes))
            }

            let now = unixMicroseconds()
            relation.statistics.withLock { s in
                s.liveTuples = result.liveTuples
                s.deadTuples = result.recentlyDeadTuples
                if automatic {
                    s.lastAutovacuum = now
                    s.autovacuumCount += 1
                } else {
                    s.lastVacuum = now
                    s.vacuumCount += 1
                }
            }
            return result
        }
    }

    /// ANALYZE's share in Storage: counts the live tuples of `heap` (minipg keeps no column
    /// statistics) and records when.
    @discardableResult
    public func analyze(heap id: RelationID) throws -> Int {
        let relation = heap(id)
        var live = 0
        try snapshots.withRegisteredSnapshot { snapshot in
            try relation.scan(snapshot: snapshot) { _, _ in live += 1; return true }
        }
        let now = unixMicroseconds()
        relation.statistics.withLock { s in
            s.liveTuples = live
            s.lastAnalyze = now
            s.analyzeCount += 1
        }
        return live
    }
}

/// Now, in microseconds since 1970 (pg_stat_* timestamps).
func unixMicroseconds() -> Int64 {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000
}

/// A table for VACUUM: its heap and the indexes whose entries point into it.
public struct VacuumTarget: Sendable {
    /// schema.table, for log lines and messages.
    public var name: String
    public var heap: RelationID
    public var indexes: [RelationID]

    public init(name: String, heap: RelationID, indexes: [RelationID]) {
        self.name = name
        self.heap = heap
        self.indexes = indexes
    }
}
