// Inserting into a UNIQUE index (PostgreSQL's _bt_check_unique, simplified).
//
// The check and the insert happen under one hold of the exclusive tree lock, so two sessions
// inserting the same key cannot both pass the check. The index cannot judge an existing entry by
// itself — whether its heap tuple is live, dead, or being changed by a transaction still running is
// MVCC's business — so the caller's `check` closure says, for each entry with an equal key:
//   .ignore        its tuple is dead (or is the row being updated): not a conflict
//   .conflict      a live tuple: the insert fails (SQLSTATE 23505, duplicate key value)
//   .waitFor(xid)  a transaction still running inserted or deleted it: the caller must wait for it
//                  (TransactionManager.wait) with no index lock held, then call insertUnique again
// `check` runs while the tree lock is held: it may read the heap, never this index.
import WAL

/// What the caller's check decided about one existing entry with the same key.
public enum BTreeUniqueVerdict: Sendable, Equatable {
    case ignore
    case conflict
    case waitFor(TransactionID)
}

/// What insertUnique did.
public enum BTreeUniqueInsertResult: Sendable, Equatable {
    case inserted
    /// Nothing inserted: this existing entry's tuple is live.
    case conflict(TupleID)
    /// Nothing inserted: wait for this transaction to finish, then retry.
    case mustWait(TransactionID)
}

extension BTreeIndex {
    public func insertUnique(key: [UInt8], tid: TupleID, xid: TransactionID, heap: HeapRelation? = nil,
                             check: (_ existing: TupleID) throws -> BTreeUniqueVerdict) throws -> BTreeUniqueInsertResult {
        guard key.count <= btreeMaximumKeyLength else { throw btreeKeyTooLong(key.count) }
        return try withTreeLock(.exclusive) {
            for existing in try entriesEqual(to: key) {
                switch try check(existing.tupleID) {
                case .ignore: continue
                case .conflict: return .conflict(existing.tupleID)
                case .waitFor(let other): return .mustWait(other)
                }
            }
            try insertLocked(BTreeItem(key: key, tid: BTreeTID(tid), child: 0), xid: xid, heap: heap)
            return .inserted
        }
    }

    /// The TIDs of every entry whose key equals `key`, in TID order (tree lock held by the caller).
    private func entriesEqual(to key: [UInt8]) throws -> [BTreeTID] {
        var found: [BTreeTID] = []
        guard var leaf = try key.withUnsafeBytes({ try descend(to: $0, tid: .lowest, leafMode: .shared) })
        else { return found }
        var first = key.withUnsafeBytes { BTreePage(leaf.bytes).lowerBound(key: $0, tid: .lowest) }
        let pageLimit = try store.pageCount(of: id)    // no writer can grow it: we hold the tree lock
        for _ in 0..<pageLimit {
            let page = BTreePage(leaf.bytes)
            for index in first..<max(first, page.count) {
                guard key.withUnsafeBytes({ BTreeEntryOrder.compareKeys(page.key(at: index), $0) }) == 0 else {
                    leaf.release()
                    return found
                }
                found.append(page.tid(at: index))
            }
            let right = page.rightLink
            leaf.release()
            if right == 0 { return found }
            leaf = try readNode(right, .shared, level: 0)
            first = 0
        }
        leaf.release()
        throw corrupt(page: leaf.pageNumber.value, "the leaf level's right links form a cycle")
    }
}
