// WALFetch: the second connection of a base backup (pg_basebackup's "background WAL receiver"):
// a thread that streams WAL from the backup's start segment into the clone's pg_wal/ while the
// files are being copied, and stops once it has flushed up to the backup's end position, which
// becomes known only when the copy is over (finish(at:)).
//
// Without --slot it first creates a temporary physical slot reserving WAL (dropped by the server
// when the connection ends); a server without slots just streams without one. Where the streamed
// timeline ends (the server was promoted meanwhile, or rewind asked for WAL from an ancestor
// timeline), it follows the switch to the next timeline, as a standby's receiver does.

import Foundation
import Logging
import PGWire
import Synchronization
import WAL

final class WALFetch: @unchecked Sendable {
    private let configuration: PGClientConfiguration
    private let walDirectory: String
    private let segmentSize: Int
    private let startLSN: LSN
    private let timeline: TimelineID
    private let slot: String?
    private let logger: Logger

    private struct Shared {
        var end: LSN?
        var aborted = false
        var connection: PGClientConnection?
        var failure: (any Error)?
        var finished = false
        /// Flushed in pg_wal/ when the stream ended.
        var flushed = LSN.invalid
    }
    private let shared = Mutex(Shared())
    private let done = ConditionLock()

    init(configuration: PGClientConfiguration, walDirectory: String, segmentSize: Int, start: LSN,
         timeline: TimelineID, slot: String?, logger: Logger) {
        self.configuration = configuration
        self.walDirectory = walDirectory
        self.segmentSize = segmentSize
        self.startLSN = start
        self.timeline = timeline
        self.slot = slot
        self.logger = logger
    }

    func start() {
        let thread = Thread { [self] in
            let outcome = Result { try stream() }
            done.withLock {
                shared.withLock {
                    if case .failure(let error) = outcome { $0.failure = error }
                    $0.finished = true
                    $0.connection = nil
                }
                done.broadcast()
            }
        }
        thread.name = "basebackup WAL"
        thread.start()
    }

    /// The copy ended at `end`: waits until the WAL up to it is flushed in pg_wal/.
    func finish(at end: LSN) throws {
        shared.withLock { $0.end = end }
        try waitForThread()
        let flushed = shared.withLock { $0.flushed }
        guard flushed >= end else {
            throw ReplicationClientError("write-ahead log streaming ended at \(flushed), before the backup's end position \(end)")
        }
    }

    /// Waits until WAL up to `lsn` is flushed in pg_wal/; throws if the stream ended first.
    func waitUntilFlushed(_ lsn: LSN) throws {
        let reached = done.withLock { () -> Bool in
            while true {
                let (flushed, finished) = shared.withLock { ($0.flushed, $0.finished) }
                if flushed >= lsn { return true }
                if finished { return false }
                done.wait()
            }
        }
        guard reached else {
            try waitForThread()
            throw ReplicationClientError("write-ahead log streaming ended at \(shared.withLock { $0.flushed }), before \(lsn)")
        }
    }

    /// The copy failed: stop streaming now.
    func abort() {
        shared.withLock {
            $0.aborted = true
            $0.connection?.interrupt()
        }
        try? waitForThread()
    }

    private func waitForThread() throws {
        done.withLock {
            while !shared.withLock({ $0.finished }) { done.wait() }
        }
        if let failure = shared.withLock({ $0.failure }), !shared.withLock({ $0.aborted }) {
            throw ReplicationClientError("could not stream write-ahead log: \(failure)")
        }
    }

    private func stream() throws {
        let connection = try PGClientConnection.connect(configuration)
        defer { connection.close() }
        let aborted = shared.withLock { state in
            state.connection = connection
            return state.aborted
        }
        if aborted { return }
        var slotName = slot
        if slotName == nil {
            let temporary = "pg_basebackup_\(getpid())"
            do {
                _ = try connection.simpleQuery("CREATE_REPLICATION_SLOT \"\(temporary)\" TEMPORARY PHYSICAL ( RESERVE_WAL)")
                slotName = temporary
            } catch let error as PGError {
                logger.info("streaming without a temporary replication slot: \(error.message)")
            }
        }
        let writer = try ReceivedWALWriter(directory: walDirectory, timeline: timeline, segmentSize: segmentSize)
        defer { try? writer.close() }
        var start = startLSN
        // An older timeline ends at its switch point: go on with the next one from there (rewind
        // streams from a fork point on the source's parent timeline up to its current one).
        while true {
            let streamer = WALStreamReceiver(connection: connection, writer: writer, progress: nil,
                                             settings: WALStreamReceiver.Settings(), logger: logger)
            let segmentStart = LSN(start.value - start.value % UInt64(segmentSize))
            let outcome = try streamer.stream(from: segmentStart, timeline: writer.timeline, slot: slotName) { [self] flushed in
                done.withLock {
                    shared.withLock { $0.flushed = flushed }
                    done.broadcast()
                }
                return shared.withLock { state in state.aborted || state.end.map { flushed >= $0 } ?? false }
            }
            shared.withLock { $0.flushed = streamer.flushed }
            guard case .endOfTimeline(let end) = outcome, !shared.withLock({ $0.aborted }) else { return }
            logger.info("streaming continues on timeline \(end.nextTimeline.value) at \(end.switchPoint)")
            try writer.switchTimeline(to: end.nextTimeline)
            start = end.switchPoint
        }
    }
}
