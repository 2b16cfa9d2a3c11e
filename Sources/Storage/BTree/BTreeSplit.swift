// Choosing where a full page splits. Pure: works on the items copied out of the page plus the one
// being inserted, and says which go left, which go right, and what separator goes up to the parent.
//
// Leaf split at s:      left = items[0..<s], right = items[s...], separator = (key, tid) of items[s]
// Internal split at s:  left = items[0..<s], right = [minus infinity → items[s].child] + items[s+1...],
//                       separator = (key, tid) of items[s]  (its key moves up, PostgreSQL's
//                       "first data key" of the right page becomes the new minus infinity)
//
// Where: as close as possible to a target share of the bytes on the left, both halves fitting.
// The target is half, except when the new entry goes to the very end of the rightmost page of its
// level: then ascending inserts (a serial primary key) would leave every left page half empty
// forever, so the left page is filled to PostgreSQL's fillfactor (90% for leaves, 70% for internal
// pages, nbtsplitloc.c).

struct BTreeSplit {
    var left: [BTreeItem]
    var right: [BTreeItem]
    /// The new downlink for the parent; its `child` is filled in once the right page's number is known.
    var separator: BTreeItem
}

enum BTreeSplitChooser {
    static let halfShare = 0.5
    static let leafFillFactor = 0.90
    static let internalFillFactor = 0.70

    /// `items` is sorted and holds the new entry at `insertedAt`; `isRightmost` says the page has no
    /// right sibling. Returns nil only if no split point lets both halves fit (impossible while keys
    /// respect `BTreeIndex.maximumKeyLength`).
    static func split(_ items: [BTreeItem], insertedAt: Int, isLeaf: Bool, isRightmost: Bool) -> BTreeSplit? {
        let capacity = BTreePage.capacity
        precondition(items.count >= 2, "a split needs at least two items")
        let appending = isRightmost && insertedAt == items.count - 1
        let share = appending ? (isLeaf ? leafFillFactor : internalFillFactor) : halfShare
        let total = items.reduce(0) { $0 + $1.spaceNeeded }
        let target = Double(total) * share

        var best: (index: Int, distance: Double)?
        var leftBytes = 0
        for index in 1..<items.count {
            leftBytes += items[index - 1].spaceNeeded
            var rightBytes = total - leftBytes
            if !isLeaf {
                // The right page's first item loses its key (it becomes minus infinity).
                rightBytes -= items[index].key.count
            }
            guard leftBytes <= capacity, rightBytes <= capacity else { continue }
            let distance = abs(Double(leftBytes) - target)
            if let current = best, current.distance <= distance { continue }
            best = (index, distance)
        }
        guard let at = best?.index else { return nil }

        let separator = BTreeItem(key: items[at].key, tid: items[at].tid, child: 0)
        let left = Array(items[..<at])
        let right: [BTreeItem]
        if isLeaf {
            right = Array(items[at...])
        } else {
            right = [BTreeItem.firstDownlink(to: items[at].child)] + items[(at + 1)...]
        }
        return BTreeSplit(left: left, right: right, separator: separator)
    }
}
