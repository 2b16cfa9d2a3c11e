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
//    wait-for graph gets StorageError.deadlock (40P01), the others keep waiting.
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
        try monitor.withLock {
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
    }

    public func snapshot(for xid: TransactionID, command: CommandID) -> Snapshot {
        if standby.isActive { return standby.snapshot(command: command) }
        return monitor.withLock {
            Snapshot(xmin: running.min() ?? nextXid, xmax: nextXid, inProgress: running,
                     currentTransaction: xid, currentCommand: command)
        }
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

    /// Commit record, WAL flush (group commit) unless synchronous_commit = off, then visible.
    public func commit(_ xid: TransactionID) throws {
        guard xid.isNormal else { return }     // nothing was written: nothing to commit
        let drops = monitor.withLock { dropsAtCommit[xid] ?? [] }
        let payload = TransactionRecord.encode(drops)
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
        clog.set(xid, .committed)
        checkpointInterlock.unlock()
        finish(xid)
        for rel in drops { dropRelation(rel) }
    }

    /// Abort record (not flushed: an abort lost in a crash is an abort anyway), never visible.
    public func abort(_ xid: TransactionID) {
        guard xid.isNormal else { return }
        let drops = monitor.withLock { dropsAtAbort[xid] ?? [] }
        checkpointInterlock.lock(.shared)
        do {
            _ = try log.insert(.transaction, info: TransactionInfo.abort, xid: xid, payload: TransactionRecord.encode(drops))
        } catch {
            logger.warning("could not write abort record for transaction \(xid.value): \(error)")
        }
        clog.set(xid, .aborted)
        checkpointInterlock.unlock()
        finish(xid)
        for rel in drops { dropRelation(rel) }
    }

    private func finish(_ xid: TransactionID) {
        monitor.withLock {
            running.remove(xid)
            dropsAtCommit[xid] = nil
            dropsAtAbort[xid] = nil
            monitor.broadcast()
        }
    }

    // MARK: - Waiting for another transaction

    /// Blocks until `xid` commits or aborts (a row lock held by it), bounded by `timeout` and
    /// `isCancelled`; throws StorageError.lockTimeout / .cancelled / .deadlock.
    public func wait(for xid: TransactionID, by waiter: TransactionID, timeout: Duration?,
                     isCancelled: () -> Bool) throws {
        let deadline = timeout.map { ContinuousClock.now + $0 }
        try monitor.withLock {
            guard running.contains(xid), xid != waiter else { return }
            // Would waiting close a cycle? Follow the chain of waits starting at `xid`.
            var current = xid
            var chain = [waiter, xid]
            while let next = waitsFor[current], chain.count <= waitsFor.count + 1 {
                if next == waiter {
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
            waitsFor[waiter] = xid
            defer { waitsFor[waiter] = nil }
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

    func redoCommit(_ xid: TransactionID, drops: [RelationID]) {
        clog.set(xid, .committed)
        for rel in drops { dropRelation(rel) }
    }

    func redoAbort(_ xid: TransactionID, drops: [RelationID]) {
        clog.set(xid, .aborted)
        for rel in drops { dropRelation(rel) }
    }

    /// End of recovery: whatever was running when the server stopped is aborted.
    func abortTransactionsLeftRunning() -> Int {
        clog.abortAllInProgress(below: monitor.withLock { nextXid })
    }
}

/// Commit and abort record payload: the relations whose files go with the transaction's end.
///
///   dropCount u16 | relation u32 ...
enum TransactionRecord {
    static func encode(_ drops: [RelationID]) -> [UInt8] {
        var writer = ByteWriter()
        writer.u16(UInt16(drops.count))
        for rel in drops { writer.u32(rel.value) }
        return writer.bytes
    }

    static func decode(_ payload: [UInt8]) throws -> [RelationID] {
        var reader = ByteReader(payload)
        let count = Int(try reader.u16())
        return try (0..<count).map { _ in RelationID(try reader.u32()) }
    }
}
