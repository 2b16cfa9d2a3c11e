// Storage: may a transaction change (delete, update, lock) a tuple version now? PostgreSQL's
// HeapTupleSatisfiesUpdate, asked by HeapRelation under the page's exclusive lock.
//
// "Own" means the snapshot's transaction or one of its live subtransactions
// (Snapshot.isCurrentTransaction): a row a released savepoint level locked or changed is the
// transaction's own; one a rolled-back level touched is not (its xid is aborted), so the lock or
// change it left counts for nothing.
//
// Known gap: a tuple has one xmax. A row locked by an outer level (or the top level) and then
// deleted or updated by an inner level carries only the inner subxid; if that inner level is rolled
// back, the outer level's lock is gone with it. PostgreSQL keeps both in a MultiXact since 9.3;
// before that its manual warned of exactly this ("avoid locking a row and then modifying it within
// a later savepoint").
import WAL

extension Visibility {
    /// Nil if the tuple may be changed by `command` of the snapshot's transaction, else why not.
    static func satisfiesUpdate(_ header: HeapTupleHeader, tid: TupleID, snapshot: Snapshot, command: CommandID,
                                _ clog: CommitLog) -> HeapModifyResult? {
        if snapshot.isCurrentTransaction(header.xmin) {
            if header.commandID >= command { return .invisible }
        } else if clog.status(of: header.xmin) != .committed {
            return .invisible
        }
        guard header.xmax.isValid else { return nil }
        let ownXmax = snapshot.isCurrentTransaction(header.xmax)
        if header.xmaxIsLockOnly {
            if ownXmax { return nil }
            return clog.status(of: header.xmax) == .inProgress ? .beingModified(by: header.xmax) : nil
        }
        if ownXmax { return header.xmaxCommandID >= command ? .selfModified : .invisible }
        switch clog.status(of: header.xmax) {
        case .inProgress: return .beingModified(by: header.xmax)
        case .aborted: return nil
        case .committed: return header.ctid == tid ? .deleted : .updated(newVersion: header.ctid)
        }
    }
}
