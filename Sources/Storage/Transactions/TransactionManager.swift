// Storage: transactions — xid assignment, commit/abort, snapshots, and waiting for a row lock's
// holder with deadlock detection (PostgreSQL's xact.c, procarray.c and a slice of lock.c).
//
// Invariants:
//  - An xid is "running" from assignTransactionID() until commit/abort; a snapshot's inProgress
//    set is exactly the running set at that moment, so a commit becomes visible to snapshots taken
//    after it (READ COMMITTED takes one per statement).
//  - commit: the commit record is inserted and (synchronous_commit = on) flushed BEFORE the commit
//    log says committed and before waiters wake: an acknowledged commit survives a crash.
//  - The xid counter is WAL-logged ahead in batches of `xidLogBatch` (and saved in checkpoints),
//    so after a crash no xid is handed out twice.
//  - Checkpoint interlock: commit/abort hold `checkpointInterlock` shared from their record insert
//    until the commit log is updated; a checkpoint takes it exclusively to pick its redo point, so
//    a commit before the redo point is always in the commit log the checkpoint writes.
//  - Deadlocks: each waiter waits for one xid; the waiter whose new edge closes a cycle in the
//    wait-for graph gets StorageError.deadlock (40P01), the others keep waiting. The graph's nodes
//    are top-level transactions: a wait for a subtransaction is a wait for its top-level one.
//
// Subtransactions (savepoint levels that write): each gets its own xid, assigned at its first
// write after its top-level xid (so a subxid is always greater than its parent's), and is running
// — in every snapshot's inProgress, waited for by row-lock waiters — until either
//  - ROLLBACK TO SAVEPOINT aborts it (abortSubtransactions: one abort record listing the rolled-back
//    subxids, commit log aborted, waiters woken), or
//  - its top-level transaction ends: commit writes ONE commit record listing every live subxid and
//    marks them all committed in the commit log under one lock, so no snapshot sees part of it;
//    abort does the same with an abort record.
// RELEASE SAVEPOINT changes nothing here: a released subxid simply stays live until the top-level
// end (PostgreSQL's "subcommitted"). `subtransactions` is PostgreSQL's pg_subtrans, kept in memory
// only for running transactions: after a crash nobody is running, so nobody needs the parent links.
import Glibc
import Logging
import WAL

public final class TransactionManager: @unchecked Sendable {
    /// How many xids one nextXID record covers (PostgreSQL logs nextXid per checkpoint, and
    /// per 32k xids in its clog extension records).
    static let xidLogBatch: UInt32 = 1024
    /// How often a row-lock waiter rechecks its cancel flag.
    static let cancelPollInterval: Duration = .milliseconds(50)

    let clog: CommitLog
    private let log: PageChangeLogger
    private let logger: Logger
    /// Writer-preferring, so that a steady stream of commits cannot starve a checkpoint.
    let checkpointInterlock = ContentLock(preferWriters: true)
    private let monitor = ConditionLock()
    private var wal: (any WALAppending)?
    private var synchronousCommit: Bool
    /// Drops a relation's buffers and file (set by the engine).
    private let dropRelation: @Sendable (RelationID) -> Void
    /// On a hot standby: replay's view of the primary's transactions, which snapshots come from.
    let standby = StandbyTransactions()

    // Guarded by `monitor`.
    private var nextXid: TransactionID
    private var loggedXidLimit: TransactionID
    private var running: Set<TransactionID> = []
    /// Live subxids per running top-level xid, in assignment order ...
    private var subtransactions: [TransactionID: [TransactionID]] = [:]
    /// ... and the top-level xid of each of them.
    private var topLevelOf: [TransactionID: TransactionID] = [:]
    private var waitsFor: [TransactionID: TransactionID] = [:]
    private var dropsAtCommit: [TransactionID: [RelationID]] = [:]
    private var dropsAtAbort: [TransactionID: [RelationID]] = [:]

    init(clog: CommitLog, log: PageChangeLogger, nextXid: TransactionID, synchronousCommit: Bool,
         logger: Logger, dropRelation: @escaping @Sendable (RelationID) -> Void) {
        self.clog = clog
        self.log = log
        self.nextXid = max(nextXid, .firstNormal)
        loggedXidLimit = self.nextXid
        self.synchronousCommit = synchronousCommit
        self.logger = logger
        self.dropRelation = dropRelation
    }

    func attach(wal: any WALAppending) { monitor.withLock { self.wal = wal } }

    /// The next xid to hand out, as a checkpoint saves it (past every xid that may be in use).
    var nextXidForCheckpoint: TransactionID { monitor.withLock { loggedXidLimit } }

    /// Redo: an xid seen in the WAL (or a logged limit) moves the counter past it.
    func advanceNextXid(pastOrTo xid: TransactionID) {
        monitor.withLock {
            if xid >= nextXid { nextXid = xid }
            if nextXid > loggedXidLimit { loggedXidLimit = nextXid }
        }
    }

    public func assignTransactionID() throws -> TransactionID {
        try monitor.withLock { try assignLocked() }
    }

    /// A new subtransaction id under the running top-level transaction `top` (a savepoint level's
    /// first write).
    public func assignSubtransactionID(of top: TransactionID) throws -> TransactionID {
        try monitor.withLock {
            precondition(running.contains(top) && topLevelOf[top] == nil, "subtransaction of \(top.value), which is not a running top-level transaction")
            let xid = try assignLocked()
            subtransactions[top, default: []].append(xid)
            topLevelOf[xid] = top
            return xid
        }
    }

    private func assignLocked() throws -> TransactionID {
        let xid = nextXid
        if xid >= loggedXidLimit {
            let limit = TransactionID(xid.value + Self.xidLogBatch)
            var payload = ByteWriter()
            payload.u32(limit.value)
            _ = try log.insert(.xlog, info: XLOGInfo.nextXID, xid: .invalid, payload: payload.bytes)
            loggedXidLimit = limit
        }
        nextXid = TransactionID(xid.value + 1)
        running.insert(xid)
        return xid
    }

    /// A snapshot for the transaction `xid` belongs to (top-level or subtransaction; .invalid for
    /// one that has not written): its own changes before `command` are visible.
    public func snapshot(for xid: TransactionID, command: CommandID) -> Snapshot {
        if standby.isActive { return standby.snapshot(command: command) }
        return monitor.withLock {
            let top = topLevelOf[xid] ?? xid
            return Snapshot(xmin: running.min() ?? nextXid, xmax: nextXid, inProgress: running,
                            currentTransaction: top, subtransactions: subtransactions[top] ?? [], currentCommand: command)
        }
    }

    /// The top-level transaction a running subtransaction belongs to; `xid` itself otherwise.
    public func topLevelTransaction(of xid: TransactionID) -> TransactionID {
        monitor.withLock { topLevelOf[xid] ?? xid }
    }

    public func status(of xid: TransactionID) -> TransactionStatus {
        if xid.isNormal, monitor.withLock({ xid >= nextXid }) { return .inProgress }
        return clog.status(of: xid)
    }

    /// The xid `waiter` is blocked on, if any (pg_locks-style introspection, tests).
    func blocker(of waiter: TransactionID) -> TransactionID? { monitor.withLock { waitsFor[waiter] } }

    // MARK: - Relations created or dropped by a transaction

    /// The file is removed if `xid` aborts (a CREATE TABLE rolled back).
    func dropRelationAtAbort(_ rel: RelationID, xid: TransactionID) {
        monitor.withLock { dropsAtAbort[xid, default: []].append(rel) }
    }

    /// The file is removed once `xid` commits (DROP TABLE).
    func dropRelationAtCommit(_ rel: RelationID, xid: TransactionID) {
        monitor.withLock { dropsAtCommit[xid, default: []].append(rel) }
    }

    // MARK: - Ending transactions

    /// Commit record (listing the live subtransactions), WAL flush (group commit) unless
    /// synchronous_commit = off, then the top-level xid and its subxids are committed at once.
    public func commit(_ xid: TransactionID) throws {
        guard xid.isNormal else { return }     // nothing was written: nothing to commit
        let (subxids, drops) = monitor.withLock { () -> ([TransactionID], [RelationID]) in
            let subxids = subtransactions[xid] ?? []
            return (subxids, ([xid] + subxids).flatMap { dropsAtCommit[$0] ?? [] })
        }
        let payload = TransactionRecord(subtransactions: subxids, drops: drops, xactTime: PostgresTimestamp.now()).encode()
        checkpointInterlock.lock(.shared)
        do {
            let (_, end) = try log.insert(.transaction, info: TransactionInfo.commit, xid: xid, payload: payload)
            // A dropped file is unlinked below: its commit record must be durable first, even
            // with synchronous_commit = off, or redo could meet pages of a file that is gone.
            if synchronousCommit || !drops.isEmpty, let wal = monitor.withLock({ wal }) { try wal.flush(upTo: end) }
        } catch {
            checkpointInterlock.unlock()
            throw error
        }
        clog.set([xid] + subxids, .committed)
        checkpointInterlock.unlock()
        finish([xid] + subxids, topLevel: xid)
        for rel in drops { dropRelation(rel) }
    }

    /// Abort record (not flushed: an abort lost in a crash is an abort anyway) for the top-level
    /// xid and its live subtransactions; never visible.
    public func abort(_ xid: TransactionID) {
        guard xid.isNormal else { return }
        let subxids = monitor.withLock { subtransactions[xid] ?? [] }
        abortTogether([xid] + subxids, topLevel: xid)
    }

    /// ROLLBACK TO SAVEPOINT: the subtransactions of the rolled-back levels abort — what they
    /// inserted disappears, their deletes and row locks are undone, their waiters wake — while
    /// their top-level transaction goes on. One abort record lists them all.
    public func abortSubtransactions(_ subxids: [TransactionID]) {
        guard let first = subxids.first else { return }
        let top = monitor.withLock { topLevelOf[first] }
        guard let top else { preconditionFailure("transaction \(first.value) is not a running subtransaction") }
        abortTogether(subxids, topLevel: top)
    }

    /// One abort record for `xids` (its header carries the first, the payload the others, as
    /// PostgreSQL's xl_xact_abort does), then the commit log, then the waiters.
    private func abortTogether(_ xids: [TransactionID], topLevel: TransactionID) {
        let drops = monitor.withLock { xids.flatMap { dropsAtAbort[$0] ?? [] } }
        let payload = TransactionRecord(subtransactions: Array(xids.dropFirst()), drops: drops,
                                        xactTime: PostgresTimestamp.now()).encode()
        checkpointInterlock.lock(.shared)
        do {
            _ = try log.insert(.transaction, info: TransactionInfo.abort, xid: xids[0], payload: payload)
        } catch {
            logger.warning("could not write abort record for transaction \(xids[0].value): \(error)")
        }
        clog.set(xids, .aborted)
        checkpointInterlock.unlock()
        finish(xids, topLevel: topLevel)
        for rel in drops { dropRelation(rel) }
    }

    /// `xids` stop running (all of `topLevel`'s when it is among them) and their waiters wake.
    private func finish(_ xids: [TransactionID], topLevel: TransactionID) {
        monitor.withLock {
            for xid in xids {
                running.remove(xid)
                topLevelOf[xid] = nil
                dropsAtCommit[xid] = nil
                dropsAtAbort[xid] = nil
            }
            if xids.contains(topLevel) {
                subtransactions[topLevel] = nil
            } else {
                subtransactions[topLevel]?.removeAll { xids.contains($0) }
            }
            monitor.broadcast()
        }
    }

    // MARK: - Waiting for another transaction

    /// Blocks until `xid` commits or aborts (a row lock held by it), bounded by `timeout` and
    /// `isCancelled`; throws StorageError.lockTimeout / .cancelled / .deadlock. A subtransaction
    /// ends when it is rolled back or when its top-level transaction ends (RELEASE does not end it).
    public func wait(for xid: TransactionID, by waiter: TransactionID, timeout: Duration?,
                     isCancelled: () -> Bool) throws {
        let deadline = timeout.map { ContinuousClock.now + $0 }
        try monitor.withLock {
            let waitingTop = topLevelOf[waiter] ?? waiter
            guard running.contains(xid), (topLevelOf[xid] ?? xid) != waitingTop else { return }
            // Would waiting close a cycle? Follow the chain of waits starting at `xid`.
            var current = xid
            var chain = [waiter, xid]
            while let next = waitsFor[topLevelOf[current] ?? current], chain.count <= waitsFor.count + 1 {
                if (topLevelOf[next] ?? next) == waitingTop {
                    // The text becomes the DETAIL of PostgreSQL's "deadlock detected" error.
                    chain.append(waiter)
                    let steps = zip(chain, chain.dropFirst()).map { "transaction \($0.value) waits for transaction \($1.value)" }
                    let detail = steps.joined(separator: "; ") + "."
                    var error = StorageError(.deadlock, detail.prefix(1).uppercased() + detail.dropFirst())
                    error.waitCycle = chain
                    throw error
                }
                chain.append(next)
                current = next
            }
            waitsFor[waitingTop] = xid
            defer { waitsFor[waitingTop] = nil }
            while running.contains(xid) {
                if isCancelled() { throw StorageError(.cancelled, "canceling statement due to user request") }
                var slice = Self.cancelPollInterval
                if let deadline {
                    let left = deadline - ContinuousClock.now
                    if left <= .zero { throw StorageError(.lockTimeout, "canceling statement due to lock timeout") }
                    slice = min(slice, left)
                }
                monitor.wait(timeout: slice)
            }
        }
    }

    // MARK: - Redo

    /// A commit record: the transaction and every subtransaction it lists are committed.
    func redoCommit(_ xid: TransactionID, _ record: TransactionRecord) {
        clog.set([xid] + record.subtransactions, .committed)
        for rel in record.drops { dropRelation(rel) }
    }

    /// An abort record (a top-level abort or a ROLLBACK TO SAVEPOINT): all it lists are aborted.
    func redoAbort(_ xid: TransactionID, _ record: TransactionRecord) {
        clog.set([xid] + record.subtransactions, .aborted)
        for rel in record.drops { dropRelation(rel) }
    }

    /// End of recovery: whatever was running when the server stopped is aborted.
    func abortTransactionsLeftRunning() -> Int {
        clog.abortAllInProgress(below: monitor.withLock { nextXid })
    }
}

/// Commit and abort record payload: the subtransactions that end with the record's xid, the
/// relations whose files go with it (PostgreSQL's xl_xact_subxacts and xl_xact_relfilenodes), and
/// when the transaction ended on the server that wrote it (PostgreSQL's xact_time: microseconds
/// since 2000-01-01 UTC; what pg_last_xact_replay_timestamp reports on a standby).
///
///   subxactCount u32 | subxid u32 ... | dropCount u32 | relation u32 ... | xactTime i64
struct TransactionRecord: Equatable {
    var subtransactions: [TransactionID]
    var drops: [RelationID]
    var xactTime: Int64

    func encode() -> [UInt8] {
        var writer = ByteWriter()
        writer.u32(UInt32(subtransactions.count))
        for xid in subtransactions { writer.u32(xid.value) }
        writer.u32(UInt32(drops.count))
        for rel in drops { writer.u32(rel.value) }
        writer.u64(UInt64(bitPattern: xactTime))
        return writer.bytes
    }

    static func decode(_ payload: [UInt8]) throws -> TransactionRecord {
        var reader = ByteReader(payload)
        let subxactCount = Int(try reader.u32())
        let subtransactions = try (0..<subxactCount).map { _ in TransactionID(try reader.u32()) }
        let dropCount = Int(try reader.u32())
        let drops = try (0..<dropCount).map { _ in RelationID(try reader.u32()) }
        let xactTime = Int64(bitPattern: try reader.u64())
        return TransactionRecord(subtransactions: subtransactions, drops: drops, xactTime: xactTime)
    }
}
