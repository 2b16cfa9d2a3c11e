// Storage: snapshots on a hot standby (PostgreSQL's KnownAssignedXids, procarray.c).
//
// A standby runs no writing transactions of its own; the primary's transactions reach it only as
// WAL. A standby query's snapshot must see exactly the transactions whose commit record was
// replayed before the snapshot was taken, and never half of one. So replay keeps the set of
// xids it has seen (or skipped over) that have not ended yet:
//
//   observe(x), x > latestObserved:  every xid in (latestObserved, x] not yet ended in the commit
//                                    log becomes "known assigned"; latestObserved = x
//   a commit/abort record replayed:  the commit log is updated first, then the xids it ended leave
//                                    the set (under the lock, all at once)
//   snapshot:                        xmax = latestObserved + 1, inProgress = the set, xmin = its minimum
//
// Why the gaps are filled: the primary hands out xids in order, but a transaction may write its
// first record long after a later xid wrote its own. An xid below xmax that is missing from
// inProgress is treated as ended; without the fill, such a late starter's commit, replayed while
// a query runs, would appear in the middle of that query.
// Startup: replay begins at a checkpoint's redo point, knowing nothing of what ran before it, so
// every xid below the control file's nextXid that the commit log shows unfinished starts out
// known assigned (a gap fill up to nextXid - 1).
// Pruning: a shutdown checkpoint (also written at the end of crash recovery) means nothing was
// running, so the set is emptied. An xid whose primary crashed stays in the set until then: it
// never commits, so keeping it costs memory, not correctness.
import Synchronization
import WAL

final class StandbyTransactions: @unchecked Sendable {
    private struct State {
        var knownAssigned: Set<TransactionID> = []
        var latestObserved = TransactionID(TransactionID.firstNormal.value - 1)
    }
    private let state = PThreadMutex(State())
    private let active = Atomic<Bool>(false)

    /// True from standby startup until promotion: snapshots come from here (one atomic load on a
    /// primary's snapshot path).
    var isActive: Bool { active.load(ordering: .acquiring) }

    /// Standby startup: every xid below the control file's `nextXid` that the commit log does not
    /// show ended may still be running on the primary (the restart point knows no better).
    func activate(nextXid: TransactionID, clog: CommitLog) {
        if nextXid > .firstNormal { observe(TransactionID(nextXid.value - 1), clog: clog) }
        active.store(true, ordering: .releasing)
    }

    /// Promotion: the transaction manager's own running set takes over again.
    func deactivate() {
        active.store(false, ordering: .releasing)
        state.withLock { $0.knownAssigned = [] }
    }

    /// Replay met a record written by `xid`.
    func observe(_ xid: TransactionID, clog: CommitLog) {
        guard xid.isNormal else { return }
        state.withLock { s in
            guard xid > s.latestObserved else { return }
            var next = s.latestObserved.next
            while next <= xid {
                if clog.status(of: next) == .inProgress { s.knownAssigned.insert(next) }
                next = next.next
            }
            s.latestObserved = xid
        }
    }

    /// After a commit or abort record was applied to the commit log: the xids it ended (the top
    /// transaction and whatever subtransactions it listed) leave the running set together.
    func removeEnded(clog: CommitLog) {
        state.withLock { s in
            s.knownAssigned = s.knownAssigned.filter { clog.status(of: $0) == .inProgress }
        }
    }

    /// A shutdown checkpoint: no transaction was running, and none below `nextXid` will run.
    func nothingRunning(below nextXid: TransactionID) {
        state.withLock { s in
            s.knownAssigned = []
            if nextXid.value > TransactionID.firstNormal.value, nextXid.value - 1 > s.latestObserved.value {
                s.latestObserved = TransactionID(nextXid.value - 1)
            }
        }
    }

    /// The snapshot of a standby query (which has no xid of its own).
    func snapshot(command: CommandID) -> Snapshot {
        state.withLock { s in
            let xmax = s.latestObserved.next
            return Snapshot(xmin: s.knownAssigned.min() ?? xmax, xmax: xmax, inProgress: s.knownAssigned,
                            currentTransaction: .invalid, currentCommand: command)
        }
    }

    /// Transactions replay has seen start and not end (tests, the end of recovery).
    var knownAssignedCount: Int { state.withLock { $0.knownAssigned.count } }
}
