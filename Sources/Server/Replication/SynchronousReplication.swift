// SynchronousReplication: SQLMini's SynchronousReplicationWaiter on top of Replication's SyncRep —
// synchronous_commit decides which standby position a commit waits for (off and local: none).

import Replication
import SQLMini

final class SynchronousReplication: SynchronousReplicationWaiter {
    private let syncRep: SyncRep

    init(syncRep: SyncRep) { self.syncRep = syncRep }

    func waitForStandbys(level: SynchronousCommitLevel, isCancelled: () -> Bool) -> Bool {
        let position: SyncStandbySelection.Position
        switch level {
        case .off, .local: return true
        case .remoteWrite: position = .write
        case .on: position = .flush
        case .remoteApply: position = .apply
        }
        return syncRep.waitForStandbys(position: position, isCancelled: isCancelled)
    }
}
