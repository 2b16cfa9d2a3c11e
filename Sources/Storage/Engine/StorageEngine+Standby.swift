// Storage: a standby's life — the replay thread, restartpoints, and promotion.
//
// Startup (StorageEngine.init with standby: true) replays what pg_wal holds and opens the WAL
// writer as a read-only stand-in. Then:
//   startReplay(received:)   a thread applies WAL as the receiver flushes it (or as it is copied in)
//   checkpoint(...)          becomes a restartpoint: dirty pages, the commit log and pg_control are
//                            written so that redo restarts at the last replayed checkpoint's redo
//                            point (PostgreSQL's CreateRestartPoint), state "in archive recovery"
//   shutdown()               a restartpoint, state "shut down in recovery"
//   promote()                stop replay, apply the rest of pg_wal, pick the next timeline, write
//                            its history file and first segment, start writing WAL there, abort
//                            what never ended, end-of-recovery checkpoint: "in production"
// Invariant: WAL is written only after promote() opened the writer on the new timeline; until then
// every insert fails with "cannot make new WAL entries during recovery".
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import WAL

/// What a standby's replay has done (pg_last_wal_replay_lsn, pg_last_xact_replay_timestamp, ...).
public struct StandbyReplayStatus: Sendable {
    /// End of the last replayed record.
    public var replayLSN: LSN
    /// The timeline replay reads.
    public var timeline: TimelineID
    /// When the transaction of the last replayed commit or abort record ended on the primary (the
    /// record's xact_time, microseconds since 2000-01-01).
    public var lastTransactionReplayTime: Int64?
    /// Grows whenever a replayed commit changed the system catalogs: cached catalogs are stale.
    public var catalogGeneration: UInt64
}

extension StorageEngine {
    /// True on a standby until promote() finished.
    public var isInRecovery: Bool { standbyReplay.withLock { $0 != nil } }

    /// The replay state; nil on a primary.
    public var standbyStatus: StandbyReplayStatus? {
        guard let replay = standbyReplay.withLock({ $0 }) else { return nil }
        return replay.progress.withLock { p in
            StandbyReplayStatus(replayLSN: p.replayedEnd, timeline: p.timeline,
                                lastTransactionReplayTime: p.lastTransactionReplayTime,
                                catalogGeneration: p.catalogGeneration)
        }
    }

    /// Starts applying WAL continuously (a standby only): as `received` reports it flushed, or,
    /// without a receiver, as segment files appear in pg_wal.
    public func startReplay(received: (any ReceivedWALSource)?) {
        guard let replay = standbyReplay.withLock({ $0 }) else { return }
        let thread = ReplayThread(replay: replay, received: received, logger: logger)
        replayThread.withLock { $0 = thread }
        thread.start()
    }

    /// Reads pg_control (minipg promote waits for "in production").
    public static func readControlFile(dataDirectory: String) throws -> ControlFileData {
        try ControlFile.read(dataDirectory: dataDirectory)
    }

    // MARK: Restartpoints

    /// A checkpoint on a standby: makes the last replayed checkpoint the place redo restarts from.
    /// Runs beside replay: every record before that checkpoint was applied before it was read.
    func restartpoint(replay: StandbyReplay, reason: CheckpointReason) throws {
        guard let (checkpointLSN, checkpoint, timeline) = replay.progress.withLock({ $0.lastCheckpoint }) else { return }
        let state: ClusterState = reason == .shutdown ? .shutDownInRecovery : .inArchiveRecovery
        if checkpointLSN == control.checkpointLSN && state == control.state { return }  // nothing new
        try bufferPool.flushAll()
        try transactions.clog.writeDirtyPages {}
        try files.syncAll()
        try syncDirectory(files.directory)
        try updateControl { control in
            control.checkpointLSN = checkpointLSN
            control.redoLSN = checkpoint.redo
            control.nextXid = max(control.nextXid, checkpoint.nextXid)
            control.nextOID = max(control.nextOID, checkpoint.nextOID)
            control.timeline = timeline
            control.state = state
        }
        try removeSegments(before: checkpoint.redo)
        logger.info("restartpoint complete", metadata: ["reason": "\(reason.rawValue)", "redo": "\(checkpoint.redo)",
                                                        "checkpoint": "\(checkpointLSN)"])
    }

    /// Removes pg_wal segments of any timeline that end before `redo`: no restart needs them.
    private func removeSegments(before redo: LSN) throws {
        let directory = Self.walDirectory(dataDirectory)
        let limit = WALFileName.segmentNumber(of: redo, segmentSize: configuration.wal.segmentSize)
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            guard let segment = WALFileName.parseSegment(name, segmentSize: configuration.wal.segmentSize),
                  segment.segmentNumber < limit else { continue }
            if unlink(directory + "/" + name) != 0 && errno != ENOENT {
                throw StorageError.io("remove", path: directory + "/" + name, errno: errno)
            }
        }
    }

    func stopReplay() {
        let thread = replayThread.withLock { current -> ReplayThread? in
            defer { current = nil }
            return current
        }
        thread?.stop()
    }

    // MARK: Promotion

    /// Ends recovery (pg_promote, `minipg promote`): returns the new timeline. Sessions may run
    /// meanwhile; they stay read-only until the end-of-recovery checkpoint is written, so that
    /// checkpoint (a shutdown checkpoint) truly has no transaction running across it.
    @discardableResult
    public func promote() throws -> TimelineID {
        stopReplay()
        guard let replay = standbyReplay.withLock({ $0 }) else {
            throw StorageError(.invalidState, "recovery is not in progress")
        }
        _ = try replay.step(flushLimit: .invalid)     // what the receiver wrote, flushed or not
        let (end, lastRecord, previous) = replay.endOfWAL
        let directory = Self.walDirectory(dataDirectory)
        let next = try TimelineHistory.newestTimeline(directory: directory, atLeast: previous).next
        logger.info("selected new timeline ID: \(next)")
        try TimelineHistory.read(directory: directory, timeline: previous)
            .branching(at: end, to: next)
            .write(directory: directory, synchronize: configuration.wal.fsync)
        try TimelineSwitch.copySegmentPrefix(directory: directory, from: previous, to: next, upTo: end,
                                             segmentSize: configuration.wal.segmentSize,
                                             synchronize: configuration.wal.fsync)
        try wal.startWriting(directory: directory, timeline: next, end: end, previousRecord: lastRecord)
        let nextOID = max(replay.nextOID, Self.firstNormalOID)
        oids.withLock { $0 = OIDCounter(next: nextOID, loggedLimit: nextOID) }
        bufferPool.attach(wal: wal)
        pageLog.attach(wal: wal)
        transactions.attach(wal: wal)
        transactions.standby.deactivate()
        let aborted = transactions.abortTransactionsLeftRunning()
        if aborted > 0 { logger.debug("aborted \(aborted) transactions that never ended in the replayed WAL") }
        try checkpoint(reason: .endOfRecovery)
        standbyReplay.withLock { $0 = nil }     // from here on sessions may write
        logger.info("archive recovery complete", metadata: ["timeline": "\(next)", "switch_point": "\(end)"])
        return next
    }
}

/// The thread that keeps replaying: applies what is there, then waits for more.
final class ReplayThread: @unchecked Sendable {
    /// After a failed step (a torn read, a missing file), the pause before the next try.
    static let retryInterval: Duration = .seconds(1)

    private let replay: StandbyReplay
    private let received: (any ReceivedWALSource)?
    private let logger: Logger
    private let monitor = ConditionLock()
    private var stopping = false
    private var stopped = false

    init(replay: StandbyReplay, received: (any ReceivedWALSource)?, logger: Logger) {
        self.replay = replay
        self.received = received
        self.logger = logger
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "startup"
        thread.start()
    }

    func stop() {
        monitor.withLock {
            stopping = true
            monitor.broadcast()
            while !stopped { monitor.wait(timeout: StandbyReplay.pollInterval) }
        }
    }

    private func run() {
        while !monitor.withLock({ stopping }) {
            do {
                let applied = try replay.step(flushLimit: received?.flushedLSN ?? .invalid)
                if applied > 0 {
                    received?.reportReplayed(replay.position)
                } else {
                    waitForWAL()
                }
            } catch {
                logger.error("WAL replay stopped: \(error); retrying")
                monitor.withLock { if !stopping { monitor.wait(timeout: Self.retryInterval) } }
            }
        }
        monitor.withLock {
            stopped = true
            monitor.broadcast()
        }
    }

    /// Sleeps until the receiver flushes more WAL, or for the poll interval (WAL copied in by hand,
    /// or a receiver that has stopped and returns at once).
    private func waitForWAL() {
        if let received, received.flushedLSN.isValid {
            let flushed = received.flushedLSN, started = ContinuousClock.now
            if received.waitForFlush(beyond: flushed, timeout: StandbyReplay.pollInterval) > flushed
                || ContinuousClock.now - started >= StandbyReplay.pollInterval { return }
        }
        monitor.withLock { if !stopping { monitor.wait(timeout: StandbyReplay.pollInterval) } }
    }
}
