// Storage: checkpoints (PostgreSQL's CreateCheckPoint) and the checkpointer thread.
//
//  1. redo point := WAL insert position (under the checkpoint interlock: no commit straddles it)
//  2. flush the WAL, write every dirty buffer (each after the WAL up to its LSN), write the
//     commit log, fsync the relation files
//  3. insert the checkpoint record and flush it; point pg_control at it
//  4. remove WAL segments that end before the redo point and that no replication slot or
//     wal_keep_size still needs (WALRetention)
// Writers are blocked only during step 1; step 2 locks one page at a time.
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import Synchronization
import WAL

extension StorageEngine {
    public func checkpoint(reason: CheckpointReason) throws {
        try checkpointMonitor.withLock {
            // On a standby a checkpoint is a restartpoint; promotion's end-of-recovery checkpoint
            // is the first real one (written before the server leaves recovery).
            if reason != .endOfRecovery, let replay = standbyReplay.withLock({ $0 }) {
                try restartpoint(replay: replay, reason: reason)
                return
            }
            if reason == .timed || reason == .walSize {
                let control = self.control
                // Nothing happened since the last checkpoint: skip, like PostgreSQL.
                if wal.insertLSN <= control.checkpointLSN.advanced(by: 64) { return }
            }
            transactions.checkpointInterlock.lock(.exclusive)
            let redo: LSN
            do { redo = try pageLog.advanceRedoPoint() } catch {
                transactions.checkpointInterlock.unlock()
                throw error
            }
            let nextXid = transactions.nextXidForCheckpoint
            let nextOID = nextOIDForCheckpoint
            transactions.checkpointInterlock.unlock()

            try wal.flush(upTo: redo)
            try bufferPool.flushAll()
            try transactions.clog.writeDirtyPages { try wal.flush(upTo: wal.insertLSN) }
            try files.syncAll()
            try syncDirectory(files.directory)     // relation files created since the last checkpoint

            let record = CheckpointRecord(redo: redo, timeline: wal.timeline, nextXid: nextXid,
                                          nextOID: nextOID, time: Int64(time(nil)))
            // The end-of-recovery checkpoint is a shutdown checkpoint too, as in PostgreSQL: nothing
            // runs across it, which tells a standby's snapshots that no earlier xid is still running.
            let info = reason == .shutdown || reason == .endOfRecovery ? XLOGInfo.checkpointShutdown : XLOGInfo.checkpointOnline
            let (start, end) = try pageLog.insert(.xlog, info: info, xid: .invalid, payload: record.encode())
            try wal.flush(upTo: end)
            try updateControl { control in
                control.checkpointLSN = start
                control.redoLSN = redo
                control.nextXid = nextXid
                control.nextOID = nextOID
                control.timeline = wal.timeline
                control.state = reason == .shutdown ? .shutDown : .inProduction
            }
            try wal.removeSegments(endingAtOrBefore: oldestWALToKeep(redo: redo))
            logger.debug("checkpoint complete", metadata: ["reason": "\(reason.rawValue)", "redo": "\(redo)",
                                                           "checkpoint": "\(start)"])
        }
    }

    func startCheckpointer() {
        let checkpointer = Checkpointer(engine: self)
        self.checkpointer.withLock { $0 = checkpointer }
        checkpointer.start()
    }

    func stopCheckpointer() {
        let running = checkpointer.withLock { current -> Checkpointer? in
            defer { current = nil }
            return current
        }
        running?.stop()
    }
}

/// The background thread that checkpoints every checkpoint_timeout, or sooner when more than
/// max_wal_size of WAL was written since the last checkpoint's redo point. It also flushes the WAL
/// every round (PostgreSQL's walwriter), so an asynchronous commit reaches disk, and WAL that no
/// commit flushes (VACUUM, pruning, aborts) reaches the disk and the standbys, within about
/// `pollInterval`: WAL senders only send flushed WAL.
final class Checkpointer: @unchecked Sendable {
    /// How often the WAL volume is looked at (PostgreSQL's wal_writer_delay default).
    static let pollInterval: Duration = .milliseconds(200)

    private weak var engine: StorageEngine?
    private let monitor = ConditionLock()
    private var stopping = false
    private var stopped = false

    init(engine: StorageEngine) { self.engine = engine }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "checkpointer"
        thread.start()
    }

    func stop() {
        monitor.withLock {
            stopping = true
            monitor.broadcast()
            while !stopped { monitor.wait(timeout: Self.pollInterval) }
        }
    }

    private func run() {
        var lastCheckpoint = ContinuousClock.now
        while true {
            let stop = monitor.withLock { () -> Bool in
                if !stopping { monitor.wait(timeout: Self.pollInterval) }
                return stopping
            }
            guard !stop, let engine else { break }
            if !engine.isInRecovery {
                do { try engine.wal.flush(upTo: engine.wal.insertLSN) } catch {
                    engine.logger.error("could not flush the WAL: \(error)")
                }
            }
            var reason: CheckpointReason?
            if ContinuousClock.now - lastCheckpoint >= engine.configuration.checkpointTimeout {
                reason = .timed
            } else if engine.wal.insertLSN.distance(from: engine.control.redoLSN) > Int64(engine.configuration.maxWALSize) {
                reason = .walSize
            }
            if let reason {
                do { try engine.checkpoint(reason: reason) } catch {
                    engine.logger.error("checkpoint failed: \(error)")
                }
                lastCheckpoint = ContinuousClock.now
            }
        }
        monitor.withLock {
            stopped = true
            monitor.broadcast()
        }
    }
}
