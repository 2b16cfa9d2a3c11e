// SyncRep: a committing backend's wait for its synchronous standbys (PostgreSQL's
// SyncRepWaitForLSN). After its commit record is flushed locally, the backend sleeps on the WAL
// sender registry until the standbys chosen by synchronous_standby_names have reported the WAL
// flushed so far as written (remote_write), flushed (on) or applied (remote_apply). Every status
// update wakes the waiters; a cancel is noticed within `cancelPollInterval`.

import WAL

public struct SyncRep: Sendable {
    /// How often a waiting backend looks at its cancel flag when no standby reports.
    public static let cancelPollInterval: Duration = .milliseconds(100)

    private let senders: WALSenders
    private let wal: @Sendable () -> FlushedWAL?
    private let names: @Sendable () -> SyncStandbyNames?

    public init(senders: WALSenders, wal: @escaping @Sendable () -> FlushedWAL?,
                names: @escaping @Sendable () -> SyncStandbyNames?) {
        self.senders = senders
        self.wal = wal
        self.names = names
    }

    /// True once confirmed (or nothing to wait for: no synchronous standbys configured, or not a
    /// primary); false if `isCancelled` turned true first.
    public func waitForStandbys(position: SyncStandbySelection.Position, isCancelled: () -> Bool) -> Bool {
        guard let names = names(), let wal = wal() else { return true }
        let target = wal.flushedLSN
        return senders.wait(pollInterval: Self.cancelPollInterval, shouldStop: isCancelled) { all in
            guard let confirmed = SyncStandbySelection.confirmedPosition(all, names: names, position: position) else {
                return false
            }
            return confirmed >= target
        }
    }
}
