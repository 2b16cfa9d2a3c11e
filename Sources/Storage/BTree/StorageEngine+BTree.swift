// Storage: the engine's handle on a B-tree index. The relation file is created by createRelation
// (kind .btree); the B-tree formats its metapage and first root leaf itself, on the first insert.
import WAL

extension StorageEngine {
    /// The B-tree index stored in relation `id`. Objects are cheap; every object of one index shares
    /// its tree lock (BTreeBufferPoolStore.swift).
    public func btree(_ id: RelationID) -> BTreeIndex {
        BTreeIndex(id: id, pool: bufferPool, log: pageLog)
    }
}
