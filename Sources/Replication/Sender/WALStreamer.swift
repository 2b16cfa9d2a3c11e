// WALStreamer: START_REPLICATION — streams flushed WAL to a standby over CopyBoth and listens to
// its status updates (PostgreSQL's StartReplication + WalSndLoop + XLogSendPhysical).
//
//   copy loop:  send flushed WAL in XLogData chunks of ≤ 128 KiB (never past the flush point,
//               never past the end of the streamed timeline)
//               ↕ take the standby's 'r' (written/flushed/applied) and 'h' (xmin) messages
//               sleep until: new WAL is flushed (a watcher thread wakes the worker), a message
//               arrives, or it is time for a keepalive
//   ends when:  the standby sends CopyDone → CopyDone back;  or the streamed timeline is an older
//               one and everything up to its switch point was sent → CopyDone, wait for the
//               standby's CopyDone, then the result set (next_tli, next_tli_startpos)
//   then:       CommandComplete "START_STREAMING" (the caller adds "START_REPLICATION")
//
// Keepalives: after wal_sender_timeout/2 without any message from the standby, a keepalive with
// reply-requested; after wal_sender_timeout, the connection is ended. An 'r' that asks for a reply
// gets a keepalive at once.

import Foundation
import Logging
import PGWire
import Synchronization
import WAL

struct WALStreamer {
    /// PostgreSQL's MAX_SEND_SIZE (16 WAL pages of 8 KiB).
    static let maximumSendBytes = 128 * 1024
    /// How long the flush watcher sleeps in one wait before checking whether streaming ended.
    static let watcherWait: Duration = .milliseconds(500)
    /// Upper bound of one sleep of the copy loop when no keepalive is due (timeout disabled).
    static let idleWait: Duration = .seconds(10)

    private let environment: WALSenderEnvironment
    private let wal: FlushedWAL
    private let pid: Int32
    private let slot: String?
    private let start: LSN
    private let timeline: TimelineID
    /// Set when streaming an older timeline: where it ends and which timeline follows.
    private let timelineEnd: (switchPoint: LSN, next: TimelineID)?
    /// Segment-file timelines to try for a position: the streamed one, then its ancestors.
    private let fileTimelines: [TimelineID]
    /// Where each ancestor's WAL ends: its files serve only the bytes before that.
    private let fileTimelineEnds: [TimelineID: LSN]
    private let logger: Logger
    private let reader: WALSegmentReader
    private var lagTracker = LagTracker()
    private var sent: LSN
    private var lastMessage = ContinuousClock.now
    private var waitingForPing = false

    init(environment: WALSenderEnvironment, wal: FlushedWAL, pid: Int32, slot: String?, start: LSN,
         requestedTimeline: TimelineID?, logger: Logger) throws(PGError) {
        self.environment = environment
        self.wal = wal
        self.pid = pid
        self.slot = slot
        self.start = start
        self.logger = logger
        let current = wal.timeline
        let timeline = requestedTimeline ?? current
        self.timeline = timeline
        let history = current.value > 1 ? try TimelineHistoryFile.read(current, walDirectory: environment.walDirectory) : nil
        if timeline > current {
            throw PGError(sqlState: "XX000", message: "requested timeline \(timeline) is not in this server's history")
        }
        if let history, let end = try history.end(of: timeline) {
            if start > end.switchPoint {
                throw PGError(sqlState: "XX000", message: "requested starting point \(start) on timeline \(timeline) is not in this server's history",
                              detail: "This server's history forked from timeline \(timeline) at \(end.switchPoint).")
            }
            timelineEnd = end
        } else {
            timelineEnd = nil
            let flushed = wal.flushedLSN
            if start > flushed {
                throw PGError(sqlState: "XX000", message: "requested starting point \(start) is ahead of the WAL flush position of this server \(flushed)")
            }
        }
        var files = [timeline]
        if let timelineEnd { files.append(timelineEnd.next) }
        for entry in (history?.history.entries ?? []).reversed() where entry.parent < timeline { files.append(entry.parent) }
        fileTimelines = files
        var ends: [TimelineID: LSN] = [:]
        for entry in history?.history.entries ?? [] where entry.parent != timeline { ends[entry.parent] = entry.switchPoint }
        fileTimelineEnds = ends
        reader = WALSegmentReader(walDirectory: environment.walDirectory, segmentSize: environment.segmentSize)
        sent = start
        if let slot {
            _ = try environment.slots.acquire(name: slot, pid: pid)
        }
    }

    /// Streams until either side ends it; sends everything up to and including "START_STREAMING".
    /// Returns false when the connection itself ended (lost, protocol error, shutdown): then
    /// nothing more may be sent.
    mutating func run(_ out: BackendOutput) throws(PGError) -> Bool {
        if let timelineEnd, start == timelineEnd.switchPoint {
            // Exactly at the end of an older timeline: no COPY at all, only where to go next.
            sendNextTimeline(timelineEnd, out)
            out.commandComplete("START_STREAMING")
            return true
        }
        logger.info("starting streaming", metadata: ["start": "\(start)", "timeline": "\(timeline)",
                                                      "slot": "\(slot ?? "")"])
        environment.senders.update(pid) { $0.state = .catchup; $0.sent = start }
        out.copyBothResponse()
        let watcher = FlushWatcher(wal: wal, wakeup: out.copyReaderWakeup)
        defer { watcher.stop() }
        let ended = try copyLoop(out)
        guard ended else { return false }
        if let timelineEnd, sent >= timelineEnd.switchPoint { sendNextTimeline(timelineEnd, out) }
        out.commandComplete("START_STREAMING")
        environment.senders.update(pid) { $0.state = .startup }
        logger.info("streaming ended", metadata: ["sent": "\(sent)"])
        return true
    }

    /// The CopyBoth phase; true once both sides sent CopyDone, false if the connection ended.
    private mutating func copyLoop(_ out: BackendOutput) throws(PGError) -> Bool {
        var doneSending = false
        while true {
            let limit = timelineEnd?.switchPoint ?? wal.flushedLSN
            if !doneSending && sent < limit {
                try sendWAL(upTo: limit, out)
            } else if !doneSending, timelineEnd != nil {
                // The older timeline was sent in full: the server ends the COPY first.
                out.copyDone()
                out.flush()
                doneSending = true
            } else if !doneSending {
                environment.senders.update(pid) { $0.state = .streaming }
            }
            let now = ContinuousClock.now
            try keepaliveIfDue(now: now, out)
            // More WAL to send, or an older timeline's CopyDone still to send: only a quick look at
            // the client's messages; otherwise sleep until new WAL, a message or a keepalive is due.
            let moreToSend = !doneSending && (sent < (timelineEnd?.switchPoint ?? wal.flushedLSN) || timelineEnd != nil)
            let deadline = moreToSend ? now : nextWake(now: now)
            guard let message = out.readCopyMessage(until: deadline) else { continue }
            switch message {
            case .data(let bytes):
                lastMessage = ContinuousClock.now
                waitingForPing = false
                try received(StreamingMessage.decode(bytes), out)
            case .done:
                if !doneSending {
                    out.copyDone()
                    out.flush()
                }
                return true
            case .fail(let reason):
                logger.info("replication connection ended", metadata: ["reason": "\(reason)"])
                return false
            }
        }
    }

    private mutating func sendWAL(upTo limit: LSN, _ out: BackendOutput) throws(PGError) {
        let count = Int(min(UInt64(Self.maximumSendBytes), limit.value - sent.value))
        let bytes = try reader.read(from: sent, count: count, timelines: fileTimelines, ends: fileTimelineEnds)
        let now = PostgresTimestamp.now()
        out.copyData(StreamingMessage.xLogData(dataStart: sent.value, walEnd: limit.value, sendTime: now,
                                               wal: bytes).encode())
        sent = sent.advanced(by: UInt64(bytes.count))
        lagTracker.sent(upTo: sent.value, at: now)
        let position = sent
        environment.senders.update(pid) { $0.sent = position }
        if sent == limit { out.flush() }
    }

    /// Sends a keepalive asking for a reply when half of wal_sender_timeout passed in silence;
    /// throws (ending the connection) when all of it passed.
    private mutating func keepaliveIfDue(now: ContinuousClock.Instant, _ out: BackendOutput) throws(PGError) {
        let timeout = environment.walSenderTimeout
        guard timeout > .zero else { return }
        if now >= lastMessage + timeout {
            logger.warning("terminating walsender process due to replication timeout")
            throw PGError(severity: .fatal, sqlState: "08006", message: "terminating walsender process due to replication timeout")
        }
        if !waitingForPing && now >= lastMessage + timeout / 2 {
            sendKeepalive(replyRequested: true, out)
            waitingForPing = true
        }
    }

    /// When the loop must look again if nothing happens: the next keepalive or timeout.
    private func nextWake(now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        let timeout = environment.walSenderTimeout
        guard timeout > .zero else { return now + Self.idleWait }
        return waitingForPing ? lastMessage + timeout : lastMessage + timeout / 2
    }

    private func sendKeepalive(replyRequested: Bool, _ out: BackendOutput) {
        out.copyData(StreamingMessage.primaryKeepalive(walEnd: sent.value, sendTime: PostgresTimestamp.now(),
                                                       replyRequested: replyRequested).encode())
        out.flush()
    }

    private mutating func received(_ message: StreamingMessage, _ out: BackendOutput) throws(PGError) {
        switch message {
        case .standbyStatusUpdate(let status):
            let now = PostgresTimestamp.now()
            lagTracker.reported(write: status.written, flush: status.flushed, replay: status.applied,
                                sent: sent.value, now: now)
            let lag = lagTracker.lag
            environment.senders.update(pid) { entry in
                entry.write = LSN(status.written)
                entry.flush = LSN(status.flushed)
                entry.replay = LSN(status.applied)
                entry.writeLag = lag[LagTracker.Kind.write.rawValue]
                entry.flushLag = lag[LagTracker.Kind.flush.rawValue]
                entry.replayLag = lag[LagTracker.Kind.replay.rawValue]
                entry.replyTime = status.clientTime
            }
            if let slot, status.flushed != 0 {
                environment.slots.advance(name: slot, restartLSN: LSN(status.flushed), timeline: timeline)
            }
            if status.replyRequested { sendKeepalive(replyRequested: false, out) }
        case .hotStandbyFeedback(let feedback):
            let xmin: UInt32? = feedback.xmin == 0 ? nil : feedback.xmin
            environment.senders.update(pid) { $0.backendXmin = xmin }
            if let slot { environment.slots.setXmin(name: slot, xmin: feedback.xmin) }
            environment.feedbackXminChanged()
        case .xLogData, .primaryKeepalive:
            let kind = Character(Unicode.Scalar(message.encode()[0]))
            throw PGError.protocolViolation("unexpected message type \"\(kind)\" from the standby")
        }
    }

    /// End of an older timeline: one row (next_tli int8, next_tli_startpos text).
    private func sendNextTimeline(_ end: (switchPoint: LSN, next: TimelineID), _ out: BackendOutput) {
        var result = ResultSet([("next_tli", .int8), ("next_tli_startpos", .text)])
        result.append([String(end.next.value), end.switchPoint.description])
        result.send(out)
    }
}

/// Wakes a WAL sender's copy loop whenever the flushed LSN moves (a thread of its own, so the
/// worker can sleep in one place — its inbound queue — for both client messages and new WAL).
final class FlushWatcher: Sendable {
    private let stopped = Atomic<Bool>(false)

    init(wal: FlushedWAL, wakeup: @escaping @Sendable () -> Void) {
        let thread = Thread { [self] in
            var seen = wal.flushedLSN
            while !stopped.load(ordering: .acquiring) {
                let began = ContinuousClock.now
                let flushed = wal.waitForFlush(beyond: seen, timeout: WALStreamer.watcherWait)
                if flushed > seen {
                    seen = flushed
                    wakeup()
                } else if ContinuousClock.now - began < WALStreamer.watcherWait / 2 {
                    // The WAL writer is closed (shutdown): do not spin.
                    Thread.sleep(forTimeInterval: 0.1)
                }
            }
        }
        thread.name = "walsender flush watcher"
        thread.start()
    }

    func stop() { stopped.store(true, ordering: .releasing) }
}
