// SessionFunctionContext+Standby: the standby functions' answers for a session —
// pg_last_wal_receive_lsn (the WAL receiver, through the server's StandbyProvider),
// pg_last_wal_replay_lsn and pg_last_xact_replay_timestamp (Storage's replay), pg_promote.
// On a primary they answer NULL, and pg_promote fails as in PostgreSQL.

import Storage

extension SessionFunctionContext {
    var walReceiveLSN: UInt64? {
        guard let database = session?.database, database.isInRecovery else { return nil }
        return database.standbyProvider?.receivedLSN?.value
    }

    var walReplayLSN: UInt64? { session?.database.storage.standbyStatus?.replayLSN.value }

    /// When replay applied the last commit or abort record (the records carry no timestamp).
    var lastReplayedCommitTimestamp: Int64? { session?.database.storage.standbyStatus?.lastTransactionReplayTime }

    func promote(wait: Bool, waitSeconds: Int) throws -> Bool {
        guard let session else { throw SQLError(SQLError.adminShutdown, "terminating connection due to administrator command") }
        guard session.role.superuser else {
            throw SQLError(SQLError.insufficientPrivilege, "permission denied for function pg_promote")
        }
        guard session.database.isInRecovery, let provider = session.database.standbyProvider else {
            throw SQLError(SQLError.objectNotInPrerequisiteState, "recovery is not in progress",
                           hint: "Recovery control functions can only be executed during recovery.")
        }
        guard waitSeconds > 0 else {
            throw SQLError(SQLError.invalidParameterValue, "\"wait_seconds\" must not be negative or zero")
        }
        return try provider.promote(wait: wait, timeout: .seconds(waitSeconds))
    }
}
