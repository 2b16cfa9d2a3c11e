// A structure check of a whole B-tree, like PostgreSQL's amcheck (bt_index_check): used by tests
// to show that inserts, splits, deletes and crash recovery keep every invariant, not only that
// scans look right.
//
// Checked: each page is a formatted node of the level its parent says; entries increase strictly
// within a page; every entry of a child lies within [its separator, the next separator) of the
// parent (the parent's own bounds for the first and last child); each level's right links visit
// exactly the pages the downlinks reach, left to right, and end with 0.
import WAL

extension BTreeIndex {
    /// Checks the whole tree under the shared tree lock (writers wait); returns the number of leaf
    /// entries, or throws StorageError(.corruptPage) naming the first page that breaks an invariant.
    public func verifyStructure() throws -> Int {
        try withTreeLock(.shared) {
            guard let (root, level) = try rootLocation() else { return 0 }
            var levels = [[UInt32]](repeating: [], count: level + 1)   // pages per level, left to right
            let count = try verifySubtree(root, level: level, low: nil, high: nil, levels: &levels)
            for (levelNumber, pages) in levels.enumerated() {
                for (index, page) in pages.enumerated() {
                    let node = try readNode(page, .shared, level: levelNumber)
                    let rightLink = BTreePage(node.bytes).rightLink
                    node.release()
                    let expected = index + 1 < pages.count ? pages[index + 1] : 0
                    guard rightLink == expected else {
                        throw corrupt(page: page, "right link \(rightLink), expected \(expected)")
                    }
                }
            }
            return count
        }
    }

    private func verifySubtree(_ pageNumber: UInt32, level: Int, low: BTreeItem?, high: BTreeItem?,
                               levels: inout [[UInt32]]) throws -> Int {
        levels[level].append(pageNumber)
        let node = try readNode(pageNumber, .shared, level: level)
        let page = BTreePage(node.bytes)
        if let problem = page.validate() { node.release(); throw corrupt(page: pageNumber, problem) }
        let items = page.items()
        node.release()

        func order(_ a: BTreeItem, _ b: BTreeItem) -> Int {
            a.key.withUnsafeBytes { ka in b.key.withUnsafeBytes { kb in
                BTreeEntryOrder.compare(key: ka, tid: a.tid, key: kb, tid: b.tid)
            } }
        }
        // On internal pages the first item is minus infinity: the bound comes from the parent.
        let ordered = level == 0 ? items[...] : items.dropFirst()
        for (a, b) in zip(ordered, ordered.dropFirst()) where order(a, b) >= 0 {
            throw corrupt(page: pageNumber, "entries out of order")
        }
        if let first = ordered.first, let low, order(first, low) < 0 {
            throw corrupt(page: pageNumber, "an entry lies below the parent's separator")
        }
        if let last = ordered.last, let high, order(last, high) >= 0 {
            throw corrupt(page: pageNumber, "an entry lies at or above the next separator")
        }
        if level == 0 { return items.count }
        guard !items.isEmpty else { throw corrupt(page: pageNumber, "an internal page without downlinks") }
        var total = 0
        for (index, item) in items.enumerated() {
            let childLow = index == 0 ? low : item
            let childHigh = index + 1 < items.count ? items[index + 1] : high
            total += try verifySubtree(item.child, level: level - 1, low: childLow, high: childHigh, levels: &levels)
        }
        return total
    }
}
