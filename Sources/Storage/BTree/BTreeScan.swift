// Range scans: every entry with lower <= key <= upper (each bound optional, inclusive or not), in
// entry order, stopping early when the caller's closure returns false.
//
// The scan descends once to the leaf where the lower bound belongs, then walks right along the leaf
// level. For each leaf it holds the tree lock (shared) and the page's content lock only while it
// copies the matching entries into a reusable batch; the closure runs with no lock held (see
// BTreeIndex.swift for why that is safe).
import WAL

extension BTreeIndex {
    public func scan(from lower: BTreeBound?, to upper: BTreeBound?,
                     _ body: (_ key: UnsafeRawBufferPointer, _ tid: TupleID) throws -> Bool) throws {
        // An exclusive lower bound starts after every TID of its key; an inclusive one before them.
        let startTID: BTreeTID = (lower?.inclusive ?? true) ? .lowest : .highest
        let startKey = lower?.key ?? []
        var batch = BTreeScanBatch()
        var nextPage: UInt32?     // nil: descend from the root
        // A leaf level cannot have more pages than the file: more steps mean a right-link cycle.
        var leavesVisited = 0
        var pageLimit = try store.pageCount(of: id)
        while true {
            batch.removeAll()
            let (rightLink, passedUpper) = try withTreeLock(.shared) { () throws -> (UInt32, Bool) in
                let leaf: PageGuard
                if let page = nextPage {
                    leaf = try readNode(page, .shared, level: 0)
                } else {
                    guard let found = try startKey.withUnsafeBytes({ try descend(to: $0, tid: startTID, leafMode: .shared) })
                    else { return (0, true) }
                    leaf = found
                }
                defer { leaf.release() }
                let page = BTreePage(leaf.bytes)
                let first = nextPage == nil ? startKey.withUnsafeBytes { page.lowerBound(key: $0, tid: startTID) } : 0
                for index in first..<max(first, page.count) {
                    let key = page.key(at: index)
                    if let upper, !Self.isWithin(key, upper: upper) { return (page.rightLink, true) }
                    batch.append(key: key, tid: page.tid(at: index))
                }
                return (page.rightLink, false)
            }
            for index in 0..<batch.count {
                let keepGoing = try batch.key(at: index) { key in try body(key, batch.tids[index].tupleID) }
                if !keepGoing { return }
            }
            if passedUpper || rightLink == 0 { return }
            leavesVisited += 1
            if leavesVisited >= pageLimit {
                pageLimit = try store.pageCount(of: id)     // the index may have grown meanwhile
                if leavesVisited >= pageLimit { throw corrupt(page: rightLink, "the leaf level's right links form a cycle") }
            }
            nextPage = rightLink
        }
    }

    private static func isWithin(_ key: UnsafeRawBufferPointer, upper: BTreeBound) -> Bool {
        let order = upper.key.withUnsafeBytes { BTreeEntryOrder.compareKeys(key, $0) }
        return order < 0 || (order == 0 && upper.inclusive)
    }
}

/// Entries copied out of one leaf: keys back to back in one buffer, reused from leaf to leaf.
struct BTreeScanBatch {
    private var keyBytes: [UInt8] = []
    private var keyEnds: [Int] = []
    private(set) var tids: [BTreeTID] = []

    var count: Int { tids.count }

    mutating func removeAll() {
        keyBytes.removeAll(keepingCapacity: true)
        keyEnds.removeAll(keepingCapacity: true)
        tids.removeAll(keepingCapacity: true)
    }

    mutating func append(key: UnsafeRawBufferPointer, tid: BTreeTID) {
        keyBytes.append(contentsOf: key)
        keyEnds.append(keyBytes.count)
        tids.append(tid)
    }

    func key<T>(at index: Int, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        let start = index == 0 ? 0 : keyEnds[index - 1]
        return try keyBytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[start..<keyEnds[index]])) }
    }
}
