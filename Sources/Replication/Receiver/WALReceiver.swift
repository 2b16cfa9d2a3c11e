// WALReceiver: a standby's walreceiver — a thread that connects to the primary named by
// primary_conninfo, streams its WAL into the local pg_wal/ and tells the replay loop how far the
// WAL is durable (WALReceiverProgress). It runs until stop():
//
//   ┌─► connect (replication=true) ── fails ──► log "could not connect to the primary server: …",
//   │     │                                      wait wal_retrieve_retry_interval ──────────────┐
//   │   IDENTIFY_SYSTEM: same system identifier? primary's timeline ≥ ours?                     │
//   │   TIMELINE_HISTORY for timelines we have no history file of                               │
//   │   START_REPLICATION [SLOT s] <segment start> TIMELINE t  (WALStreamReceiver)              │
//   │     │ primary ends timeline t: fetch and write the next history file, continue on t+1     │
//   │     │ connection lost / error ────────────────────────────────────────────────────────────┤
//   └─────┴──────────────────────────────────────────────────────────────────────────────────◄┘
//
// Streaming always starts at the beginning of a segment (as PostgreSQL's RequestXLogStreaming
// does), so a segment file is never begun in its middle; re-receiving bytes already on disk
// writes the same bytes again. After a reconnect it resumes from what it had flushed.
// pg_stat_wal_receiver reads `status`.

import Foundation
import Logging
import PGWire
import Synchronization
import WAL

public final class WALReceiver: @unchecked Sendable {
    public let configuration: WALReceiverConfiguration
    public let progress: WALReceiverProgress
    private let logger: Logger
    private let state: Mutex<WALReceiverStatus>
    private let connection = Mutex<PGClientConnection?>(nil)
    /// Guards `stopRequested` and `running`; stop() sleeps on it until the thread has ended.
    private let lifecycle = ConditionLock()
    private var stopRequested = false
    private var running = false

    public init(configuration: WALReceiverConfiguration, progress: WALReceiverProgress,
                logger: Logger = ReplicationLog.logger("walreceiver")) {
        self.configuration = configuration
        self.progress = progress
        self.logger = logger
        var initial = WALReceiverStatus(pid: getpid(), status: .starting)
        initial.slotName = configuration.slotName.flatMap { $0.isEmpty ? nil : $0 }
        initial.conninfo = (try? ConnectionInfo(parsing: configuration.primaryConninfo))?.textWithoutPassword
        state = Mutex(initial)
    }

    /// pg_stat_wal_receiver's row.
    public var status: WALReceiverStatus { state.withLock { $0 } }

    /// Starts the receiver thread.
    public func start() {
        lifecycle.withLock { running = true }
        progress.markStarted()
        let thread = Thread { [self] in
            run()
            state.withLock { $0.status = .stopped }
            progress.markStopped()
            lifecycle.withLock {
                running = false
                lifecycle.broadcast()
            }
        }
        thread.name = "walreceiver"
        thread.start()
    }

    /// Ends streaming (promotion, shutdown) and waits for the thread to finish.
    public func stop() {
        lifecycle.withLock {
            stopRequested = true
            lifecycle.broadcast()
        }
        state.withLock { if $0.status != .stopped { $0.status = .stopping } }
        connection.withLock { $0?.interrupt() }
        lifecycle.withLock {
            while running { lifecycle.wait() }
        }
    }

    private var isStopRequested: Bool { lifecycle.withLock { stopRequested } }

    // MARK: The receiver thread

    private func run() {
        var timeline = configuration.startTimeline
        var position = configuration.startLSN
        while !isStopRequested {
            let flushed = progress.flushedLSN
            if flushed > position && progress.flushedTimeline == timeline { position = flushed }
            do {
                try session(timeline: &timeline, position: &position)
                return
            } catch {
                if isStopRequested { return }
                logFailure(error)
            }
            state.withLock { $0.status = .waiting }
            lifecycle.withLock {
                if !stopRequested { lifecycle.wait(timeout: configuration.retryInterval) }
            }
        }
    }

    private func logFailure(_ error: any Error) {
        switch error {
        case let error as PGConnectionError where state.withLock({ $0.status == .starting || $0.status == .waiting }):
            logger.error("could not connect to the primary server: \(error.message)")
        case let error as PGConnectionError:
            logger.error("could not receive data from WAL stream: \(error.message)")
        case let error as PGError where error.severity.endsConnection:
            logger.error("could not receive data from WAL stream: \(error.severity.rawValue):  \(error.message)")
        case let error as PGError:
            logger.error("\(error.message)", metadata: error.detail.map { ["detail": "\($0)"] } ?? [:])
        case let error as ReplicationClientError:
            logger.error("\(error.message)", metadata: error.detail.map { ["detail": "\($0)"] } ?? [:])
        default:
            logger.error("\(error)")
        }
    }

    /// One connection: identify, then stream timeline after timeline until stopped or failed.
    private func session(timeline: inout TimelineID, position: inout LSN) throws {
        state.withLock { $0.status = .starting }
        let info = try ConnectionInfo(parsing: configuration.primaryConninfo)
        let environment = configuration.environment.isEmpty ? ProcessInfo.processInfo.environment : configuration.environment
        let client = try info.clientConfiguration(environment: environment, replication: "true",
                                                  defaultApplicationName: configuration.clusterName ?? "walreceiver")
        let primary = try PGClientConnection.connect(client)
        connection.withLock { $0 = primary }
        defer {
            connection.withLock { $0 = nil }
            primary.close()
        }
        if isStopRequested { return }
        state.withLock {
            $0.senderHost = client.host
            $0.senderPort = client.port
        }

        let system = try primary.identifySystem()
        guard system.systemIdentifier == configuration.systemIdentifier else {
            throw ReplicationClientError("database system identifier differs between the primary and standby",
                                         detail: "The primary's identifier is \(system.systemIdentifier), "
                                             + "the standby's identifier is \(configuration.systemIdentifier).")
        }
        guard system.timeline >= timeline else {
            throw ReplicationClientError("highest timeline \(system.timeline.value) of the primary is behind "
                                         + "recovery timeline \(timeline.value)")
        }
        try fetchHistoryFiles(from: primary, upTo: system.timeline, startingAfter: timeline)

        let writer = try ReceivedWALWriter(directory: configuration.walDirectory, timeline: timeline,
                                           segmentSize: configuration.segmentSize, synchronizes: configuration.fsync)
        defer { try? writer.close() }
        let settings = WALStreamReceiver.Settings(statusInterval: configuration.statusInterval,
                                            receiverTimeout: configuration.receiverTimeout,
                                            feedbackXmin: configuration.feedbackXmin)
        let streamer = WALStreamReceiver(connection: primary, writer: writer, progress: progress, settings: settings,
                                   logger: logger, onEvent: { [self] event in record(event) })
        let slot = configuration.slotName.flatMap { $0.isEmpty ? nil : $0 }
        while true {
            let start = segmentStart(of: position)
            if writer.timeline != timeline { try writer.switchTimeline(to: timeline) }
            let outcome = try streamer.stream(from: start, timeline: timeline, slot: slot,
                                              shouldStop: { [self] _ in isStopRequested })
            switch outcome {
            case .stopped:
                return
            case .endOfTimeline(let end):
                state.withLock { $0.status = .waiting }
                try fetchHistoryFiles(from: primary, upTo: end.nextTimeline, startingAfter: timeline)
                timeline = end.nextTimeline
                position = end.switchPoint
            }
        }
    }

    /// TIMELINE_HISTORY for every timeline after `timeline` up to `last` whose history file is
    /// missing locally (WalRcvFetchTimeLineHistoryFiles).
    private func fetchHistoryFiles(from primary: PGClientConnection, upTo last: TimelineID,
                                   startingAfter timeline: TimelineID) throws {
        guard last > timeline else { return }
        for value in (timeline.value + 1)...last.value {
            let tli = TimelineID(value)
            if ReceivedHistoryFile.exists(directory: configuration.walDirectory, timeline: tli) { continue }
            logger.info("fetching timeline history file for timeline \(value) from primary server")
            let history = try primary.timelineHistory(tli)
            try ReceivedHistoryFile.write(directory: configuration.walDirectory, timeline: tli,
                                          fileName: history.fileName, content: history.content)
        }
    }

    private func segmentStart(of lsn: LSN) -> LSN {
        LSN(lsn.value - lsn.value % UInt64(configuration.segmentSize))
    }

    private func record(_ event: WALStreamReceiver.Event) {
        if case .streamingStarted(let start, let timeline) = event {
            logger.info("started streaming WAL from primary at \(start) on timeline \(timeline.value)")
        }
        let now = PostgresTimestamp.now()
        state.withLock { row in
            switch event {
            case .streamingStarted(let start, let timeline):
                row.status = .streaming
                row.receiveStartLSN = start
                row.receiveStartTimeline = timeline
                row.receivedTimeline = timeline
                row.writtenLSN = start
                row.flushedLSN = start
            case .received(let written, let sendTime, let walEnd):
                row.writtenLSN = written
                row.lastMessageSendTime = sendTime
                row.lastMessageReceiptTime = now
                if row.latestEndLSN != walEnd {
                    row.latestEndLSN = walEnd
                    row.latestEndTime = now
                }
            case .flushed(let flushed):
                row.flushedLSN = flushed
            case .keepalive(let sendTime, let walEnd):
                row.lastMessageSendTime = sendTime
                row.lastMessageReceiptTime = now
                if row.latestEndLSN != walEnd {
                    row.latestEndLSN = walEnd
                    row.latestEndTime = now
                }
            }
        }
    }
}
