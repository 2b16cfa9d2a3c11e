// StandbyServer: the standby side of one server instance — started when `standby.signal` is in
// the data directory (PostgreSQL 12+), ended by promotion.
//
//   startup:    Storage replays pg_wal (StorageEngine(standby: true)), then start():
//               the WAL receiver streams from primary_conninfo [primary_slot_name] into pg_wal,
//               and Storage's replay thread applies what the receiver reports flushed
//   promotion:  `minipg promote` (the `promote` file + SIGUSR1, as pg_ctl promote) or
//               pg_promote(): stop the receiver, Storage.promote() (new timeline, history file,
//               end-of-recovery checkpoint), remove standby.signal and the promote file
//   reload:     a new primary_conninfo / primary_slot_name (SIGHUP) stops the WAL receiver and starts
//               one for the new upstream, continuing from what was flushed (PostgreSQL 13+ does the same)
// It is also SQLMini's StandbyProvider: pg_stat_wal_receiver, pg_last_wal_receive_lsn, pg_promote.
// Invariant: promotion runs at most once; concurrent requests wait for the first one. One receiver at a
// time streams into the one WALReceiverProgress that replay waits on.

import Foundation
import Logging
import Replication
import SQLMini
import Storage
import WAL

/// The receiver's progress is what Storage's replay waits on.
extension WALReceiverProgress: ReceivedWALSource {}

final class StandbyServer: StandbyProvider, @unchecked Sendable {
    private let directory: DataDirectory
    private let storage: StorageEngine
    /// The running receiver; replaced when primary_conninfo changes on a reload. Replacements and
    /// promotion are serialised by `promotion`; `receiverLock` only guards reading the reference.
    private var currentReceiver: WALReceiver?
    private let receiverLock = NSLock()
    private var receiver: WALReceiver? {
        get { receiverLock.withLock { currentReceiver } }
        set { receiverLock.withLock { currentReceiver = newValue } }
    }
    private let logger: Logger
    /// What the server starts once it accepts writes (autovacuum).
    private let afterPromotion: @Sendable () -> Void
    /// Serialises promotions; `promotedTimeline` is set by the first one to finish.
    private let promotion = NSLock()
    private var promotedTimeline: TimelineID?
    private var promoteSignal: DispatchSourceSignal?

    /// Is the data directory asking to start as a standby?
    static func isRequested(in directory: DataDirectory) -> Bool {
        FileManager.default.fileExists(atPath: directory.standbySignalFile)
    }

    init(directory: DataDirectory, storage: StorageEngine, settings: ServerSettings, logger: Logger,
         afterPromotion: @escaping @Sendable () -> Void) throws {
        self.directory = directory
        self.storage = storage
        self.logger = logger
        self.afterPromotion = afterPromotion
        let conninfo = try settings.show("primary_conninfo")
        if conninfo.isEmpty {
            logger.info("primary_conninfo is empty: replaying WAL that appears in pg_wal only")
            currentReceiver = nil
        } else {
            let status = storage.standbyStatus
            currentReceiver = Self.makeReceiver(settings: settings, directory: directory, storage: storage,
                                                startLSN: status?.replayLSN ?? storage.control.redoLSN,
                                                startTimeline: status?.timeline ?? storage.control.timeline,
                                                progress: WALReceiverProgress())
        }
    }

    private static func makeReceiver(settings: ServerSettings, directory: DataDirectory, storage: StorageEngine,
                                     startLSN: LSN, startTimeline: TimelineID,
                                     progress: WALReceiverProgress) -> WALReceiver {
        let slot = settings.primarySlotName
        var configuration = WALReceiverConfiguration(
            primaryConninfo: settings.primaryConnInfo, slotName: slot.isEmpty ? nil : slot,
            walDirectory: directory.path + "/pg_wal", systemIdentifier: storage.control.systemIdentifier,
            startLSN: startLSN, startTimeline: startTimeline)
        configuration.fsync = storage.configuration.wal.fsync
        configuration.segmentSize = storage.configuration.wal.segmentSize
        configuration.statusInterval = settings.walReceiverStatusInterval
        configuration.receiverTimeout = settings.walReceiverTimeout
        configuration.retryInterval = settings.walRetrieveRetryInterval
        configuration.clusterName = settings.clusterName.isEmpty ? nil : settings.clusterName
        // hot_standby_feedback: the oldest xmin of this standby's snapshots holds back the
        // primary's pruning, so replay never removes row versions a standby query still needs.
        if (try? settings.show("hot_standby_feedback")) == "on" {
            configuration.feedbackXmin = { [storage] in storage.snapshots.horizon().value }
        }
        return WALReceiver(configuration: configuration, progress: progress)
    }

    /// After a reload: a changed primary_conninfo or primary_slot_name re-points the WAL receiver without
    /// a restart. The new receiver starts where the old one flushed (streaming restarts at the start of
    /// that segment), on the timeline it had reached, and follows the new upstream's history from there.
    func settingsReloaded(_ settings: ServerSettings) {
        promotion.lock()
        defer { promotion.unlock() }
        guard promotedTimeline == nil, let old = receiver else { return }
        let conninfo = settings.primaryConnInfo
        let slot = settings.primarySlotName
        guard conninfo != old.configuration.primaryConninfo || slot != (old.configuration.slotName ?? "") else { return }
        guard !conninfo.isEmpty else {
            logger.warning("primary_conninfo cannot be emptied without a restart; the WAL receiver keeps streaming")
            return
        }
        logger.info("primary_conninfo changed: restarting the WAL receiver")
        old.stop()
        let progress = old.progress
        let flushed = progress.flushedLSN
        let replayed = storage.standbyStatus
        let next = Self.makeReceiver(
            settings: settings, directory: directory, storage: storage,
            startLSN: flushed.isValid ? flushed : (replayed?.replayLSN ?? storage.control.redoLSN),
            startTimeline: flushed.isValid ? progress.flushedTimeline : (replayed?.timeline ?? storage.control.timeline),
            progress: progress)
        receiver = next
        next.start()
    }

    /// Starts streaming and continuous replay, and listens for SIGUSR1 (promotion requests).
    func start() {
        receiver?.start()
        storage.startReplay(received: receiver?.progress)
        signal(SIGUSR1, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGUSR1, queue: DispatchQueue(label: "minipg.promote"))
        source.setEventHandler { [weak self] in self?.promoteIfRequested() }
        source.resume()
        promoteSignal = source
    }

    /// Stops the receiver (shutdown; Storage stops replay itself).
    func stop() {
        receiver?.stop()
    }

    /// Ends recovery; returns the new timeline. A second request returns the first one's result.
    @discardableResult
    func promote() throws -> TimelineID {
        promotion.lock()
        defer { promotion.unlock() }
        if let promotedTimeline { return promotedTimeline }
        logger.info("received promote request")
        receiver?.stop()
        let timeline = try storage.promote()
        for file in [directory.standbySignalFile, directory.promoteSignalFile] {
            try? FileManager.default.removeItem(atPath: file)
        }
        promotedTimeline = timeline
        afterPromotion()
        logger.info("database system is ready to accept connections", metadata: ["timeline": "\(timeline)"])
        return timeline
    }

    /// SIGUSR1: promote if the `promote` file asks for it (pg_ctl promote writes it first).
    func promoteIfRequested() {
        guard FileManager.default.fileExists(atPath: directory.promoteSignalFile) else { return }
        do { try promote() } catch {
            logger.error("promotion failed: \(error)")
        }
    }

    // MARK: StandbyProvider

    var walReceiverStatus: SQLMini.WALReceiverStatus? {
        guard let status = receiver?.status, storage.isInRecovery else { return nil }
        return SQLMini.WALReceiverStatus(
            pid: status.pid, status: status.status.rawValue, receiveStartLSN: status.receiveStartLSN ?? .invalid,
            receiveStartTimeline: status.receiveStartTimeline ?? storage.control.timeline,
            writtenLSN: status.writtenLSN ?? .invalid, flushedLSN: status.flushedLSN ?? .invalid,
            receivedTimeline: status.receivedTimeline ?? storage.control.timeline,
            lastMessageSendTime: status.lastMessageSendTime, lastMessageReceiptTime: status.lastMessageReceiptTime,
            latestEndLSN: status.latestEndLSN, latestEndTime: status.latestEndTime, slotName: status.slotName,
            senderHost: status.senderHost, senderPort: status.senderPort, conninfo: status.conninfo ?? "")
    }

    var receivedLSN: LSN? {
        guard let flushed = receiver?.progress.flushedLSN, flushed.isValid else { return nil }
        return flushed
    }

    /// pg_promote: without `wait` the promotion runs in the background and true is returned at once.
    func promote(wait: Bool, timeout: Duration) throws -> Bool {
        guard wait else {
            Thread.detachNewThread { [self] in
                do { try promote() } catch { logger.error("promotion failed: \(error)") }
            }
            return true
        }
        let finished = DispatchSemaphore(value: 0)
        let outcome = PromotionOutcome()
        Thread.detachNewThread { [self] in
            do { try promote() } catch { outcome.error = error }
            finished.signal()
        }
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        guard finished.wait(timeout: .now() + seconds) == .success else { return false }
        if let error = outcome.error {
            throw SQLError(SQLError.internalError, "could not promote: \(error)")
        }
        return true
    }
}

/// The error a background promotion ended with (written before its semaphore is signalled).
private final class PromotionOutcome: @unchecked Sendable {
    var error: Error?
}
