// Storage: logChanges — the one way pages are changed (heap, B-tree, sequences).
//
//   let lsn = try engine.logChanges(to: [page, otherPage], xid: xid) {
//       ... mutate page.bytes / otherPage.bytes in place ...
//   }
//
// The pages must be locked exclusively by the caller. logChanges snapshots them, runs the body,
// and writes ONE generic WAL record with, per page, a full-page image (first change since the last
// checkpoint's redo point, or a page never logged) or the changed byte ranges; then sets each
// page's pd_lsn to the record's end and marks it dirty — all while the caller still holds the
// exclusive locks, so no one can see or write the page between the change and its LSN.
// If the body throws, the pages are restored from the snapshots and nothing is logged.
// A change that removes row versions (pruning) passes `conflictHorizon`, the newest xid whose
// versions it removes: the record becomes a pageChangesRemovingVersions record, and a hot standby
// resolves conflicts with its queries before applying it (StandbyReplay.swift).
//
// Full-page images and the redo point: the decision "image or ranges" uses the redo point; if a
// checkpoint moves the redo point between that decision and the insert, the record is rebuilt
// (PostgreSQL's XLogInsert does the same check), so every page changed after a redo point has an
// image after it — what makes torn pages harmless.
import Glibc
import WAL

final class PageChangeLogger: @unchecked Sendable {
    let compression: WALCompression
    private struct State { var redoPoint: LSN; var wal: (any WALAppending)? }
    private let state: PThreadMutex<State>

    init(compression: WALCompression, redoPoint: LSN) {
        self.compression = compression
        state = PThreadMutex(State(redoPoint: redoPoint, wal: nil))
    }

    func attach(wal: any WALAppending) { state.withLock { $0.wal = wal } }

    var redoPoint: LSN { state.withLock { $0.redoPoint } }

    /// Checkpoint start: the redo point becomes the current insert position, atomically with
    /// respect to page-change inserts. Returns it.
    func advanceRedoPoint() throws -> LSN {
        try state.withLock { s in
            guard let wal = s.wal else { throw StorageError(.invalidState, "WAL is not open") }
            s.redoPoint = wal.insertLSN
            return s.redoPoint
        }
    }

    /// Inserts any record while no redo-point move can interleave (used for all Storage records).
    func insert(_ rmid: ResourceManagerID, info: UInt8, xid: TransactionID, payload: [UInt8]) throws -> (start: LSN, end: LSN) {
        try state.withLock { s in
            guard let wal = s.wal else { throw StorageError(.invalidState, "WAL is not open") }
            return try wal.insert(rmid, info: info, xid: xid, payload: payload)
        }
    }

    @discardableResult
    func logChanges(to pages: [PageGuard], xid: TransactionID, conflictHorizon: TransactionID = .invalid,
                    _ body: () throws -> Void) throws -> LSN {
        precondition(!pages.isEmpty && pages.count <= Int(UInt8.max))
        for page in pages { precondition(page.mode == .exclusive && !page.isReleased, "logChanges needs exclusively locked pages") }
        let snapshots = UnsafeMutableRawBufferPointer.allocate(byteCount: pages.count * pageSize, alignment: 16)
        defer { snapshots.deallocate() }
        for (i, page) in pages.enumerated() {
            UnsafeMutableRawBufferPointer(rebasing: snapshots[i * pageSize..<(i + 1) * pageSize])
                .copyMemory(from: UnsafeRawBufferPointer(page.bytes))
        }
        func restore() {
            for (i, page) in pages.enumerated() {
                page.bytes.copyMemory(from: UnsafeRawBufferPointer(rebasing: snapshots[i * pageSize..<(i + 1) * pageSize]))
            }
        }
        do { try body() } catch { restore(); throw error }
        // The free hole of a formatted page is kept all zeros (PostgreSQL's generic_xlog.c does the
        // same): images leave it out and redo refills it with zeros, so the page in memory must
        // match, or a later byte-range diff could skip a byte that only matched stale garbage.
        for page in pages where page.header.isSane && page.header.lower < page.header.upper {
            if let base = page.bytes.baseAddress {      // memset: a byte loop is slow in debug builds
                memset(base + page.header.lower, 0, page.header.upper - page.header.lower)
            }
        }

        do {
            while true {
                let redo = redoPoint
                var writer = ByteWriter(capacity: 256)
                if conflictHorizon.isValid { writer.u32(conflictHorizon.value) }
                writer.u8(UInt8(pages.count))
                for (i, page) in pages.enumerated() {
                    let before = UnsafeRawBufferPointer(rebasing: snapshots[i * pageSize..<(i + 1) * pageSize])
                    let lastLogged = PageHeader(bytes: UnsafeMutableRawBufferPointer(mutating: before)).lsn
                    try PageChangeRecord.encodePage(&writer, relation: page.relation, page: page.pageNumber,
                                                    before: before, after: UnsafeRawBufferPointer(page.bytes),
                                                    image: !lastLogged.isValid || lastLogged <= redo,
                                                    compression: compression)
                }
                let inserted = try state.withLock { s throws -> (start: LSN, end: LSN)? in
                    guard s.redoPoint == redo else { return nil }   // a checkpoint began: rebuild
                    guard let wal = s.wal else { throw StorageError(.invalidState, "WAL is not open") }
                    let info = conflictHorizon.isValid ? GenericInfo.pageChangesRemovingVersions : GenericInfo.pageChanges
                    return try wal.insert(.generic, info: info, xid: xid, payload: writer.bytes)
                }
                guard let (_, end) = inserted else { continue }
                for page in pages {
                    page.header.lsn = end
                    page.markDirty()
                }
                return end
            }
        } catch {
            restore()
            throw error
        }
    }
}
