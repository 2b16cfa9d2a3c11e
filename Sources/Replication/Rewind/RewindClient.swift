// RewindClient: `minipg rewind` — makes a stopped former primary that wrote past the fork point follow
// the new primary again, copying only what it changed since the fork (pg_rewind --source-server,
// "How it works", adapted):
//
//   1. source (replication connection): IDENTIFY_SYSTEM, wal_segment_size, TIMELINE_HISTORY
//   2. target: pg_control must say "shut down" or "shut down in recovery" (a crashed target is
//      refused: started once as a standby with nothing to stream from, it replays its own WAL
//      without taking a write, and stops cleanly); RewindDecision on its timeline and end of WAL
//      against the source history
//   3. TargetWAL: the last common checkpoint (backward from the fork) and every page and file the
//      target changed after the fork. Without the target's WAL from the fork on, rewind is
//      impossible; without its WAL before the fork (its checkpoints removed it), replay starts at
//      the fork itself — correct because the target was shut down cleanly, so every page it did
//      not change after the fork is on disk exactly as it was at the fork
//   4. the source's WAL from the fork point (across its timeline switches) streamed into pg_wal/
//      up to where the source was in step 1 — if the source no longer has it, rewind stops here,
//      nothing changed; the stream (its temporary slot holding the rest) goes on to step 5's end
//   5. rewind_in_progress written (RewindMarker) — from here on the directory is not startable;
//      BASE_BACKUP from the source, its tar placed by ChangedBlocks: changed pages and new or
//      rewritten relation files from the source, all non-relation files whole, unchanged pages kept
//   6. relation and pg_xact files the source does not have are removed; the source's history file
//   7. pg_control (the source's), then backup_label naming the last common checkpoint on the
//      target's timeline, standby.signal (and with -R primary_conninfo)
//   8. every directory fsynced, rewind_in_progress removed
//
// On start the directory replays from the last common checkpoint: the target's own WAL up to the
// fork (which both servers share), then the source's timelines up to the backup's end, which
// makes every page consistent again — pages kept from the target are behind and catch up, pages
// from the source are already there (page LSNs make redo skip them).
//
// Why BASE_BACKUP carries the blocks: it is the file transfer the server already has (a fuzzy copy,
// like any base backup: replay up to its end repairs pages copied mid-write); the whole archive
// crosses the network, but only what changed is written into the target (PostgreSQL reads single
// blocks with pg_read_binary_file instead). Why standby.signal always: minipg's crash recovery replays one
// timeline, and the rewound directory must follow the source's timeline switch; a standby
// without primary_conninfo replays pg_wal and waits, and can be promoted.
// Why the target's configuration files stay: they describe this node (its port, its hba rules),
// where pg_rewind copies the source's and leaves fixing them to the user.
//
// Interrupted runs: the marker holds the plan; the next run uses it, copies every relation file
// whole (a file the first run was writing may be half there), and finishes the same steps.
// Exit codes (the HA agent runs this as a subprocess): 0 rewound or not needed, 1 failed.

import Foundation
import Logging
import PGWire
import Storage
import WAL

public struct RewindOptions: Sendable {
    public var source: PGClientConfiguration
    public var targetDirectory: String
    /// -R: standby.signal and primary_conninfo naming the source.
    public var writeRecoveryConfiguration = false
    /// -n: decide and report, change nothing.
    public var dryRun = false
    /// -P: progress of the copy.
    public var showProgress = false

    public init(source: PGClientConfiguration, targetDirectory: String) {
        self.source = source
        self.targetDirectory = targetDirectory
    }
}

public enum RewindOutcome: Sendable, Equatable {
    case notNeeded(reason: String)
    case rewound(RewindPlan)
    case wouldRewind(RewindPlan)
}

public final class RewindClient {
    private let options: RewindOptions
    private let logger: Logger
    private let report: (String) -> Void

    public init(options: RewindOptions, logger: Logger = ReplicationLog.logger("rewind"),
                report: @escaping (String) -> Void) {
        self.options = options
        self.logger = logger
        self.report = report
    }

    private var target: String { options.targetDirectory }

    public func run() throws -> RewindOutcome {
        let source = try SourceServer.inspect(options.source)
        let resumed = try RewindMarker.read(target)
        let plan: RewindPlan
        var changes = ChangedBlocks()
        if let resumed {
            guard resumed.systemIdentifier == source.systemIdentifier else {
                throw ReplicationClientError("source and target clusters are from different systems")
            }
            report("finishing an interrupted rewind (\(RewindMarker.fileName) found): every relation file is copied whole")
            plan = resumed
        } else {
            let control = try StorageEngine.readControlFile(dataDirectory: target)
            let wal = TargetWAL(walDirectory: target + "/pg_wal", timeline: control.timeline, segmentSize: source.segmentSize)
            switch try decide(source, control: control, wal: wal) {
            case .notNeeded(let reason):
                report(reason)
                report("no rewind required")
                if options.writeRecoveryConfiguration && !options.dryRun { try writeRecoveryConfiguration() }
                return .notNeeded(reason: reason)
            case .impossible(let reason):
                throw ReplicationClientError(reason)
            case .needed(let fork):
                (plan, changes) = try analyse(fork: fork, control: control, wal: wal)
            }
        }
        guard !options.dryRun else {
            report("dry run: nothing was changed")
            return .wouldRewind(plan)
        }
        try copy(from: source, plan: plan, changes: changes, copyAllRelations: resumed != nil)
        try RewindMarker.remove(dataDirectory: target)
        report("Done!")
        return .rewound(plan)
    }

    /// Step 2: is the target shut down, and did it write past the fork?
    private func decide(_ source: SourceServer, control: ControlFileData, wal: TargetWAL) throws -> RewindDecision {
        guard control.systemIdentifier == source.systemIdentifier else {
            return .impossible(reason: "source and target clusters are from different systems")
        }
        guard control.state == .shutDown || control.state == .shutDownInRecovery else {
            return .impossible(reason: "target server must be shut down cleanly (its control file says \"\(control.state)\"); start it once as a standby (standby.signal, no primary_conninfo: it replays its own WAL without accepting writes) and stop it")
        }
        return RewindDecision.decide(targetTimeline: control.timeline, targetEndOfWAL: try wal.endOfWAL(from: control.checkpointLSN),
                                     sourceTimeline: source.timeline, sourceHistory: source.history)
    }

    /// Step 3: the last common checkpoint and what the target changed after the fork.
    private func analyse(fork: LSN, control: ControlFileData, wal: TargetWAL) throws -> (RewindPlan, ChangedBlocks) {
        report("servers diverged at WAL location \(fork) on timeline \(control.timeline.value)")
        let checkpoint: LSN, redo: LSN
        if let common = try wal.lastCheckpoint(before: fork) {
            (checkpoint, redo) = common
            report("rewinding from last common checkpoint at \(checkpoint) on timeline \(control.timeline.value)")
        } else {
            // Shut down cleanly, the target has every page it did not change after the fork on
            // disk exactly as it was at the fork: replay of the source's WAL can start there.
            (checkpoint, redo) = (fork, fork)
            report("the target's WAL before the fork was removed by its checkpoints; rewinding from the fork point \(fork)")
        }
        let changes = try wal.changes(after: fork)
        report("the target changed \(changes.changedPageCount) pages in place and \(changes.wholeRelations.count) relation files as a whole after the fork")
        let plan = RewindPlan(systemIdentifier: control.systemIdentifier, targetTimeline: control.timeline, fork: fork,
                              lastCommonCheckpoint: checkpoint, redo: redo)
        return (plan, changes)
    }

    /// Steps 5 to 8.
    private func copy(from source: SourceServer, plan: RewindPlan, changes: ChangedBlocks, copyAllRelations: Bool) throws {
        guard let walTimeline = source.history.successor(of: plan.targetTimeline) else {
            throw ReplicationClientError("timeline \(plan.targetTimeline.value) is not in the source's history any more")
        }
        var backup = BaseBackupClientOptions(connection: options.source, targetDirectory: target)
        backup.label = "minipg rewind"
        backup.showProgress = options.showProgress
        let target = self.target
        let placement = { (name: String) -> TarPlacement in
            changes.placement(for: name, copyAllRelations: copyAllRelations) { name in
                (try? FileManager.default.attributesOfItem(atPath: target + "/" + name)[.size] as? Int)
                    .flatMap { $0 }.map { $0 / pageSize }
            }
        }
        // The source's WAL from the fork up to where it was when inspected is streamed first: it is
        // what the source may already be recycling. Only then is the marker written.
        var markerWritten = false
        let earlyWAL = BaseBackupClient.EarlyWAL(start: plan.fork, timeline: walTimeline, segmentSize: source.segmentSize,
                                                 streamedBeforeCopy: source.flushLSN) {
            try RewindMarker.write(plan, dataDirectory: target)
            markerWritten = true
        }
        let copied: BaseBackupClient.Copy
        do {
            copied = try BaseBackupClient(options: backup, logger: logger, report: report)
                .copy(placement: placement, earlyWAL: earlyWAL)
        } catch where !markerWritten {
            throw ReplicationClientError("could not get the source's WAL from the fork point \(plan.fork) on: \(error)",
                                         detail: "Nothing was changed. A source that no longer has that WAL cannot rewind this server: re-clone it with minipg basebackup.")
        }
        guard let archive = copied.extractor, let control = archive.captured[ChangedBlocks.controlFile],
              control.count == pageSize else {
            throw ReplicationClientError("the source's base backup did not contain a control file")
        }
        report("wrote \(archive.writtenBytes / 1024) kB of the source's \(archive.extractedBytes / 1024) kB into the target; WAL streamed from \(plan.fork) to \(copied.end) on timeline \(copied.timeline.value)")
        try removeFilesNotIn(archive.fileNames, under: [ChangedBlocks.relationDirectory, "pg_xact/"])
        if let history = source.historyFile {
            try DurableFile.write(history.content, to: target + "/pg_wal/" + history.fileName)
        }
        try DurableFile.write(control, to: target + "/" + ChangedBlocks.controlFile)
        try DurableFile.write(Array(backupLabel(plan, segmentSize: source.segmentSize).utf8), to: target + "/backup_label")
        if options.writeRecoveryConfiguration {
            try writeRecoveryConfiguration()
        } else {
            try DurableFile.write([], to: target + "/" + RecoveryConfiguration.signalFile)
        }
        try BackupDirectory.synchronize(target)
    }

    /// Target files under `directories` that the source's archive did not have (created after the
    /// fork, or dropped on the source).
    private func removeFilesNotIn(_ sourceFiles: Set<String>, under directories: [String]) throws {
        for directory in directories {
            for name in try FileManager.default.contentsOfDirectory(atPath: target + "/" + directory)
            where !sourceFiles.contains(directory + name) {
                logger.info("removing \(directory + name): the source has no such file")
                try FileManager.default.removeItem(atPath: target + "/" + directory + name)
            }
        }
    }

    private func writeRecoveryConfiguration() throws {
        try RecoveryConfiguration.write(directory: target, connection: options.source, slotName: nil)
    }

    /// PostgreSQL's pg_rewind label: replay starts at the last common checkpoint.
    private func backupLabel(_ plan: RewindPlan, segmentSize: Int) -> String {
        let segment = WALFileName.segment(containing: plan.redo, timeline: plan.targetTimeline, segmentSize: segmentSize)
        return """
            START WAL LOCATION: \(plan.redo) (file \(segment))
            CHECKPOINT LOCATION: \(plan.lastCommonCheckpoint)
            BACKUP METHOD: pg_rewind
            BACKUP FROM: standby
            START TIME: \(BackupManifest.utcTime(Int(time(nil)), zoneName: "UTC"))
            START TIMELINE: \(plan.targetTimeline.value)

            """
    }
}
