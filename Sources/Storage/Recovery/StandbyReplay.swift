// Storage: replay on a standby — recovery that never ends (PostgreSQL's StartupXLOG in standby
// mode, with recovery_target_timeline = latest).
//
//   pg_wal/ (written by the WAL receiver, or copied in) ──► WALReader ──► Redo.apply ──► pages, clog
//                                                                     └─► StandbyTransactions (snapshots)
//
// The loop reads the next record; at the end of valid WAL it waits (for the receiver's flush
// signal, or polls when WAL is copied in by hand) and tries again. It applies a record only once
// the receiver has flushed it (`ReceivedWALSource`), so a standby crash never leaves pages ahead of its
// own WAL.
//
// Timelines: `target` is the newest timeline with a history file in pg_wal. Replay reads the
// timeline that holds its position in that history; where that timeline ends (its switch point)
// it opens a reader on the next one at the same LSN, checking xl_prev across the switch. A history
// file appearing later (the upstream was promoted) is picked up at the next end of WAL; one that
// does not contain the replayed timeline, or forks before the replay position, is ignored with a
// warning, as PostgreSQL does.
//
// Recovery conflicts: before a record that removes row versions (pruning) is applied, the standby
// queries whose snapshots may still need them get max_standby_streaming_delay to finish, and are
// then cancelled (SnapshotRegistry.resolveRecoveryConflict) — replay never pulls rows from under
// a running query. Crash recovery on a primary (Redo alone) has no queries and does not wait.
//
// Threads: `step()` runs on one thread at a time (startup, then the replay thread, then promotion);
// what other threads read — positions, the last checkpoint, the catalog generation — is published
// in `progress` under its lock.
import Logging
import WAL

final class StandbyReplay: @unchecked Sendable {
    /// What other threads may read about replay.
    struct Progress {
        /// End of the last applied record (pg_last_wal_replay_lsn).
        var replayedEnd: LSN
        var lastRecordStart: LSN
        /// The timeline being read.
        var timeline: TimelineID
        /// The last checkpoint record applied: where a restartpoint would let redo start.
        var lastCheckpoint: (lsn: LSN, record: CheckpointRecord, timeline: TimelineID)?
        /// When the transaction of the last replayed commit or abort record ended on the primary
        /// (its xact_time, microseconds since 2000-01-01).
        var lastTransactionReplayTime: Int64?
        /// Bumped by every replayed commit of a transaction that changed system catalogs.
        var catalogGeneration: UInt64 = 0
    }

    /// How long the loop sleeps when it caught up and nothing signals new WAL (WAL copied in).
    static let pollInterval: Duration = .milliseconds(100)

    private let walDirectory: String
    private let segmentSize: Int
    private let redo: Redo
    private let transactions: TransactionManager
    private let snapshots: SnapshotRegistry
    private let maxStandbyStreamingDelay: Duration?
    private let logger: Logger
    let progress: PThreadMutex<Progress>

    // Used only by the thread running step().
    private var reader: WALReader
    private var timeline: TimelineID
    private var target: TimelineHistory
    /// A record read but not yet flushed by the receiver: applied first next time.
    private var pending: WALRecord?
    /// Transactions that changed system catalog pages and had not ended yet.
    private var catalogWriters: Set<TransactionID> = []

    /// Opens replay at the control file's redo point. Throws if that WAL is not in pg_wal.
    init(walDirectory: String, control: ControlFileData, segmentSize: Int, redo: Redo,
         transactions: TransactionManager, snapshots: SnapshotRegistry, maxStandbyStreamingDelay: Duration?,
         logger: Logger) throws {
        self.walDirectory = walDirectory
        self.segmentSize = segmentSize
        self.redo = redo
        self.transactions = transactions
        self.snapshots = snapshots
        self.maxStandbyStreamingDelay = maxStandbyStreamingDelay
        self.logger = logger
        var target = try TimelineHistory.read(directory: walDirectory, timeline: control.timeline)
        let newest = try TimelineHistory.newestTimeline(directory: walDirectory, atLeast: control.timeline)
        if newest != control.timeline {
            let history = try TimelineHistory.read(directory: walDirectory, timeline: newest)
            if history.contains(control.timeline) { target = history }
        }
        self.target = target
        timeline = target.timeline(holding: control.redoLSN)
        reader = try WALReader(directory: walDirectory, timeline: timeline, start: control.redoLSN, segmentSize: segmentSize)
        progress = PThreadMutex(Progress(replayedEnd: control.redoLSN, lastRecordStart: .invalid, timeline: timeline))
        logger.info("entering standby mode", metadata: ["timeline": "\(timeline)", "redo": "\(control.redoLSN)"])
    }

    var position: LSN { progress.withLock { $0.replayedEnd } }

    /// The OID counter as far as the replayed WAL says.
    var nextOID: UInt32 { redo.nextOID }

    /// Applies every record available now; returns how many. `flushLimit` is the receiver's
    /// flushed LSN (invalid: no limit).
    func step(flushLimit: LSN) throws -> Int {
        var applied = 0
        while true {
            let record: WALRecord
            if let held = pending {
                record = held
                pending = nil
            } else if let next = try reader.next() {
                record = next
            } else {
                if try followNewerTimeline() { continue }
                return applied
            }
            if let end = target.switchPoint(ending: timeline), record.lsn >= end {
                // WAL the old timeline has past its switch point is not ours: move on.
                pending = nil
                try switchTimeline(at: end)
                continue
            }
            if flushLimit.isValid && record.endLSN > flushLimit {
                pending = record
                return applied
            }
            try apply(record)
            applied += 1
        }
    }

    private func apply(_ record: WALRecord) throws {
        let standby = transactions.standby
        if record.xid.isNormal { standby.observe(record.xid, clog: transactions.clog) }
        if record.resourceManager == .generic, let horizon = try PageChangeRecord.conflictHorizon(of: record) {
            let cancelled = snapshots.resolveRecoveryConflict(conflictHorizon: horizon, maxDelay: maxStandbyStreamingDelay)
            if cancelled > 0 {
                logger.info("cancelled \(cancelled) standby queries in conflict with recovery",
                            metadata: ["lsn": "\(record.lsn)", "horizon": "\(horizon.value)"])
            }
        }
        try redo.apply(record)
        switch record.resourceManager {
        case .generic:
            // A change's pages all belong to one relation family (a heap and its indexes), so the
            // first page tells whether system catalogs changed.
            if record.xid.isNormal, record.payload.count >= 5,
               record.payload.withUnsafeBytes({ $0.u32(at: 1) }) < StorageEngine.firstNormalOID {
                catalogWriters.insert(record.xid)
            }
        case .transaction:
            standby.removeEnded(clog: transactions.clog)
            var catalogChanged = false
            for xid in catalogWriters where transactions.clog.status(of: xid) != .inProgress {
                catalogChanged = catalogChanged || transactions.clog.status(of: xid) == .committed
                catalogWriters.remove(xid)
            }
            let ended = try TransactionRecord.decode(record.payload)
            progress.withLock { p in
                p.lastTransactionReplayTime = ended.xactTime
                if catalogChanged { p.catalogGeneration &+= 1 }
            }
        case .xlog where record.info == XLOGInfo.checkpointShutdown || record.info == XLOGInfo.checkpointOnline:
            let checkpoint = try CheckpointRecord.decode(record.payload)
            if record.info == XLOGInfo.checkpointShutdown {
                standby.nothingRunning(below: checkpoint.nextXid)
            }
            progress.withLock { $0.lastCheckpoint = (record.lsn, checkpoint, timeline) }
        default:
            break
        }
        progress.withLock { p in
            p.replayedEnd = record.endLSN
            p.lastRecordStart = record.lsn
        }
    }

    /// Where the next timeline of the target history starts from this one, or a newer history
    /// file appeared: switches and returns true when there is somewhere to go on reading.
    private func followNewerTimeline() throws -> Bool {
        if let end = target.switchPoint(ending: timeline), reader.endOfValidWAL >= end {
            return try switchTimeline(at: end)
        }
        let newest = try TimelineHistory.newestTimeline(directory: walDirectory, atLeast: target.timeline)
        guard newest != target.timeline else { return false }
        let history = try TimelineHistory.read(directory: walDirectory, timeline: newest)
        guard history.contains(timeline) else {
            logger.warning("new timeline \(newest) is not a child of database system timeline \(timeline)")
            return false
        }
        if let fork = history.switchPoint(ending: timeline), fork < reader.endOfValidWAL {
            logger.warning("new timeline \(newest) forked off current database system timeline \(timeline) before current recovery point \(reader.endOfValidWAL)")
            return false
        }
        logger.info("new target timeline is \(newest)")
        target = history
        return true
    }

    /// Opens the reader on the timeline after `timeline` at its switch point; false while that
    /// timeline's segment is not in pg_wal yet.
    @discardableResult
    private func switchTimeline(at switchPoint: LSN) throws -> Bool {
        guard let next = target.successor(of: timeline) else { return false }
        let previous = progress.withLock { $0.lastRecordStart }
        do {
            reader = try WALReader(directory: walDirectory, timeline: next, start: switchPoint, segmentSize: segmentSize,
                                   expectedPrevious: previous.isValid ? previous : nil)
        } catch let error as WALError where error.kind == .io {
            return false   // the new timeline's first segment has not arrived yet
        }
        logger.info("switched WAL source to timeline \(next) at \(switchPoint)")
        timeline = next
        progress.withLock { $0.timeline = next }
        return true
    }

    /// End of valid WAL and the last record's start, for the writer opened at promotion.
    var endOfWAL: (end: LSN, lastRecordStart: LSN, timeline: TimelineID) {
        progress.withLock { ($0.replayedEnd, $0.lastRecordStart, timeline) }
    }
}
