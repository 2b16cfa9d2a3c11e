// Storage: what a delete, update or row lock found (PostgreSQL's TM_Result). The executor waits
// and re-evaluates as READ COMMITTED requires.
import WAL

public enum HeapModifyResult: Sendable {
    /// Done; newVersion is the update's new tuple.
    case ok(newVersion: TupleID?)
    /// Never visible to the caller (inserted by a transaction that has not committed, or by a
    /// later command of its own).
    case invisible
    /// Already changed by the caller's own transaction in its current command.
    case selfModified
    /// Another transaction holds it: wait(for:) that xid, then retry.
    case beingModified(by: TransactionID)
    /// A committed newer version exists (follow it in READ COMMITTED).
    case updated(newVersion: TupleID)
    /// A committed deletion.
    case deleted
}
