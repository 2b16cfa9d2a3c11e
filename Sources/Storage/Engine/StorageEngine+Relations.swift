// Storage: relations (create, drop at commit, truncate), their handles, OIDs, and logChanges.
import WAL

extension StorageEngine {
    /// A new OID, WAL-logged ahead in batches: the first user OID is 16384, none is handed out twice
    /// even across a crash.
    public func allocateOID() throws -> UInt32 {
        try oids.withLock { counter in
            if counter.next >= counter.loggedLimit {
                let limit = counter.next &+ Self.oidLogBatch
                var payload = ByteWriter()
                payload.u32(limit)
                // Flushed at once (every 8192 OIDs): a relation file named by an OID exists on
                // disk before any WAL record about it is flushed, so an OID must never come back.
                let (_, end) = try pageLog.insert(.xlog, info: XLOGInfo.nextOID, xid: .invalid, payload: payload.bytes)
                try wal.flush(upTo: end)
                counter.loggedLimit = limit
            }
            defer { counter.next += 1 }
            return counter.next
        }
    }

    /// The OID counter as a checkpoint saves it.
    var nextOIDForCheckpoint: UInt32 { oids.withLock { $0.loggedLimit } }

    /// Creates the relation's (empty) file, WAL-logged; the file is removed again if `xid` aborts.
    /// A sequence gets its page formatted (last_value 1). A B-tree formats its own metapage.
    public func createRelation(_ id: RelationID, kind: RelationKind, xid: TransactionID) throws {
        var payload = ByteWriter()
        payload.u32(id.value)
        payload.u8(kind.rawValue)
        _ = try pageLog.insert(.storage, info: StorageInfo.create, xid: xid, payload: payload.bytes)
        try files.create(id)
        if xid.isNormal { transactions.dropRelationAtAbort(id, xid: xid) }
        if kind == .sequence { try sequence(id).initialize(xid: xid) }
    }

    /// DROP: the file is unlinked when `xid` commits (kept if it aborts).
    public func dropRelationAtCommit(_ id: RelationID, xid: TransactionID) {
        transactions.dropRelationAtCommit(id, xid: xid)
    }

    /// Empties the relation (TRUNCATE). Not transactional: a rollback does not bring rows back.
    /// The record is flushed before the file shrinks, so redo never meets pages that are gone.
    public func truncateRelation(_ id: RelationID, xid: TransactionID) throws {
        var payload = ByteWriter()
        payload.u32(id.value)
        let (_, end) = try pageLog.insert(.storage, info: StorageInfo.truncate, xid: xid, payload: payload.bytes)
        try wal.flush(upTo: end)
        bufferPool.discard(id)
        try files.truncate(id, toPages: 0)
    }

    public func heap(_ id: RelationID) -> HeapRelation {
        heaps.withLock { cache in
            if let heap = cache[id] { return heap }
            let registry = snapshots
            let heap = HeapRelation(id: id, pool: bufferPool, log: pageLog, clog: transactions.clog) { registry.horizon() }
            cache[id] = heap
            return heap
        }
    }

    public func sequence(_ id: RelationID) -> SequenceRelation {
        SequenceRelation(id: id, pool: bufferPool, log: pageLog)
    }

    public func relationSizeInBytes(_ id: RelationID) throws -> Int64 {
        Int64(try bufferPool.pageCount(id)) * Int64(pageSize)
    }

    /// The one way to change pages: see PageLog/PageChangeLogger.swift.
    @discardableResult
    func logChanges(to pages: [PageGuard], xid: TransactionID, _ body: () throws -> Void) throws -> LSN {
        try pageLog.logChanges(to: pages, xid: xid, body)
    }
}
