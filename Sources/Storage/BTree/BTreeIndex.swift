// A B-tree index (PostgreSQL's nbtree, simplified): entries (key, heap TID) kept sorted in
// BTreeEntryOrder, duplicates allowed; UNIQUE is checked with the caller's help (BTreeUnique).
//
//   page 0: metapage ──root──► internal pages (level ≥ 1) ──downlinks──► leaves (level 0)
//                                                     leaf ──rightLink──► leaf ──► … ──► 0
//
// Layouts: BTreeMetaPage.swift (page 0), BTreePage.swift (every other page).
// Files of this type, by job: BTreeIndex (the type, delete, descent), BTreeInsert (insert and
// splits), BTreeUnique (insert into a UNIQUE index), BTreeScan (range scans), BTreeVerify
// (structure checks), BTreeTreeLock (the per-index locks), BTreeBufferPoolStore (the engine's pages),
// BTreeBulkDelete (VACUUM's pass), BTreeSimpleDeletion (dead entries dropped from a full leaf).
//
// Concurrency, deliberately simple: one reader/writer lock per index (`treeLock`). Scans hold it
// shared, and only while they descend or read one leaf: they copy that leaf's matching entries out
// and call the caller's closure with no lock held (so the closure may do anything, even insert into
// this index). That is safe because entries only ever move right (a split keeps the lower half in
// place and moves the upper half to a new right sibling) and pages are never removed, so following
// the right link recorded when the leaf was read never skips an entry that existed before the scan.
// (TRUNCATE does remove pages: the SQL layer's table lock must keep scans out while it runs.)
// Inserts and deletes hold the lock exclusively for their whole duration, plus the buffer content
// locks of the pages they change. The next step is Lehman–Yao (high keys and move-right on every
// level, PostgreSQL's nbtree): writers would then lock only the pages they change, and readers
// would need no tree lock at all.
//
// Every page change goes through logChanges; a split logs the old page, the new page and the
// parent (and the metapage when the root splits) in one record, so redo is generic and atomic.
// The tree never shrinks: deleting entries leaves empty leaves in place (PostgreSQL reclaims them
// with VACUUM's page deletion, not done here).
import WAL

/// One end of a range scan.
public struct BTreeBound: Sendable {
    public var key: [UInt8]
    public var inclusive: Bool
    public init(key: [UInt8], inclusive: Bool) {
        self.key = key
        self.inclusive = inclusive
    }
}

public final class BTreeIndex: @unchecked Sendable {
    /// The longest key, in bytes, this index accepts (about a quarter of a page).
    public static let maximumKeyLength = btreeMaximumKeyLength

    public let id: RelationID
    let store: any BTreePageStore
    /// Shared by every BTreeIndex object of the same relation (see BTreeTreeLocks).
    let treeLock: ContentLock

    init(id: RelationID, store: any BTreePageStore, treeLock: ContentLock) {
        self.id = id
        self.store = store
        self.treeLock = treeLock
    }

    /// Runs `body` holding the tree lock in `mode`.
    func withTreeLock<T>(_ mode: LockMode, _ body: () throws -> T) rethrows -> T {
        treeLock.lock(mode)
        defer { treeLock.unlock() }
        return try body()
    }

    /// Removes the entry (key, tid); false if there is none (VACUUM may ask twice).
    @discardableResult
    public func delete(key: [UInt8], tid: TupleID) throws -> Bool {
        try withTreeLock(.exclusive) {
            let target = BTreeTID(tid)
            guard let leaf = try key.withUnsafeBytes({ try descend(to: $0, tid: target, leafMode: .exclusive) })
            else { return false }
            defer { leaf.release() }
            let page = BTreePage(leaf.bytes)
            let position = key.withUnsafeBytes { page.lowerBound(key: $0, tid: target) }
            guard position < page.count,
                  key.withUnsafeBytes({ page.compare(at: position, key: $0, tid: target) }) == 0
            else { return false }
            try store.logPageChanges([leaf], xid: .invalid) { page.remove(at: position) }
            return true
        }
    }

    /// The number of levels (0 while the index is empty, 1 for a lone root leaf).
    public func height() throws -> Int {
        try withTreeLock(.shared) { try rootLocation().map { $0.level + 1 } ?? 0 }
    }

    // MARK: - Reading pages (callers hold the tree lock)

    /// Where the root is; nil while the tree has no root page.
    func rootLocation() throws -> (root: UInt32, level: Int)? {
        guard try store.pageCount(of: id) > 0 else { return nil }
        let metaGuard = try store.readPage(id, PageNumber(BTreeMetaPage.pageNumber), .shared)
        defer { metaGuard.release() }
        let meta = BTreeMetaPage(metaGuard.bytes)
        if metaGuard.header.isNew { return nil }     // extended, never formatted (a crash in between)
        guard meta.isValid else { throw corrupt(page: BTreeMetaPage.pageNumber, "bad metapage") }
        return meta.root == 0 ? nil : (meta.root, meta.level)
    }

    /// Pins and locks a node page, checking that it is a B-tree node of the level the parent says.
    func readNode(_ page: UInt32, _ mode: LockMode, level: Int) throws -> PageGuard {
        let node = try store.readPage(id, PageNumber(page), mode)
        let view = BTreePage(node.bytes)
        guard view.isFormatted, view.level == level else {
            node.release()
            throw corrupt(page: page, "expected a B-tree page of level \(level)")
        }
        return node
    }

    /// Descends from the root to the leaf where (key, tid) belongs, coupling locks hand over hand:
    /// internal pages shared, the leaf in `leafMode`. Nil if the tree is empty.
    func descend(to key: UnsafeRawBufferPointer, tid: BTreeTID, leafMode: LockMode) throws -> PageGuard? {
        guard let (root, rootLevel) = try rootLocation() else { return nil }
        var level = rootLevel
        var current = try readNode(root, level == 0 ? leafMode : .shared, level: level)
        while level > 0 {
            let page = BTreePage(current.bytes)
            let child = page.child(at: page.childIndex(key: key, tid: tid))
            level -= 1
            let next: PageGuard
            do { next = try readNode(child, level == 0 ? leafMode : .shared, level: level) } catch {
                current.release()
                throw error
            }
            current.release()
            current = next
        }
        return current
    }

    func corrupt(page: UInt32, _ reason: String) -> StorageError {
        StorageError(.corruptPage(file: "index \(id)", page: PageNumber(page)),
                     "index \(id) contains a corrupted page at block \(page): \(reason)")
    }
}

extension BTreeTID {
    init(_ tid: TupleID) { self.init(page: tid.page.value, slot: tid.slot) }
    var tupleID: TupleID { TupleID(page: PageNumber(page), slot: slot) }
}
