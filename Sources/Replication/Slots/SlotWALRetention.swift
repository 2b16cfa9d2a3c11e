// SlotWALRetention: the WAL a checkpoint must keep for replication (PostgreSQL's KeepLogSeg):
// everything from the oldest replication slot's restart_lsn, and at least wal_keep_size bytes
// before the current insert position. Dirty slots are saved here too, at each checkpoint, so a
// slot's saved restart_lsn is never older than the WAL the checkpoint is about to remove.

import Logging
import Storage
import WAL

public struct SlotWALRetention: WALRetention {
    private let slots: ReplicationSlots
    private let walKeepSizeBytes: @Sendable () -> Int
    private let logger: Logger

    public init(slots: ReplicationSlots, walKeepSizeBytes: @escaping @Sendable () -> Int, logger: Logger) {
        self.slots = slots
        self.walKeepSizeBytes = walKeepSizeBytes
        self.logger = logger
    }

    public func oldestLSNToKeep(checkpointRedo: LSN, insertLSN: LSN) -> LSN? {
        do {
            try slots.saveDirty()
        } catch {
            logger.error("could not save replication slots: \(error.message)")
        }
        var oldest = slots.oldestRestartLSN
        let keep = UInt64(walKeepSizeBytes())
        if keep > 0 {
            let kept = LSN(insertLSN.value > keep ? insertLSN.value - keep : 0)
            oldest = min(oldest ?? kept, kept)
        }
        return oldest
    }
}
