// The per-index reader/writer lock (see BTreeIndex.swift): scans share it, inserts and deletes
// hold it exclusively. It is a writer-preferring ContentLock: once a writer waits, new readers
// queue behind it, so a steady stream of scans cannot starve inserts. The price is that a thread
// must never take it shared twice (it would wait behind a queued writer that waits for it); the
// B-tree code takes it once per operation and never calls out to its caller while holding it
// (except insertUnique's check, which must not touch the same index).
//
// BTreeTreeLocks hands out one lock per (relation files directory, relation), so every BTreeIndex
// object of an index — even from two engine objects opened on the same data directory — shares
// it. The table only grows, by one small lock per index ever opened in the process.

enum BTreeTreeLocks {
    private struct Key: Hashable { var directory: String; var relation: RelationID }
    private static let table = PThreadMutex<[Key: ContentLock]>([:])

    static func lock(directory: String, relation: RelationID) -> ContentLock {
        table.withLock { locks in
            let key = Key(directory: directory, relation: relation)
            if let lock = locks[key] { return lock }
            let lock = ContentLock(preferWriters: true)
            locks[key] = lock
            return lock
        }
    }
}
