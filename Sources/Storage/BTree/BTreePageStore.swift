// What the B-tree needs from the rest of Storage: pinned, locked pages of its relation file, new
// pages at its end, and logChanges — the one way a page is changed (WAL-logged generically, so redo
// has no B-tree-specific code and a split's pages change together in one record).
//
// StorageEngine provides it; a protocol keeps the tree's algorithms testable over a bare buffer pool.
import WAL

protocol BTreePageStore: AnyObject, Sendable {
    /// Pins and locks page `page` of `relation`.
    func readPage(_ relation: RelationID, _ page: PageNumber, _ mode: LockMode) throws -> PageGuard
    /// Adds a zeroed page at the end of `relation`, pinned and locked exclusively.
    func extendRelation(_ relation: RelationID) throws -> PageGuard
    func pageCount(of relation: RelationID) throws -> Int
    /// Runs `mutate` on the exclusively locked `pages` and WAL-logs what it changed, as one record;
    /// a valid `conflictHorizon` marks a change that removes entries of versions deleted up to it.
    func logPageChanges(_ pages: [PageGuard], xid: TransactionID, conflictHorizon: TransactionID,
                        _ mutate: () throws -> Void) throws
}

extension BTreePageStore {
    func logPageChanges(_ pages: [PageGuard], xid: TransactionID, _ mutate: () throws -> Void) throws {
        try logPageChanges(pages, xid: xid, conflictHorizon: .invalid, mutate)
    }
}
