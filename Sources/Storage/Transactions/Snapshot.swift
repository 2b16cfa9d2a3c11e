// Storage: MVCC snapshots and tuple visibility (PostgreSQL's HeapTupleSatisfiesMVCC).
//
// A tuple version is visible to a snapshot when its inserter is visible — committed before the
// snapshot was taken, or the snapshot's own transaction in an earlier command — and its deleter
// (xmax, unless it only locked the row) is not: aborted, still running at snapshot time, not yet
// started, or the own transaction in this or a later command.
import WAL

public struct Snapshot: Sendable {
    /// Every xid below xmin had finished when the snapshot was taken.
    public var xmin: TransactionID
    /// Every xid at or above xmax had not started: invisible.
    public var xmax: TransactionID
    /// Transactions running when the snapshot was taken: invisible even once they commit.
    public var inProgress: Set<TransactionID>
    /// The own transaction's changes are visible ...
    public var currentTransaction: TransactionID
    /// ... if made by an earlier command.
    public var currentCommand: CommandID

    public init(xmin: TransactionID, xmax: TransactionID, inProgress: Set<TransactionID>,
                currentTransaction: TransactionID, currentCommand: CommandID) {
        self.xmin = xmin
        self.xmax = xmax
        self.inProgress = inProgress
        self.currentTransaction = currentTransaction
        self.currentCommand = currentCommand
    }
}

enum Visibility {
    /// Did `xid` commit before `snapshot` was taken (ignoring the snapshot's own transaction)?
    static func committedBefore(_ xid: TransactionID, _ snapshot: Snapshot, _ clog: CommitLog) -> Bool {
        if xid < .firstNormal { return xid == .bootstrap || xid == .frozen }
        if xid >= snapshot.xmax || snapshot.inProgress.contains(xid) { return false }
        return clog.status(of: xid) == .committed
    }

    static func isVisible(_ tuple: HeapTupleHeader, _ snapshot: Snapshot, _ clog: CommitLog) -> Bool {
        let own = snapshot.currentTransaction
        if tuple.xmin == own && own.isNormal {
            if tuple.commandID >= snapshot.currentCommand { return false }   // inserted by this or a later command
        } else if !committedBefore(tuple.xmin, snapshot, clog) {
            return false
        }
        if !tuple.xmax.isValid || tuple.xmaxIsLockOnly { return true }
        if tuple.xmax == own && own.isNormal {
            return tuple.xmaxCommandID >= snapshot.currentCommand           // deleted by this or a later command
        }
        return !committedBefore(tuple.xmax, snapshot, clog)
    }
}
