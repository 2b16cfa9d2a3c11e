// SynchronousReplicationWaiter: where a committing session waits for synchronous standbys
// (synchronous_commit = remote_write | on | remote_apply with synchronous_standby_names set).
// The server injects it (`Database.synchronousReplication`); SQLMini does not import Replication.
// The wait comes after the commit record is flushed locally: the transaction has committed; only
// the acknowledgement to the client waits. A cancel ends the wait with PostgreSQL's WARNING.

public enum SynchronousCommitLevel: String, Sendable {
    case off, local, on
    case remoteWrite = "remote_write"
    case remoteApply = "remote_apply"
}

public protocol SynchronousReplicationWaiter: AnyObject, Sendable {
    /// Returns once the synchronous standbys confirmed (written, flushed or applied, as `level`
    /// asks) all WAL flushed so far — at once when none are configured or `level` is off/local —
    /// or false when `isCancelled` turned true first.
    func waitForStandbys(level: SynchronousCommitLevel, isCancelled: () -> Bool) -> Bool
}

extension SQLNotice {
    /// The wait for synchronous standbys was cancelled after the local commit.
    static let synchronousReplicationCancelled = SQLNotice(
        "01000", "canceling wait for synchronous replication due to user request",
        detail: "The transaction has already committed locally, but might not have been replicated to the standby.",
        severity: .warning)
}
