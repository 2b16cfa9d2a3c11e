// Storage: the oldest xmin — the horizon below which a deleted or updated row version is dead to
// everyone (PostgreSQL's GetOldestNonRemovableTransactionId over the proc array's xmins).
//
// A version whose xmax committed and is older than the horizon can be removed by pruning and
// VACUUM: every running transaction, and every snapshot still in use, sees the deletion. The
// horizon is the smallest of
//   - the oldest running xid, or the next xid if none runs (TransactionManager's snapshot xmin);
//   - the xmin of every registered snapshot (a session registers its transaction's first
//     snapshot, PostgreSQL's MyProc->xmin, through a `SnapshotRegistration`);
//   - `replicaXmin`: a hook for hot_standby_feedback — a standby's oldest snapshot, reported
//     through its replication slot, holds the horizon back the same way (not fed yet).
//
// Registration without a shared lock with the TransactionManager: "oldest running or next" only
// ever grows, so any value seen earlier (`floor`) is a safe lower bound. A new registration
// starts at `floor`, then the snapshot is taken (its xmin >= floor), then the registration is
// raised to the snapshot's xmin. `horizon` reads the TransactionManager FIRST and the
// registrations SECOND: if it misses a registration, that snapshot was taken after the first read,
// so its xmin is at least the value read — the horizon is never above a snapshot in use.
// A registration keeps its transaction's first snapshot xmin until released (READ COMMITTED
// statements of the same transaction take newer snapshots; holding the oldest is conservative
// and keeps suspended portals safe).
//
// Recovery conflicts (hot standby; PostgreSQL's ResolveRecoveryConflictWithSnapshot): before
// replay applies a record that removes row versions deleted by xids up to `conflictHorizon`, every
// registration whose xmin is at or below it might still need them. Replay waits up to
// max_standby_streaming_delay for those to be released, then calls their conflict handlers (the
// session cancels its statement with 40001) and applies the record. A registration is cancelled
// once; it is not waited for again.
import Glibc
import WAL

public final class SnapshotRegistry: @unchecked Sendable {
    private struct State {
        var nextID = 0
        var xmins: [Int: TransactionID] = [:]
        /// Called when replay must remove row versions a registration's snapshot may need.
        var conflictHandlers: [Int: @Sendable () -> Void] = [:]
        /// Registrations already told about a recovery conflict.
        var conflicted: Set<Int> = []
        /// The largest "oldest running or next xid" seen so far: never above its current value.
        var floor = TransactionID.firstNormal
        var replicaXmin: TransactionID?
    }
    private let state = PThreadMutex(State())
    private let transactions: TransactionManager

    init(transactions: TransactionManager) { self.transactions = transactions }

    /// A snapshot registered until the returned registration is released (or deinitialised).
    public func registeredSnapshot(for xid: TransactionID, command: CommandID) -> (Snapshot, SnapshotRegistration) {
        let id = state.withLock { s -> Int in
            s.nextID += 1
            s.xmins[s.nextID] = s.floor
            return s.nextID
        }
        let snapshot = transactions.snapshot(for: xid, command: command)
        state.withLock { s in
            s.xmins[id] = snapshot.xmin
            s.floor = max(s.floor, snapshot.xmin)
        }
        return (snapshot, SnapshotRegistration(registry: self, id: id))
    }

    /// Runs `body` with a snapshot registered for its duration (catalog loads).
    public func withRegisteredSnapshot<T>(_ body: (Snapshot) throws -> T) rethrows -> T {
        let (snapshot, registration) = registeredSnapshot(for: .invalid, command: CommandID(0))
        defer { registration.release() }
        return try body(snapshot)
    }

    fileprivate func release(_ id: Int) {
        state.withLock { s in
            s.xmins[id] = nil
            s.conflictHandlers[id] = nil
            s.conflicted.remove(id)
        }
    }

    fileprivate func setConflictHandler(_ id: Int, _ handler: @escaping @Sendable () -> Void) {
        state.withLock { s in if s.xmins[id] != nil { s.conflictHandlers[id] = handler } }
    }

    /// How often a recovery conflict wait looks again for released snapshots (microseconds).
    static let conflictPollMicroseconds: UInt32 = 10_000

    /// Replay is about to remove versions deleted by xids up to `conflictHorizon`: waits up to
    /// `maxDelay` (nil: forever) until no registered snapshot with xmin <= conflictHorizon is left,
    /// then calls the conflict handlers of those still there. Returns how many it cancelled.
    @discardableResult
    func resolveRecoveryConflict(conflictHorizon: TransactionID, maxDelay: Duration?) -> Int {
        let deadline = maxDelay.map { ContinuousClock.now + $0 }
        while true {
            let conflicting = state.withLock { s in
                s.xmins.filter { $0.value <= conflictHorizon && !s.conflicted.contains($0.key) }.map(\.key)
            }
            if conflicting.isEmpty { return 0 }
            if let deadline, ContinuousClock.now >= deadline {
                let handlers = state.withLock { s -> [@Sendable () -> Void] in
                    s.conflicted.formUnion(conflicting)
                    return conflicting.compactMap { s.conflictHandlers[$0] }
                }
                for handler in handlers { handler() }
                return conflicting.count
            }
            usleep(Self.conflictPollMicroseconds)
        }
    }

    /// Hot-standby feedback: the oldest xmin a standby still needs (nil: none).
    public func setReplicaXmin(_ xmin: TransactionID?) { state.withLock { $0.replicaXmin = xmin } }

    /// The oldest xmin: versions deleted by a committed xid below it are dead to everyone.
    public func horizon() -> TransactionID {
        let running = transactions.snapshot(for: .invalid, command: CommandID(0)).xmin
        return state.withLock { s in
            s.floor = max(s.floor, running)
            var oldest = running
            for xmin in s.xmins.values where xmin < oldest { oldest = xmin }
            if let replica = s.replicaXmin, replica.isNormal, replica < oldest { oldest = replica }
            return oldest
        }
    }
}

/// One transaction's registered snapshot xmin; released when the transaction ends.
public final class SnapshotRegistration: @unchecked Sendable {
    private weak var registry: SnapshotRegistry?
    private let id: Int
    private let released = PThreadMutex(false)

    fileprivate init(registry: SnapshotRegistry, id: Int) {
        self.registry = registry
        self.id = id
    }

    /// Replay is about to remove row versions this snapshot may need (hot standby): `handler`
    /// cancels whatever uses it. Runs on the replay thread.
    public func onRecoveryConflict(_ handler: @escaping @Sendable () -> Void) {
        registry?.setConflictHandler(id, handler)
    }

    public func release() {
        let first = released.withLock { done -> Bool in
            defer { done = true }
            return !done
        }
        if first { registry?.release(id) }
    }

    deinit { release() }
}
