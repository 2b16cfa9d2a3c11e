// SubtransactionStack: the savepoint levels of one transaction, innermost last (PostgreSQL's
// TransactionState stack above the top level), and the subtransaction ids they wrote with.
// A pure value: ExecutionContext assigns the ids through Storage and aborts what it returns.
//
//   top level (xid) ──SAVEPOINT a──► level a (subxid, at its first write) ──SAVEPOINT b──► level b …
//
// - A write stamps the innermost level's subxid (assigned at that level's first write).
// - RELEASE a: levels a and above end; their subxids join the level below a (or the top level):
//   still live, they commit or abort with it.
// - ROLLBACK TO a: the subxids of level a and above are handed back to be aborted; the levels
//   above a end and a stays, empty (PostgreSQL keeps the savepoint).
// - An error inside a level aborts that level's subxids at once (abortInnermost); the level stays
//   until ROLLBACK TO or the end of the transaction.
// Invariant: a live subxid appears in at most one level — none once released into the top level,
// where Storage keeps it with the top-level xid until the transaction ends.
import WAL

struct SubtransactionStack {
    struct Level {
        let savepoint: String
        /// The session's settings when the savepoint was defined (ROLLBACK TO restores them).
        let settings: SessionSettings.SavepointValues
        /// The level's own subtransaction, .invalid until it writes.
        var xid: TransactionID = .invalid
        /// Subtransactions of released levels that were above this one.
        var releasedChildren: [TransactionID] = []

        var liveXids: [TransactionID] { (xid.isValid ? [xid] : []) + releasedChildren }
    }

    private(set) var levels: [Level] = []

    var isEmpty: Bool { levels.isEmpty }
    var depth: Int { levels.count }

    /// True when a write must first get a subxid for the innermost level.
    var innermostNeedsXid: Bool { levels.last.map { !$0.xid.isValid } ?? false }

    /// The xid writes are stamped with now: the innermost level's (.invalid before it writes), or
    /// nil without savepoints (the top-level xid then).
    var innermostXid: TransactionID? { levels.last?.xid }

    /// The innermost level with that name (PostgreSQL looks from the inside out).
    func level(named savepoint: String) -> Int? { levels.lastIndex { $0.savepoint == savepoint } }

    mutating func push(savepoint: String, settings: SessionSettings.SavepointValues) {
        levels.append(Level(savepoint: savepoint, settings: settings))
    }

    mutating func assignInnermost(_ xid: TransactionID) {
        precondition(innermostNeedsXid, "the innermost savepoint level already has a subtransaction")
        levels[levels.count - 1].xid = xid
    }

    /// RELEASE: level `index` and those above end; their subxids join the level below.
    mutating func release(from index: Int) {
        let merged = levels[index...].flatMap(\.liveXids)
        levels.removeSubrange(index...)
        if !levels.isEmpty { levels[levels.count - 1].releasedChildren += merged }
    }

    /// ROLLBACK TO: the levels above `index` end, level `index` is emptied; returns the subxids
    /// to abort and the settings to restore.
    mutating func rollback(to index: Int) -> (aborted: [TransactionID], settings: SessionSettings.SavepointValues) {
        let aborted = levels[index...].flatMap(\.liveXids)
        levels.removeSubrange((index + 1)...)
        levels[index].xid = .invalid
        levels[index].releasedChildren = []
        return (aborted, levels[index].settings)
    }

    /// An error inside the innermost level: its subxids, to abort now; the level stays.
    mutating func abortInnermost() -> [TransactionID] {
        guard let last = levels.indices.last else { return [] }
        let aborted = levels[last].liveXids
        levels[last].xid = .invalid
        levels[last].releasedChildren = []
        return aborted
    }
}
