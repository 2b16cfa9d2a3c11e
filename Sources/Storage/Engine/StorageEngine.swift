// Storage: the storage engine of one data directory — initdb, startup with crash recovery, and
// shutdown. Relations, OIDs and checkpoints are in the StorageEngine+*.swift files.
//
// Data directory layout (PostgreSQL's names):
//
//   <data>/global/pg_control     control file (ControlFile.swift)
//   <data>/base/1/<relation id>  relation files, 8 KiB pages (database OID 1: the one database)
//   <data>/pg_wal/               WAL segments, 000000010000000000000001 ...
//   <data>/pg_xact/              commit log segments, 0000 ...
//
// Startup order: read pg_control → load pg_xact → redo WAL from the checkpoint's redo point →
// open the WAL writer at the end of valid WAL → abort transactions left running → end-of-recovery
// checkpoint (after a crash) → state "in production" → start the checkpointer thread.
#if canImport(Glibc)
import Glibc
#endif
import Logging
import WAL

public final class StorageEngine: @unchecked Sendable {
    /// The first OID handed to user objects (PostgreSQL's FirstNormalObjectId).
    public static let firstNormalOID: UInt32 = 16384
    /// How many OIDs one nextOID record covers (PostgreSQL's VAR_OID_PREFETCH).
    static let oidLogBatch: UInt32 = 8192

    public let dataDirectory: String
    public let configuration: StorageConfiguration
    let logger: Logger
    let files: RelationFiles
    let bufferPool: BufferPool
    let pageLog: PageChangeLogger
    public let transactions: TransactionManager
    /// Snapshots in use, for the oldest xmin that pruning and VACUUM respect.
    public let snapshots: SnapshotRegistry
    public let wal: WALWriter

    struct OIDCounter { var next: UInt32; var loggedLimit: UInt32 }
    let oids: PThreadMutex<OIDCounter>
    let controlData: PThreadMutex<ControlFileData>
    /// Serialises checkpoints (a manual one may meet a timed one).
    let checkpointMonitor = ConditionLock()
    let heaps = PThreadMutex<[RelationID: HeapRelation]>([:])
    let checkpointer = PThreadMutex<Checkpointer?>(nil)
    /// Who else keeps old WAL (replication slots, wal_keep_size); set by the server (WALRetention.swift).
    let walRetention = PThreadMutex<WALRetention?>(nil)
    /// Replay on a standby, from startup until promotion (StorageEngine+Standby.swift).
    let standbyReplay: PThreadMutex<StandbyReplay?>
    let replayThread = PThreadMutex<ReplayThread?>(nil)
    let autovacuum = PThreadMutex<Autovacuum?>(nil)

    static func walDirectory(_ data: String) -> String { data + "/pg_wal" }
    static func relationDirectory(_ data: String) -> String { data + "/base/" + String(databaseOID) }
    static func commitLogDirectory(_ data: String) -> String { data + "/pg_xact" }

    /// initdb: creates global/, base/1/, pg_wal/, pg_xact/, the control file and the first checkpoint.
    public static func create(dataDirectory: String, configuration: StorageConfiguration, logger: Logger) throws {
        for directory in [dataDirectory, dataDirectory + "/global", dataDirectory + "/base",
                          relationDirectory(dataDirectory), walDirectory(dataDirectory), commitLogDirectory(dataDirectory)] {
            if mkdir(directory, 0o700) != 0 && errno != EEXIST {
                throw StorageError.io("create directory", path: directory, errno: errno)
            }
        }
        guard access(ControlFile.path(dataDirectory: dataDirectory), F_OK) != 0 else {
            throw StorageError(.invalidState, "directory \"\(dataDirectory)\" already holds a database cluster")
        }
        // WAL starts in segment 1, as after PostgreSQL's initdb.
        let start = LSN(UInt64(configuration.wal.segmentSize))
        let wal = try WALWriter(directory: walDirectory(dataDirectory), timeline: .first, end: start,
                                previousRecord: .invalid, configuration: configuration.wal, logger: logger)
        let now = Int64(time(nil))
        let checkpoint = CheckpointRecord(redo: start, timeline: .first, nextXid: .firstNormal,
                                          nextOID: firstNormalOID, time: now)
        let (recordStart, end) = try wal.insert(.xlog, info: XLOGInfo.checkpointShutdown, xid: .invalid,
                                                payload: checkpoint.encode())
        try wal.flush(upTo: end)
        try wal.close()
        // A system identifier like PostgreSQL's: creation time in the high bits, randomness below.
        let identifier = UInt64(UInt32(truncatingIfNeeded: now)) << 32 | UInt64(UInt32.random(in: 0...UInt32.max))
        try ControlFile.write(ControlFileData(systemIdentifier: identifier, state: .shutDown, timeline: .first,
                                              checkpointLSN: recordStart, redoLSN: start, nextXid: .firstNormal,
                                              nextOID: firstNormalOID, time: now),
                              dataDirectory: dataDirectory)
        for directory in [dataDirectory + "/base", dataDirectory] { try syncDirectory(directory) }
        logger.info("storage initialised", metadata: ["data": "\(dataDirectory)", "system_identifier": "\(identifier)"])
    }

    /// Opens a data directory; runs crash recovery (redo from the last checkpoint) before returning.
    /// A `standby` replays what pg_wal holds and stays in recovery, read-only, until promote().
    public init(dataDirectory: String, configuration: StorageConfiguration, logger: Logger, standby: Bool = false) throws {
        self.dataDirectory = dataDirectory
        self.configuration = configuration
        self.logger = logger
        var control = try ControlFile.read(dataDirectory: dataDirectory)
        if let label = try BackupLabel.read(dataDirectory: dataDirectory) {
            logger.info("starting backup recovery with redo LSN \(label.redoLSN), checkpoint LSN \(label.checkpointLSN), on timeline ID \(label.timeline)")
            control.redoLSN = label.redoLSN
            control.checkpointLSN = label.checkpointLSN
            control.timeline = label.timeline
            control.state = .inArchiveRecovery
            try ControlFile.write(control, dataDirectory: dataDirectory)
            try BackupLabel.retire(dataDirectory: dataDirectory)
        }
        let crashed = control.state != .shutDown && !standby
        if standby {
            control.state = .inArchiveRecovery
            try ControlFile.write(control, dataDirectory: dataDirectory)
        } else if crashed {
            logger.info("database system was interrupted; last known up at \(control.time)",
                        metadata: ["state": "\(control.state)", "checkpoint": "\(control.checkpointLSN)",
                                   "redo": "\(control.redoLSN)"])
            control.state = .inCrashRecovery
            try ControlFile.write(control, dataDirectory: dataDirectory)
        }

        files = RelationFiles(directory: Self.relationDirectory(dataDirectory))
        bufferPool = try BufferPool(frames: configuration.sharedBuffers, files: files)
        pageLog = PageChangeLogger(compression: configuration.wal.compression, redoPoint: control.redoLSN)
        let clog = CommitLog(directory: Self.commitLogDirectory(dataDirectory))
        try clog.load()
        let pool = bufferPool, relationFiles = files
        transactions = TransactionManager(clog: clog, log: pageLog, nextXid: control.nextXid,
                                          synchronousCommit: configuration.synchronousCommit, logger: logger) { rel in
            pool.discard(rel)
            relationFiles.remove(rel)
        }
        snapshots = SnapshotRegistry(transactions: transactions)

        let redo = Redo(pool: bufferPool, files: files, transactions: transactions, nextOID: control.nextOID)
        if standby {
            transactions.standby.activate(nextXid: control.nextXid, clog: clog)
            let replay = try StandbyReplay(walDirectory: Self.walDirectory(dataDirectory), control: control,
                                           segmentSize: configuration.wal.segmentSize, redo: redo,
                                           transactions: transactions, snapshots: snapshots,
                                           maxStandbyStreamingDelay: configuration.maxStandbyStreamingDelay, logger: logger)
            _ = try replay.step(flushLimit: .invalid)
            let (end, _, timeline) = replay.endOfWAL
            wal = WALWriter(inRecoveryAt: end, timeline: timeline, configuration: configuration.wal, logger: logger)
            oids = PThreadMutex(OIDCounter(next: Self.firstNormalOID, loggedLimit: Self.firstNormalOID))
            controlData = PThreadMutex(control)
            standbyReplay = PThreadMutex(replay)
            startCheckpointer()
            logger.info("consistent recovery state reached at \(end)")
            return
        }
        standbyReplay = PThreadMutex(nil)
        let outcome = try Recovery.run(walDirectory: Self.walDirectory(dataDirectory), control: control,
                                       segmentSize: configuration.wal.segmentSize, redo: redo, logger: logger)
        wal = try WALWriter(directory: Self.walDirectory(dataDirectory), timeline: control.timeline,
                            end: outcome.endOfWAL, previousRecord: outcome.lastRecordStart,
                            configuration: configuration.wal, logger: logger)
        oids = PThreadMutex(OIDCounter(next: max(redo.nextOID, Self.firstNormalOID), loggedLimit: max(redo.nextOID, Self.firstNormalOID)))
        controlData = PThreadMutex(control)

        bufferPool.attach(wal: wal)
        pageLog.attach(wal: wal)
        transactions.attach(wal: wal)
        let aborted = transactions.abortTransactionsLeftRunning()
        if aborted > 0 { logger.info("aborted \(aborted) transactions left running at the crash") }

        if crashed || outcome.recordsApplied > 1 {
            try checkpoint(reason: .endOfRecovery)
        } else {
            try updateControl { $0.state = .inProduction }
        }
        startCheckpointer()
        logger.info("database system is ready", metadata: ["wal_end": "\(wal.insertLSN)"])
    }

    public var control: ControlFileData { controlData.withLock { $0 } }

    func updateControl(_ change: (inout ControlFileData) -> Void) throws {
        let updated = controlData.withLock { data -> ControlFileData in
            change(&data)
            data.time = Int64(time(nil))
            return data
        }
        try ControlFile.write(updated, dataDirectory: dataDirectory)
    }

    /// Shutdown checkpoint, then closes the WAL and the relation files. Callers make sure no
    /// session uses the engine any more.
    public func shutdown() throws {
        stopAutovacuum()
        stopReplay()
        stopCheckpointer()
        try checkpoint(reason: .shutdown)
        try wal.close()
        files.closeAll()
        logger.info("database system is shut down")
    }

    /// Tests: dies like kill -9 — no checkpoint, dirty pages and the unflushed WAL tail are lost.
    func simulateCrash() {
        stopAutovacuum()
        stopReplay()
        stopCheckpointer()
        bufferPool.attach(wal: nil)
        bufferPool.discardAll()
        files.closeAll()
    }
}

extension WALWriter: WALAppending {}
