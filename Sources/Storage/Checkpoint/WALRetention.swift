// WALRetention: who besides crash recovery still needs old WAL segments. A checkpoint removes the
// segments that end before its redo point — unless a replication slot's restart_lsn or
// wal_keep_size asks to keep more (PostgreSQL's KeepLogSeg). Storage does not know about
// replication; the server hands it a policy (Replication's SlotWALRetention) through this protocol.

import WAL

public protocol WALRetention: Sendable {
    /// Called by every checkpoint just before it removes old segments: the oldest LSN anyone
    /// still needs, or nil for "nothing beyond what crash recovery needs".
    func oldestLSNToKeep(checkpointRedo: LSN, insertLSN: LSN) -> LSN?
}

extension StorageEngine {
    /// Installs (or, with nil, removes) the retention policy consulted by checkpoints.
    public func setWALRetention(_ retention: WALRetention?) {
        walRetention.withLock { $0 = retention }
    }

    /// Segments ending at or before the returned LSN may be removed.
    func oldestWALToKeep(redo: LSN) -> LSN {
        guard let retention = walRetention.withLock({ $0 }),
              let needed = retention.oldestLSNToKeep(checkpointRedo: redo, insertLSN: wal.insertLSN) else { return redo }
        return min(redo, needed)
    }
}
