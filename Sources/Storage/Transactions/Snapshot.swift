// Storage: MVCC snapshots and tuple visibility (PostgreSQL's HeapTupleSatisfiesMVCC).
//
// A tuple version is visible to a snapshot when its inserter is visible — committed before the
// snapshot was taken, or the snapshot's own transaction in an earlier command — and its deleter
// (xmax, unless it only locked the row) is not: aborted, still running at snapshot time, not yet
// started, or the own transaction in this or a later command.
//
// "The own transaction" is the top-level xid and its live subtransaction ids (savepoint levels
// that wrote and were not rolled back: PostgreSQL's TransactionIdIsCurrentTransactionId). A
// subtransaction rolled back by ROLLBACK TO SAVEPOINT leaves that set and is aborted in the commit
// log, so what it inserted disappears and what it deleted or locked is back — for its own
// transaction too.
import WAL

public struct Snapshot: Sendable {
    /// Every xid below xmin had finished when the snapshot was taken.
    public var xmin: TransactionID
    /// Every xid at or above xmax had not started: invisible.
    public var xmax: TransactionID
    /// Transactions running when the snapshot was taken: invisible even once they commit.
    public var inProgress: Set<TransactionID>
    /// The own (top-level) transaction's changes are visible ...
    public var currentTransaction: TransactionID
    /// ... and so are those of its live subtransactions (assignment order; usually empty) ...
    public var subtransactions: [TransactionID]
    /// ... if made by an earlier command.
    public var currentCommand: CommandID

    public init(xmin: TransactionID, xmax: TransactionID, inProgress: Set<TransactionID>,
                currentTransaction: TransactionID, subtransactions: [TransactionID] = [], currentCommand: CommandID) {
        self.xmin = xmin
        self.xmax = xmax
        self.inProgress = inProgress
        self.currentTransaction = currentTransaction
        self.subtransactions = subtransactions
        self.currentCommand = currentCommand
    }

    /// Is `xid` the snapshot's own transaction or one of its live subtransactions?
    public func isCurrentTransaction(_ xid: TransactionID) -> Bool {
        guard xid.isNormal else { return false }
        return xid == currentTransaction || subtransactions.contains(xid)
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
        if snapshot.isCurrentTransaction(tuple.xmin) {
            if tuple.commandID >= snapshot.currentCommand { return false }   // inserted by this or a later command
        } else if !committedBefore(tuple.xmin, snapshot, clog) {
            return false
        }
        if !tuple.xmax.isValid || tuple.xmaxIsLockOnly { return true }
        if snapshot.isCurrentTransaction(tuple.xmax) {
            return tuple.xmaxCommandID >= snapshot.currentCommand           // deleted by this or a later command
        }
        return !committedBefore(tuple.xmax, snapshot, clog)
    }
}
