// Storage: a pinned and content-locked page of the buffer pool (BusTub's page_guard.h).
//
// Creating a guard pins the buffer (it cannot be evicted) and takes its content lock; `release()`
// unlocks and unpins. Releasing twice is a programming error (a precondition). A guard dropped
// without release() is released by its deinit, so an early `throw` cannot leak a pin — but code
// should release explicitly, as soon as it is done with the page.
//
// Changing a page: hold it `.exclusive` and make the change inside `StorageEngine.logChanges`,
// which WAL-logs it, sets pd_lsn and marks the buffer dirty. Never mark dirty by hand.
import WAL

final class PageGuard {
    let relation: RelationID
    let pageNumber: PageNumber
    let mode: LockMode
    /// The page's `pageSize` bytes, valid until release(). Writable only with `.exclusive`.
    let bytes: UnsafeMutableRawBufferPointer

    private let pool: BufferPool
    let frame: Int
    private var released = false

    init(pool: BufferPool, frame: Int, relation: RelationID, pageNumber: PageNumber, mode: LockMode,
         bytes: UnsafeMutableRawBufferPointer) {
        self.pool = pool
        self.frame = frame
        self.relation = relation
        self.pageNumber = pageNumber
        self.mode = mode
        self.bytes = bytes
    }

    var header: PageHeader { PageHeader(bytes: bytes) }
    var lsn: LSN { header.lsn }
    var isReleased: Bool { released }

    func release() {
        precondition(!released, "page \(pageNumber) of relation \(relation) released twice")
        released = true
        pool.unlockAndUnpin(frame: frame, mode: mode)
    }

    /// Called by logChanges and redo only, with the content lock held exclusively.
    func markDirty() {
        precondition(mode == .exclusive && !released)
        pool.markDirty(frame: frame)
    }

    deinit {
        if !released { pool.unlockAndUnpin(frame: frame, mode: mode) }
    }
}
