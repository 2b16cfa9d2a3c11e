// Inserting into a B-tree, with page splits propagating up to a new root.
//
// Under the exclusive tree lock: descend from the root keeping every page of the path locked
// exclusively; if the leaf has room, insert there (one page logged). If it is full and the caller
// named the table's heap, entries of dead versions are removed first (BTreeSimpleDeletion.swift).
// Otherwise plan the splits
// bottom-up — each split pushes a separator into the parent, which may split in turn, up to a new
// root — extend the relation by the pages the plan needs, then apply the whole plan inside ONE
// logChanges over every page it touches, so a crash leaves either the old tree or the new one.
//
// The plan is computed twice: first to count the new pages, then with their page numbers (which
// the downlinks need). Split positions depend only on item sizes, so both passes agree.
import WAL

extension BTreeIndex {
    /// Adds (key, tid). `heap`, the table the index belongs to, lets a full leaf shed the entries
    /// of dead row versions instead of splitting.
    public func insert(key: [UInt8], tid: TupleID, xid: TransactionID, heap: HeapRelation? = nil) throws {
        guard key.count <= btreeMaximumKeyLength else { throw btreeKeyTooLong(key.count) }
        try withTreeLock(.exclusive) { try insertLocked(BTreeItem(key: key, tid: BTreeTID(tid), child: 0), xid: xid, heap: heap) }
    }

    /// Inserts `entry` (a leaf item); the caller holds the tree lock exclusively.
    func insertLocked(_ entry: BTreeItem, xid: TransactionID, heap: HeapRelation?) throws {
        let meta = try lockMetaCreatingRoot(xid: xid)
        defer { meta.release() }
        var path: [PageGuard] = []
        defer { for page in path { page.release() } }
        let metaPage = BTreeMetaPage(meta.bytes)
        var (pageNumber, level) = (metaPage.root, metaPage.level)
        while true {
            let node = try readNode(pageNumber, .exclusive, level: level)
            path.append(node)
            if level == 0 { break }
            let page = BTreePage(node.bytes)
            pageNumber = entry.key.withUnsafeBytes { page.child(at: page.childIndex(key: $0, tid: entry.tid)) }
            level -= 1
        }
        guard let leafGuard = path.last else { return }
        let leaf = BTreePage(leafGuard.bytes)
        if !leaf.fits(keyLength: entry.key.count), let heap {
            try deleteDeadEntries(leafGuard, heap: heap, xid: xid)
        }
        let position = entry.key.withUnsafeBytes { leaf.lowerBound(key: $0, tid: entry.tid) }
        if position < leaf.count, entry.key.withUnsafeBytes({ leaf.compare(at: position, key: $0, tid: entry.tid) }) == 0 {
            throw StorageError(.invalidState, "index \(id) already has this key with tid \(entry.tid.tupleID)")
        }
        if leaf.fits(keyLength: entry.key.count) {
            try store.logPageChanges([leafGuard], xid: xid) { leaf.insert(entry, at: position) }
            return
        }
        try splitAndInsert(entry, at: position, path: path, meta: meta, xid: xid)
    }

    /// The metapage locked exclusively; formats it and an empty root leaf if the tree has none yet.
    private func lockMetaCreatingRoot(xid: TransactionID) throws -> PageGuard {
        let meta = try store.pageCount(of: id) == 0
            ? try store.extendRelation(id)
            : try store.readPage(id, PageNumber(BTreeMetaPage.pageNumber), .exclusive)
        guard meta.pageNumber.value == BTreeMetaPage.pageNumber else {
            meta.release()
            throw corrupt(page: meta.pageNumber.value, "the metapage must be page 0")
        }
        let isNew = meta.header.isNew
        guard isNew || BTreeMetaPage(meta.bytes).isValid else {
            meta.release()
            throw corrupt(page: BTreeMetaPage.pageNumber, "bad metapage")
        }
        if !isNew && BTreeMetaPage(meta.bytes).root != 0 { return meta }
        do {
            let root = try store.extendRelation(id)
            defer { root.release() }
            try store.logPageChanges([meta, root], xid: xid) {
                if isNew { BTreeMetaPage.format(meta.bytes) }
                BTreePage.format(root.bytes, level: 0, rightLink: 0)
                let metaPage = BTreeMetaPage(meta.bytes)
                metaPage.root = root.pageNumber.value
                metaPage.level = 0
            }
        } catch {
            meta.release()
            throw error
        }
        return meta
    }

    private func splitAndInsert(_ entry: BTreeItem, at position: Int, path: [PageGuard], meta: PageGuard,
                                xid: TransactionID) throws {
        let count = try planInsert(entry, at: position, path: path, newPages: []).newPageCount
        var newPages: [PageGuard] = []
        defer { for page in newPages { page.release() } }
        for _ in 0..<count { newPages.append(try store.extendRelation(id)) }
        let plan = try planInsert(entry, at: position, path: path, newPages: newPages.map(\.pageNumber.value))

        var changed = Array(path[plan.topPathIndex...]) + newPages
        if plan.newRoot != nil { changed.append(meta) }
        try store.logPageChanges(changed, xid: xid) {
            apply(plan, path: path, newPages: newPages, meta: meta)
        }
    }

    /// What an insert does to the path, bottom-up.
    struct InsertPlan {
        struct Split { var pathIndex: Int; var split: BTreeSplit; var newPage: UInt32; var oldRightLink: UInt32; var level: Int }
        var splits: [Split] = []
        /// The final insert into a page with room (nil when the root split).
        var insert: (pathIndex: Int, item: BTreeItem, position: Int)?
        var newRoot: (page: UInt32, level: Int, items: [BTreeItem])?
        var newPageCount = 0
        /// The highest page of the path that changes.
        var topPathIndex = 0
    }

    /// Plans the insert of `entry` at `position` of the leaf (the last page of `path`). `newPages`
    /// are the page numbers to use for new pages, in order; empty to just count them.
    func planInsert(_ entry: BTreeItem, at position: Int, path: [PageGuard], newPages: [UInt32]) throws -> InsertPlan {
        var plan = InsertPlan()
        func nextNewPage() -> UInt32 {
            defer { plan.newPageCount += 1 }
            return plan.newPageCount < newPages.count ? newPages[plan.newPageCount] : 0
        }
        var pending = entry
        var insertAt = position
        var index = path.count - 1
        while true {
            plan.topPathIndex = index
            let page = BTreePage(path[index].bytes)
            if page.fits(keyLength: pending.key.count) {
                plan.insert = (index, pending, insertAt)
                return plan
            }
            var items = page.items()
            items.insert(pending, at: insertAt)
            guard let split = BTreeSplitChooser.split(items, insertedAt: insertAt, isLeaf: page.isLeaf,
                                                      isRightmost: page.rightLink == 0) else {
                throw StorageError(.invalidState, "index \(id): no split point fits page \(path[index].pageNumber)")
            }
            let right = nextNewPage()
            plan.splits.append(.init(pathIndex: index, split: split, newPage: right,
                                     oldRightLink: page.rightLink, level: page.level))
            var separator = split.separator
            separator.child = right
            if index == 0 {
                plan.newRoot = (nextNewPage(), page.level + 1,
                                [.firstDownlink(to: path[0].pageNumber.value), separator])
                return plan
            }
            index -= 1
            let parent = BTreePage(path[index].bytes)
            insertAt = separator.key.withUnsafeBytes { parent.lowerBound(key: $0, tid: separator.tid) }
            pending = separator
        }
    }

    /// Writes the planned pages (inside logChanges).
    private func apply(_ plan: InsertPlan, path: [PageGuard], newPages: [PageGuard], meta: PageGuard) {
        func newPage(_ number: UInt32) -> PageGuard? { newPages.first { $0.pageNumber.value == number } }
        for step in plan.splits {
            guard let right = newPage(step.newPage) else { preconditionFailure("planned page \(step.newPage) was not extended") }
            BTreePage(path[step.pathIndex].bytes).rewrite(level: step.level, rightLink: step.newPage, items: step.split.left)
            BTreePage(right.bytes).rewrite(level: step.level, rightLink: step.oldRightLink, items: step.split.right)
        }
        if let insert = plan.insert {
            BTreePage(path[insert.pathIndex].bytes).insert(insert.item, at: insert.position)
        }
        if let root = plan.newRoot {
            guard let rootPage = newPage(root.page) else { preconditionFailure("planned root \(root.page) was not extended") }
            BTreePage(rootPage.bytes).rewrite(level: root.level, rightLink: 0, items: root.items)
            let metaPage = BTreeMetaPage(meta.bytes)
            metaPage.root = root.page
            metaPage.level = root.level
        }
    }
}
