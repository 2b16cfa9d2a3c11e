// VACUUM's pass over an index (PostgreSQL's btbulkdelete): every entry whose heap TID is in the
// set of dead TIDs is removed, leaf by leaf from the leftmost leaf along the right links.
//
// Holds the tree lock exclusively for the whole pass, so no scan copies entries from a leaf while
// it changes and no insert splits a page under it. Each leaf that loses entries is rewritten
// inside one logChanges (so redo is the generic page-change redo). Emptied leaves stay in the
// tree (no page deletion); later inserts of keys in their range fill them again.
import WAL

extension BTreeIndex {
    /// Removes the entries pointing at `deadTIDs`; returns how many it removed.
    public func bulkDelete(_ deadTIDs: Set<TupleID>) throws -> Int {
        guard !deadTIDs.isEmpty else { return 0 }
        return try withTreeLock(.exclusive) {
            guard var leaf = try [UInt8]().withUnsafeBytes({ try descend(to: $0, tid: .lowest, leafMode: .exclusive) })
            else { return 0 }
            var removed = 0
            let pageLimit = try store.pageCount(of: id)
            for _ in 0..<pageLimit {
                let page = BTreePage(leaf.bytes)
                // Most leaves of a big index hold no dead entry: test the TIDs in place before
                // copying the items out (one allocation per entry) to rewrite the page.
                let hasDead = (0..<page.count).contains { deadTIDs.contains(page.tid(at: $0).tupleID) }
                let items = hasDead ? page.items() : []
                let kept = items.filter { !deadTIDs.contains($0.tid.tupleID) }
                if kept.count < items.count {
                    try store.logPageChanges([leaf], xid: .invalid) {
                        page.rewrite(level: 0, rightLink: page.rightLink, items: kept)
                    }
                    removed += items.count - kept.count
                }
                let right = page.rightLink
                leaf.release()
                if right == 0 { return removed }
                leaf = try readNode(right, .exclusive, level: 0)
            }
            leaf.release()
            throw corrupt(page: leaf.pageNumber.value, "the leaf level's right links form a cycle")
        }
    }
}
