// WALStreamReceiver: one START_REPLICATION conversation on a replication connection — the loop at the
// heart of PostgreSQL's walreceiver (and of pg_basebackup -X stream):
//
//   START_REPLICATION [SLOT s] X/X TIMELINE t  →  CopyBothResponse
//   loop:  'w' XLogData   → write the bytes at their LSN (ReceivedWALWriter)
//          'k' keepalive  → note walEnd; reply at once if the primary asks
//          nothing pending → fdatasync, publish "flushed up to", send 'r' (after each flush)
//          every status interval → 'r' (and 'h' when hot standby feedback is on)
//          no message for the receiver timeout → give up ("terminating walreceiver due to timeout")
//   CopyDone from the primary → the timeline ended: answer CopyDone, read next_tli / switch point.
//   The caller's `shouldStop` → send CopyDone and drain (pg_basebackup does this at the end LSN).
//
// Invariants: XLogData must continue exactly where the previous one ended (no gap, no overlap
// going backwards), else the stream is refused; positions sent to the primary never exceed what
// is written (write) or fsynced (flush).

import Logging
import PGWire
import WAL

final class WALStreamReceiver {
    struct Settings {
        /// wal_receiver_status_interval (0 disables the periodic update).
        var statusInterval: Duration = .seconds(10)
        /// wal_receiver_timeout (0 disables it).
        var receiverTimeout: Duration = .seconds(60)
        /// How often the loop wakes to look at shouldStop and the timers (replay progress wakes it at once).
        var pollInterval: Duration = .milliseconds(100)
        /// Bytes written before a flush even if more messages are waiting.
        var flushBatchBytes = 4 * 1024 * 1024
        /// hot_standby_feedback: the xmin to report, or nil when feedback is off.
        var feedbackXmin: (@Sendable () -> UInt32?)?
    }

    /// What the loop reports to its owner as it goes (pg_stat_wal_receiver).
    enum Event {
        case streamingStarted(start: LSN, timeline: TimelineID)
        case received(written: LSN, sendTime: Int64, walEnd: LSN)
        case flushed(LSN)
        case keepalive(sendTime: Int64, walEnd: LSN)
    }

    enum Outcome: Equatable {
        /// The primary ended this timeline; the next one starts at the switch point.
        case endOfTimeline(TimelineEnd)
        /// shouldStop said so; everything received is flushed.
        case stopped
    }

    private let connection: PGClientConnection
    private let writer: ReceivedWALWriter
    private let progress: WALReceiverProgress?
    private let settings: Settings
    private let logger: Logger
    private let onEvent: (Event) -> Void

    private(set) var written = LSN.invalid
    private(set) var flushed = LSN.invalid
    private var reportedWritten = LSN.invalid
    private var reportedFlushed = LSN.invalid
    private var lastStatusSent = ContinuousClock.now
    private var lastMessageReceived = ContinuousClock.now
    /// A status asking for a reply went out since the last message from the primary.
    private var pingSent = false
    /// The client sent CopyDone: no more CopyData may go out.
    private var stopping = false

    init(connection: PGClientConnection, writer: ReceivedWALWriter, progress: WALReceiverProgress?,
         settings: Settings, logger: Logger, onEvent: @escaping (Event) -> Void = { _ in }) {
        self.connection = connection
        self.writer = writer
        self.progress = progress
        self.settings = settings
        self.logger = logger
        self.onEvent = onEvent
    }

    /// Streams from `start` (a segment start, as PostgreSQL requests it) on `timeline`.
    func stream(from start: LSN, timeline: TimelineID, slot: String?,
                shouldStop: (_ flushed: LSN) -> Bool) throws -> Outcome {
        let command = PGClientConnection.startReplicationCommand(slot: slot, start: start, timeline: timeline)
        let (results, mode) = try connection.startCopy(command)
        guard mode == .copyBoth else {
            // Asked to start exactly at the end of an old timeline: no COPY, just where it ended.
            guard let end = try PGClientConnection.timelineEnd(in: results) else {
                throw ReplicationClientError("unexpected result after START_REPLICATION")
            }
            return .endOfTimeline(end)
        }
        written = start
        flushed = start
        onEvent(.streamingStarted(start: start, timeline: timeline))
        try sendStatus(replyRequested: false)
        var unflushedBytes = 0
        stopping = false
        while true {
            let timeout = unflushedBytes > 0 ? Duration.zero : settings.pollInterval
            let event = try connection.readCopy(timeout: timeout, wake: progress?.replayWakeDescriptor)
            let now = ContinuousClock.now
            switch event {
            case .data(let payload):
                lastMessageReceived = now
                pingSent = false
                switch try StreamingMessage.decode(payload) {
                case .xLogData(let dataStart, let walEnd, let sendTime, let wal):
                    guard dataStart == written.value else {
                        throw ReplicationClientError(
                            "unexpected WAL position \(LSN(dataStart)) in replication stream",
                            detail: "Expected \(written).")
                    }
                    try writer.write(wal, at: LSN(dataStart))
                    written = LSN(dataStart + UInt64(wal.count))
                    unflushedBytes += wal.count
                    onEvent(.received(written: written, sendTime: sendTime, walEnd: LSN(walEnd)))
                    // Keep draining what has arrived; flush once per batch.
                    if unflushedBytes < settings.flushBatchBytes { continue }
                case .primaryKeepalive(let walEnd, let sendTime, let replyRequested):
                    onEvent(.keepalive(sendTime: sendTime, walEnd: LSN(walEnd)))
                    if replyRequested { try sendStatus(replyRequested: false, force: true) }
                case .standbyStatusUpdate, .hotStandbyFeedback:
                    throw ReplicationClientError("unexpected message type in replication stream")
                }
            case .done:
                try flush()
                if stopping { _ = try connection.finishCopy(); return .stopped }
                logger.info("replication terminated by primary server",
                            metadata: ["detail": "End of WAL reached on timeline \(timeline) at \(written)."])
                let results = try connection.finishCopy()
                guard let end = try PGClientConnection.timelineEnd(in: results) else {
                    throw ReplicationClientError("unexpected result set after end-of-streaming")
                }
                return .endOfTimeline(end)
            case .timedOut:
                break
            }
            if unflushedBytes > 0 {
                try flush()
                unflushedBytes = 0
            }
            if stopping {
                _ = progress?.takeUnreportedReplay()   // nothing more may be sent; keep the wake-up quiet
                continue
            }
            if shouldStop(flushed) {
                stopping = true
                try connection.sendCopyDone()
                continue
            }
            try periodicWork(now: now)
        }
    }

    private func flush() throws {
        guard written > flushed else { return }
        try writer.flush()
        flushed = written
        progress?.publishFlushed(upTo: flushed, timeline: writer.timeline)
        onEvent(.flushed(flushed))
        try sendStatus(replyRequested: false)
    }

    /// Status update on schedule, after replay moved, and the receiver timeout.
    private func periodicWork(now: ContinuousClock.Instant) throws {
        let replayMoved = progress?.takeUnreportedReplay() ?? false
        let intervalDue = settings.statusInterval > .zero && now - lastStatusSent >= settings.statusInterval
        if replayMoved || intervalDue {
            try sendStatus(replyRequested: false, force: true)
        }
        if intervalDue, let xmin = settings.feedbackXmin?() {
            try connection.sendCopyData(StreamingMessage.hotStandbyFeedback(HotStandbyFeedback(
                clientTime: PostgresTimestamp.now(), xmin: xmin, xminEpoch: 0, catalogXmin: 0, catalogXminEpoch: 0)).encode())
        }
        if settings.receiverTimeout > .zero && now - lastMessageReceived >= settings.receiverTimeout {
            throw ReplicationClientError("terminating walreceiver due to timeout")
        }
        // Half-way through the timeout, ask the primary for a sign of life (PostgreSQL does too).
        // Once per silence: the periodic status updates must not postpone it past the timeout.
        if settings.receiverTimeout > .zero && now - lastMessageReceived >= settings.receiverTimeout / 2 && !pingSent {
            try sendStatus(replyRequested: true, force: true)
            pingSent = true
        }
    }

    /// 'r' with written, flushed and replayed positions; skipped when nothing changed.
    private func sendStatus(replyRequested: Bool, force: Bool = false) throws {
        guard !stopping else { return }
        guard force || replyRequested || written != reportedWritten || flushed != reportedFlushed
              || reportedWritten == .invalid else { return }
        let status = StandbyStatus(written: written.value, flushed: flushed.value,
                                   applied: progress?.replayedLSN.value ?? 0,
                                   clientTime: PostgresTimestamp.now(), replyRequested: replyRequested)
        try connection.sendCopyData(StreamingMessage.standbyStatusUpdate(status).encode())
        reportedWritten = written
        reportedFlushed = flushed
        lastStatusSent = .now
    }
}
