// BaseBackupClient: clones a running primary into an empty directory, as pg_basebackup -Fp -X stream
// does (clients.md §3.2), over two replication connections:
//
//   connection 1                                   connection 2 (from the start position on)
//   SHOW wal_segment_size; IDENTIFY_SYSTEM
//   BASE_BACKUP (LABEL, [PROGRESS], [CHECKPOINT 'fast'], WAIT 0, MANIFEST 'no', TARGET 'client')
//   ◄ start LSN, timeline      ───────────────►    [CREATE_REPLICATION_SLOT tmp TEMPORARY PHYSICAL]
//   ◄ tablespaces (size)                           START_REPLICATION [SLOT s] <start segment> TIMELINE t
//   ◄ CopyOut: 'n' archive, 'p' progress,          XLogData → DIR/pg_wal/ (ReceivedWALWriter)
//              'd' tar bytes → TarExtractor
//   ◄ end LSN                  ───────────────►    stop once flushed ≥ end LSN (CopyDone)
//
// Streaming the WAL while the files are copied (rather than after) means the primary cannot
// recycle a segment the copy needs before the client has it; a temporary slot holds it too when
// the server has slots. With `writeRecoveryConfiguration` (-R) it then writes standby.signal and
// appends primary_conninfo (and primary_slot_name) to postgresql.auto.conf, as pg_basebackup -R.
// `copy(placement:walFrom:)` is the transfer alone, which rewind (Rewind/) reuses into an existing
// directory: only some files or blocks written, and the WAL streamed from the fork point.

import Foundation
import Logging
import PGWire
import Synchronization
import WAL

public struct BaseBackupClientOptions: Sendable {
    public enum Checkpoint: String, Sendable { case fast, spread }

    public var connection: PGClientConfiguration
    public var targetDirectory: String
    public var writeRecoveryConfiguration = false
    /// --slot: stream the WAL through this (existing) slot and name it in primary_slot_name.
    public var slotName: String?
    public var checkpoint: Checkpoint = .fast
    public var showProgress = false
    public var label = "minipg basebackup"

    public init(connection: PGClientConfiguration, targetDirectory: String) {
        self.connection = connection
        self.targetDirectory = targetDirectory
    }
}

public final class BaseBackupClient {
    private let options: BaseBackupClientOptions
    private let logger: Logger
    /// Where progress lines go (standard error in the command).
    private let report: (String) -> Void

    public init(options: BaseBackupClientOptions, logger: Logger = ReplicationLog.logger("basebackup"),
                report: @escaping (String) -> Void) {
        self.options = options
        self.logger = logger
        self.report = report
    }

    /// Runs the whole backup; on failure the caller removes the directory (pg_basebackup does).
    public func run() throws {
        try BackupDirectory.prepareEmpty(options.targetDirectory)
        let walDirectory = options.targetDirectory + "/pg_wal"
        if mkdir(walDirectory, 0o700) != 0 && errno != EEXIST {
            throw ReplicationClientError("could not create directory \"\(walDirectory)\": \(String(cString: strerror(errno)))")
        }
        _ = try copy(placement: { _ in .whole }, earlyWAL: nil)
        if options.writeRecoveryConfiguration {
            try RecoveryConfiguration.write(directory: options.targetDirectory, connection: options.connection,
                                            slotName: options.slotName)
        }
        try BackupDirectory.synchronize(options.targetDirectory)
    }

    /// What a copy brought: the archive's file names and captured files, and the WAL range streamed.
    struct Copy {
        var extractor: TarExtractor?
        var start: LSN
        var end: LSN
        var timeline: TimelineID
    }

    /// WAL a copy streams from a point before the backup (rewind: from the fork point), and how
    /// far it must have come before the backup starts — WAL the server may recycle meanwhile.
    struct EarlyWAL {
        var start: LSN
        var timeline: TimelineID
        var segmentSize: Int
        var streamedBeforeCopy: LSN
        /// Runs once that WAL is safe in pg_wal/, before anything else is written.
        var beforeCopy: () throws -> Void
    }

    /// BASE_BACKUP into the target directory, each file placed as `placement` says, while a second
    /// connection streams WAL into pg_wal/ up to the backup's end: from `earlyWAL` (following
    /// timeline switches) or from the backup's start (basebackup).
    func copy(placement: @escaping (String) -> TarPlacement, earlyWAL: EarlyWAL?) throws -> Copy {
        let walDirectory = options.targetDirectory + "/pg_wal"
        var configuration = options.connection
        configuration.replication = "true"
        configuration.applicationName = configuration.applicationName ?? "pg_basebackup"
        var stream: WALFetch?
        if let earlyWAL {
            let early = WALFetch(configuration: configuration, walDirectory: walDirectory, segmentSize: earlyWAL.segmentSize,
                                 start: earlyWAL.start, timeline: earlyWAL.timeline, slot: options.slotName, logger: logger)
            early.start()
            do {
                try early.waitUntilFlushed(earlyWAL.streamedBeforeCopy)
                try earlyWAL.beforeCopy()
            } catch {
                early.abort()
                throw error
            }
            stream = early
        }
        let primary: PGClientConnection
        let segmentSize: Int
        do {
            primary = try PGClientConnection.connect(configuration)
            segmentSize = try Self.parseSegmentSize(try primary.show("wal_segment_size"))
            // pg_basebackup's WAL stream fetches the history file of the timeline it streams (receivelog.c):
            // a copy of a promoted primary cannot start recovery on that timeline without it.
            let system = try primary.identifySystem()
            if system.timeline > .first, !ReceivedHistoryFile.exists(directory: walDirectory, timeline: system.timeline) {
                let history = try primary.timelineHistory(system.timeline)
                try ReceivedHistoryFile.write(directory: walDirectory, timeline: system.timeline,
                                              fileName: history.fileName, content: history.content)
            }
        } catch {
            stream?.abort()
            throw error
        }
        defer { primary.close() }

        let results: [PGQueryResult]
        do {
            let (started, mode) = try primary.startCopy(baseBackupCommand())
            guard mode == .copyOut else { throw ReplicationClientError("could not initiate base backup: unexpected response to BASE_BACKUP") }
            results = started
        } catch {
            stream?.abort()
            throw error
        }
        guard results.count >= 2,
              let startText = results[0].text("recptr"), let start = LSN(parsing: startText),
              let timelineText = results[0].text("tli"), let timelineValue = UInt32(timelineText)
        else {
            stream?.abort()
            throw ReplicationClientError("could not initiate base backup: unexpected response to BASE_BACKUP")
        }
        let timeline = TimelineID(timelineValue)
        let totalKilobytes = results[1].text("size").flatMap(Int64.init)
        logger.info("write-ahead log start point: \(start) on timeline \(timeline.value)")

        let wal = stream ?? WALFetch(configuration: configuration, walDirectory: walDirectory, segmentSize: segmentSize,
                                     start: start, timeline: timeline, slot: options.slotName, logger: logger)
        if stream == nil { wal.start() }
        let extractor: TarExtractor?
        do {
            extractor = try receiveArchive(from: primary, totalKilobytes: totalKilobytes, placement: placement)
        } catch {
            wal.abort()
            throw error
        }
        let endResults: [PGQueryResult]
        do { endResults = try primary.finishCopy() } catch {
            wal.abort()
            throw error
        }
        guard let endText = endResults.first?.text("recptr"), let end = LSN(parsing: endText) else {
            wal.abort()
            throw ReplicationClientError("could not get write-ahead log end position from server")
        }
        logger.info("write-ahead log end point: \(end)")
        try wal.finish(at: end)
        return Copy(extractor: extractor, start: start, end: end, timeline: timeline)
    }

    /// BASE_BACKUP with pg_basebackup 15's option syntax.
    func baseBackupCommand() -> String {
        var parts = ["LABEL '\(options.label.replacingOccurrences(of: "'", with: "''"))'"]
        if options.showProgress { parts.append("PROGRESS") }
        if options.checkpoint == .fast { parts.append("CHECKPOINT 'fast'") }
        parts += ["WAIT 0", "MANIFEST 'no'", "TARGET 'client'"]
        return "BASE_BACKUP ( " + parts.joined(separator: ",  ") + ")"
    }

    /// The CopyOut stream: archive starts, progress, tar bytes, (ignored) manifest.
    private func receiveArchive(from primary: PGClientConnection, totalKilobytes: Int64?,
                                placement: @escaping (String) -> TarPlacement) throws -> TarExtractor? {
        var extractor: TarExtractor?
        var inManifest = false
        var serverDone: Int64 = 0
        var lastReported = ContinuousClock.now
        while true {
            switch try primary.readCopy(timeout: nil) {
            case .data(let payload):
                guard let kind = payload.first else { continue }
                switch kind {
                case UInt8(ascii: "n"):
                    let fields = payload.dropFirst().split(separator: 0, omittingEmptySubsequences: false)
                    guard fields.count >= 2, fields[1].isEmpty else {
                        throw ReplicationClientError("tablespaces other than the default are not supported")
                    }
                    try extractor?.finish()
                    extractor = TarExtractor(directory: options.targetDirectory, placement: placement)
                case UInt8(ascii: "d") where inManifest:
                    continue
                case UInt8(ascii: "d"):
                    guard let extractor else { throw ReplicationClientError("data before the archive started") }
                    try extractor.consume(Array(payload.dropFirst()))
                    if options.showProgress && ContinuousClock.now - lastReported >= .seconds(1) {
                        lastReported = .now
                        report(progressLine(done: max(serverDone, extractor.extractedBytes), totalKilobytes: totalKilobytes))
                    }
                case UInt8(ascii: "p"):
                    // Int64: bytes of the archive the server has sent so far.
                    guard payload.count == 9 else { throw ReplicationClientError("progress report message has wrong length") }
                    serverDone = payload.dropFirst().reduce(Int64(0)) { $0 << 8 | Int64($1) }
                case UInt8(ascii: "m"):
                    inManifest = true
                default:
                    throw ReplicationClientError("unrecognized base backup message type \"\(Character(Unicode.Scalar(kind)))\"")
                }
            case .done:
                try extractor?.finish()
                if options.showProgress {
                    // As pg_basebackup: the last line shows what was received as the total.
                    let done = max(serverDone, extractor?.extractedBytes ?? 0)
                    report(progressLine(done: done, totalKilobytes: done / 1024))
                }
                return extractor
            case .timedOut:
                continue
            }
        }
    }

    /// pg_basebackup's progress line: "40482/40482 kB (100%), 1/1 tablespace".
    private func progressLine(done: Int64, totalKilobytes: Int64?) -> String {
        let doneKilobytes = done / 1024
        guard let total = totalKilobytes, total > 0 else { return "\(doneKilobytes) kB, 0/1 tablespace" }
        let percent = min(100, doneKilobytes * 100 / total)
        let tablespacesDone = percent == 100 ? 1 : 0
        return "\(doneKilobytes)/\(max(total, doneKilobytes)) kB (\(percent)%), \(tablespacesDone)/1 tablespace"
    }

    /// "16MB" → bytes; PostgreSQL's units (kB, MB, GB), power of two between 1 MB and 1 GB.
    static func parseSegmentSize(_ text: String) throws -> Int {
        let digits = text.prefix(while: \.isNumber)
        let unit = text.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
        let multiplier: Int? = switch unit {
        case "B", "": 1
        case "kB": 1024
        case "MB": 1024 * 1024
        case "GB": 1024 * 1024 * 1024
        default: nil
        }
        guard let value = Int(digits), let multiplier, WALFileName.isValidSegmentSize(value * multiplier) else {
            throw ReplicationClientError("WAL segment size must be a power of two between 1 MB and 1 GB, but the remote server reported a value of \"\(text)\"")
        }
        return value * multiplier
    }
}
