// Standby mode in Storage: a copy of a stopped primary's data directory opened as a standby, fed
// by copying the primary's WAL segments into its pg_wal (what a WAL receiver does, without the
// network). Checks hot-standby snapshots (never half a transaction, commits replayed during a
// query stay invisible to it), restartpoints, and promotion to the next timeline.
import Foundation
import Testing
import WAL
@testable import Storage

@Suite("Standby")
struct StandbyTests {
    let rel = RelationID(16700)

    /// A primary with a committed table of `rows` rows, stopped cleanly, and a standby opened on a copy.
    private final class Pair {
        let primaryData: TestDataDirectory
        let standbyData: TestDataDirectory
        var primary: StorageEngine
        let standby: StorageEngine
        let configuration: StorageConfiguration

        init(rel: RelationID, rows: Int, configuration: StorageConfiguration = TestDataDirectory.configuration()) throws {
            self.configuration = configuration
            primaryData = try TestDataDirectory()
            standbyData = try TestDataDirectory()
            let engine = try primaryData.create(configuration)
            let create = try engine.transactions.assignTransactionID()
            try engine.createRelation(rel, kind: .heap, xid: create)
            for n in 0..<rows { _ = try engine.heap(rel).insert(row(n), xid: create, command: CommandID(0)) }
            try engine.transactions.commit(create)
            try engine.shutdown()
            try FileManager.default.copyItem(atPath: primaryData.path, toPath: standbyData.path)
            primary = try primaryData.open(configuration)
            standby = try StorageEngine(dataDirectory: standbyData.path, configuration: configuration, logger: testLogger,
                                        standby: true)
        }

        /// Ships the primary's WAL (everything inserted so far) and lets the standby apply it.
        func ship() throws {
            try primary.wal.flush(upTo: primary.wal.insertLSN)
            for segment in primaryData.walSegments {
                let target = standbyData.path + "/pg_wal/" + (segment as NSString).lastPathComponent
                try? FileManager.default.removeItem(atPath: target)
                try FileManager.default.copyItem(atPath: segment, toPath: target)
            }
            try replay()
        }

        func replay() throws {
            let replay = try #require(standby.standbyReplay.withLock { $0 })
            _ = try replay.step(flushLimit: .invalid)
        }

        func standbyRows(_ rel: RelationID, snapshot: Snapshot? = nil) throws -> Set<[UInt8]> {
            var rows = Set<[UInt8]>()
            try standby.heap(rel).scan(snapshot: snapshot ?? standby.transactions.snapshot(for: .invalid, command: CommandID(0))) { _, data in
                rows.insert(Array(data))
                return true
            }
            return rows
        }

        func remove() {
            try? standby.shutdown()
            try? primary.shutdown()
            primaryData.remove()
            standbyData.remove()
        }
    }

    @Test func aStandbyStartsInRecoveryAndRefusesWAL() throws {
        let pair = try Pair(rel: rel, rows: 10)
        defer { pair.remove() }
        #expect(pair.standby.isInRecovery)
        #expect(pair.standby.control.state == .inArchiveRecovery)
        #expect(try pair.standbyRows(rel).count == 10)
        #expect(throws: (any Error).self) { try pair.standby.transactions.assignTransactionID() }
    }

    @Test func aTransactionIsInvisibleUntilItsCommitIsReplayed() throws {
        let pair = try Pair(rel: rel, rows: 10)
        defer { pair.remove() }
        let xid = try pair.primary.transactions.assignTransactionID()
        for n in 100..<150 { _ = try pair.primary.heap(rel).insert(row(n), xid: xid, command: CommandID(0)) }
        try pair.ship()
        // Its rows are on the standby's pages, its commit is not: not one of them is visible.
        #expect(try pair.standbyRows(rel).count == 10)

        try pair.primary.transactions.commit(xid)
        let before = pair.standby.transactions.snapshot(for: .invalid, command: CommandID(0))
        try pair.ship()
        // A query that took its snapshot before the commit was replayed keeps not seeing it ...
        #expect(try pair.standbyRows(rel, snapshot: before).count == 10)
        // ... and the next snapshot sees all of it.
        #expect(try pair.standbyRows(rel).count == 60)
    }

    /// xid A is assigned before xid B but writes its first record after B committed: a snapshot
    /// taken between B's commit and A's first record must not see A's commit when it is replayed.
    @Test func aLateStartingTransactionStaysInvisibleToAnEarlierSnapshot() throws {
        let pair = try Pair(rel: rel, rows: 0)
        defer { pair.remove() }
        let early = try pair.primary.transactions.assignTransactionID()
        let late = try pair.primary.transactions.assignTransactionID()
        #expect(early < late)
        _ = try pair.primary.heap(rel).insert(row(1), xid: late, command: CommandID(0))
        try pair.primary.transactions.commit(late)
        try pair.ship()
        let snapshot = pair.standby.transactions.snapshot(for: .invalid, command: CommandID(0))
        #expect(try pair.standbyRows(rel, snapshot: snapshot) == [row(1)])

        _ = try pair.primary.heap(rel).insert(row(2), xid: early, command: CommandID(0))
        try pair.primary.transactions.commit(early)
        try pair.ship()
        #expect(try pair.standbyRows(rel, snapshot: snapshot) == [row(1)])
        #expect(try pair.standbyRows(rel) == [row(1), row(2)])
    }

    /// pg_last_xact_replay_timestamp: the primary's commit time carried in the commit record, not
    /// the moment the standby applied it (which comes after `after`).
    @Test func theReplayTimestampIsThePrimarysCommitTime() throws {
        let pair = try Pair(rel: rel, rows: 0)
        defer { pair.remove() }
        let xid = try pair.primary.transactions.assignTransactionID()
        _ = try pair.primary.heap(rel).insert(row(1), xid: xid, command: CommandID(0))
        let before = PostgresTimestamp.now()
        try pair.primary.transactions.commit(xid)
        let after = PostgresTimestamp.now()
        try pair.ship()
        let replayed = try #require(pair.standby.standbyStatus?.lastTransactionReplayTime)
        #expect(before <= replayed && replayed <= after)
    }

    /// Deletes every row of `rel` on the primary in one committed transaction.
    private func deleteAllRows(on primary: StorageEngine) throws {
        let xid = try primary.transactions.assignTransactionID()
        let snapshot = primary.transactions.snapshot(for: xid, command: CommandID(0))
        var tids: [TupleID] = []
        try primary.heap(rel).scan(snapshot: snapshot) { tid, _ in tids.append(tid); return true }
        for tid in tids {
            guard case .ok = try primary.heap(rel).delete(tid, xid: xid, command: CommandID(0), snapshot: snapshot) else {
                Issue.record("delete of \(tid) failed"); return
            }
        }
        try primary.transactions.commit(xid)
    }

    /// A standby snapshot taken before the delete still sees the rows; replaying the VACUUM that
    /// prunes them waits max_standby_streaming_delay, then cancels the snapshot's user.
    @Test func replayCancelsASnapshotThatNeedsPrunedVersions() throws {
        var configuration = TestDataDirectory.configuration()
        configuration.maxStandbyStreamingDelay = .milliseconds(20)
        let pair = try Pair(rel: rel, rows: 10, configuration: configuration)
        defer { pair.remove() }
        let (snapshot, registration) = pair.standby.snapshots.registeredSnapshot(for: .invalid, command: CommandID(0))
        defer { registration.release() }
        let cancelled = PThreadMutex(0)
        registration.onRecoveryConflict { cancelled.withLock { $0 += 1 } }

        try deleteAllRows(on: pair.primary)
        try pair.ship()
        #expect(try pair.standbyRows(rel, snapshot: snapshot).count == 10)
        #expect(cancelled.withLock { $0 } == 0)

        #expect(try pair.primary.vacuum(heap: rel, indexes: []).tuplesRemoved == 10)
        try pair.ship()
        #expect(cancelled.withLock { $0 } == 1)
        #expect(try pair.standbyRows(rel).isEmpty)
    }

    /// A snapshot taken after the delete was replayed does not need the pruned versions.
    @Test func replayLeavesASnapshotNewerThanTheRemovedVersionsAlone() throws {
        var configuration = TestDataDirectory.configuration()
        configuration.maxStandbyStreamingDelay = nil       // a wrong conflict would hang the test
        let pair = try Pair(rel: rel, rows: 10, configuration: configuration)
        defer { pair.remove() }
        try deleteAllRows(on: pair.primary)
        try pair.ship()
        let (snapshot, registration) = pair.standby.snapshots.registeredSnapshot(for: .invalid, command: CommandID(0))
        defer { registration.release() }
        let cancelled = PThreadMutex(0)
        registration.onRecoveryConflict { cancelled.withLock { $0 += 1 } }

        #expect(try pair.primary.vacuum(heap: rel, indexes: []).tuplesRemoved == 10)
        try pair.ship()
        #expect(cancelled.withLock { $0 } == 0)
        #expect(try pair.standbyRows(rel, snapshot: snapshot).isEmpty)
    }

    @Test func restartpointsLetARestartedStandbyResumeFromTheLastReplayedCheckpoint() throws {
        let pair = try Pair(rel: rel, rows: 5)
        defer { pair.primaryData.remove(); pair.standbyData.remove() }
        let xid = try pair.primary.transactions.assignTransactionID()
        _ = try pair.primary.heap(rel).insert(row(99), xid: xid, command: CommandID(0))
        try pair.primary.transactions.commit(xid)
        try pair.primary.checkpoint(reason: .manual)
        let checkpoint = pair.primary.control.checkpointLSN
        try pair.ship()
        try pair.standby.checkpoint(reason: .manual)
        #expect(pair.standby.control.checkpointLSN == checkpoint)
        #expect(pair.standby.control.state == .inArchiveRecovery)
        try pair.standby.shutdown()
        #expect(try StorageEngine.readControlFile(dataDirectory: pair.standbyData.path).state == .shutDownInRecovery)
        try pair.primary.shutdown()

        let restarted = try StorageEngine(dataDirectory: pair.standbyData.path, configuration: pair.configuration,
                                          logger: testLogger, standby: true)
        #expect(restarted.isInRecovery)
        #expect(Set(try restarted.visibleRows(rel)) == Set((0..<5).map { row($0) } + [row(99)]))
        try restarted.shutdown()
    }

    @Test func promotionStartsTimelineTwoAndAcceptsWritesThatSurviveACrash() throws {
        let pair = try Pair(rel: rel, rows: 3)
        defer { pair.primaryData.remove(); pair.standbyData.remove() }
        let running = try pair.primary.transactions.assignTransactionID()
        _ = try pair.primary.heap(rel).insert(row(50), xid: running, command: CommandID(0))
        try pair.ship()
        try pair.primary.shutdown()

        let switchPoint = try #require(pair.standby.standbyStatus).replayLSN
        let timeline = try pair.standby.promote()
        #expect(timeline == TimelineID(2))
        #expect(!pair.standby.isInRecovery)
        #expect(pair.standby.control.timeline == TimelineID(2))
        #expect(pair.standby.control.state == .inProduction)
        let history = try String(contentsOfFile: pair.standbyData.path + "/pg_wal/00000002.history", encoding: .utf8)
        #expect(history == "1\t\(switchPoint)\tno recovery target specified\n")
        // What never committed on the old primary is aborted; new transactions write on timeline 2.
        #expect(pair.standby.transactions.status(of: running) == .aborted)
        let xid = try pair.standby.transactions.assignTransactionID()
        #expect(xid > running)
        _ = try pair.standby.heap(rel).insert(row(77), xid: xid, command: CommandID(0))
        try pair.standby.transactions.commit(xid)
        pair.standby.simulateCrash()

        let reopened = try pair.standbyData.open(pair.configuration)
        #expect(reopened.control.timeline == TimelineID(2))
        #expect(Set(try reopened.visibleRows(rel)) == Set([row(0), row(1), row(2), row(77)]))
        try reopened.shutdown()
    }

    @Test func backupLabelParsesPostgreSQLsFormat() throws {
        let text = """
            START WAL LOCATION: 0/2000028 (file 000000010000000000000002)
            CHECKPOINT LOCATION: 0/2000060
            BACKUP METHOD: streamed
            BACKUP FROM: primary
            START TIME: 2026-11-29 23:50:00 UTC
            LABEL: minipg basebackup
            START TIMELINE: 3

            """
        #expect(try BackupLabel(parsing: text) == BackupLabel(redoLSN: LSN(0x200_0028), checkpointLSN: LSN(0x200_0060),
                                                               timeline: TimelineID(3)))
        #expect(throws: StorageError.self) { try BackupLabel(parsing: "CHECKPOINT LOCATION: 0/2000060\n") }
    }

    /// pg_control copied after the backup began names a later checkpoint: the label's wins, once.
    @Test func aBackupLabelDecidesWhereRedoStarts() throws {
        let pair = try Pair(rel: rel, rows: 2)
        defer { pair.remove() }
        let start = pair.standby.control
        let xid = try pair.primary.transactions.assignTransactionID()
        _ = try pair.primary.heap(rel).insert(row(5), xid: xid, command: CommandID(0))
        try pair.primary.transactions.commit(xid)
        try pair.primary.checkpoint(reason: .manual)
        try pair.primary.shutdown()
        let backup = try TestDataDirectory()
        defer { backup.remove() }
        try FileManager.default.copyItem(atPath: pair.primaryData.path, toPath: backup.path)
        // The relation files as they were at the start checkpoint, pg_control from after it.
        let relation = "/base/1/\(rel.value)"
        try FileManager.default.removeItem(atPath: backup.path + relation)
        try FileManager.default.copyItem(atPath: pair.standbyData.path + relation, toPath: backup.path + relation)
        let label = "START WAL LOCATION: \(start.redoLSN) (file x)\nCHECKPOINT LOCATION: \(start.checkpointLSN)\nSTART TIMELINE: 1\n"
        try label.write(toFile: backup.path + "/backup_label", atomically: true, encoding: .utf8)
        let restored = try backup.open(pair.configuration)
        #expect(Set(try restored.visibleRows(rel)) == Set([row(0), row(1), row(5)]))
        #expect(FileManager.default.fileExists(atPath: backup.path + "/backup_label.old"))
        #expect(!FileManager.default.fileExists(atPath: backup.path + "/backup_label"))
        try restored.shutdown()
    }
}
