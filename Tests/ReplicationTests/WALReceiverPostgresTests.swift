// The WAL receiver and the base backup client against a real PostgreSQL 15 primary: the segments
// the receiver writes hold exactly the primary's bytes for the streamed range, its status row and
// progress follow the primary, and a base backup of the primary is a directory PostgreSQL starts.
import Foundation
import PGWire
import Testing
import WAL
@testable import Replication

@Suite(.serialized, .enabled(if: RealPostgres.isAvailable))
final class WALReceiverPostgresTests {
    let server: RealPostgres
    let scratch: String

    init() throws {
        server = try RealPostgres()
        scratch = server.root + "/standby"
        try FileManager.default.createDirectory(atPath: scratch + "/pg_wal", withIntermediateDirectories: true)
    }
    deinit { server.stop() }

    func currentFlushLSN() throws -> LSN {
        let text = try server.sql("select pg_current_wal_flush_lsn()")
        guard let lsn = LSN(parsing: text) else { throw TestFailure("bad LSN \(text)") }
        return lsn
    }

    /// Bytes [from, to) of the WAL stream as stored in the segment files of `directory`.
    func walBytes(directory: String, from: LSN, to: LSN) throws -> [UInt8] {
        let segmentSize: UInt64 = 16 * 1024 * 1024
        var bytes: [UInt8] = []
        var position = from.value
        while position < to.value {
            let name = WALFileName.segment(containing: LSN(position), timeline: .first, segmentSize: Int(segmentSize))
            let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))
            let offset = Int(position % segmentSize)
            let count = Int(min(to.value - position, segmentSize - UInt64(offset)))
            bytes += data[offset..<(offset + count)]
            position += UInt64(count)
        }
        return bytes
    }

    @Test func receiverWritesThePrimarysBytesAcrossSegmentsAndReportsStatus() throws {
        let identify = try PGClientConnection.connect(PGClientConfiguration(
            host: "127.0.0.1", port: server.port, user: "replicator", replication: "true"))
        let system = try identify.identifySystem()
        identify.close()

        var configuration = WALReceiverConfiguration(
            primaryConninfo: "host=127.0.0.1 port=\(server.port) user=scram_user password='scram pw' application_name=node2",
            slotName: nil, walDirectory: scratch + "/pg_wal", systemIdentifier: system.systemIdentifier,
            startLSN: system.flushLSN, startTimeline: system.timeline)
        configuration.statusInterval = .milliseconds(200)
        let progress = WALReceiverProgress()
        let receiver = WALReceiver(configuration: configuration, progress: progress)
        receiver.start()
        defer { receiver.stop() }

        // Enough WAL to cross at least one segment boundary, then a switch so the primary's segment is complete.
        try server.sql("create table t (id int, filler text); "
                       + "insert into t select g, repeat('x', 200) from generate_series(1, 100000) g")
        let target = try currentFlushLSN()
        var flushed = LSN.invalid
        while flushed < target { flushed = progress.waitForFlush(beyond: flushed, timeout: .seconds(1)) }

        let start = LSN(system.flushLSN.value - system.flushLSN.value % (16 * 1024 * 1024))
        let primaryWAL = server.dataDirectory + "/pg_wal"
        #expect(target.value - start.value > 16 * 1024 * 1024)
        #expect(try walBytes(directory: scratch + "/pg_wal", from: start, to: target)
                == walBytes(directory: primaryWAL, from: start, to: target))

        let row = receiver.status
        #expect(row.status == .streaming)
        #expect(row.receiveStartLSN == start)
        #expect(row.receiveStartTimeline == .first)
        #expect(row.flushedLSN.map { $0 >= target } == true)
        #expect(row.senderHost == "127.0.0.1")
        #expect(row.senderPort == server.port)
        #expect(row.conninfo?.contains("password=********") == true)
        #expect(row.conninfo?.contains("scram pw") == false)

        // The primary sees the standby by its application_name, with the flush position it reported.
        var reported = ""
        while reported != "streaming" {
            reported = try server.sql("select state from pg_stat_replication where application_name = 'node2'")
        }
    }

    @Test func receiverReconnectsAfterThePrimaryRestartsAndResumes() throws {
        let identify = try PGClientConnection.connect(PGClientConfiguration(
            host: "127.0.0.1", port: server.port, user: "replicator", replication: "true"))
        let system = try identify.identifySystem()
        identify.close()
        var configuration = WALReceiverConfiguration(
            primaryConninfo: "host=127.0.0.1 port=\(server.port) user=replicator",
            slotName: nil, walDirectory: scratch + "/pg_wal", systemIdentifier: system.systemIdentifier,
            startLSN: system.flushLSN, startTimeline: system.timeline)
        configuration.retryInterval = .milliseconds(200)
        let progress = WALReceiverProgress()
        let receiver = WALReceiver(configuration: configuration, progress: progress)
        receiver.start()
        defer { receiver.stop() }
        _ = progress.waitForFlush(beyond: .invalid, timeout: .seconds(30))

        try server.shutDown()
        var status = receiver.status.status
        while status != .waiting { status = receiver.status.status; _ = progress.waitForFlush(beyond: .invalid, timeout: .milliseconds(20)) }
        try server.start()
        try server.sql("create table after_restart (id int); insert into after_restart select generate_series(1, 1000)")
        let target = try currentFlushLSN()
        var flushed = progress.flushedLSN
        while flushed < target { flushed = progress.waitForFlush(beyond: flushed, timeout: .seconds(1)) }
        let start = LSN(target.value - target.value % (16 * 1024 * 1024))
        #expect(try walBytes(directory: scratch + "/pg_wal", from: start, to: target)
                == walBytes(directory: server.dataDirectory + "/pg_wal", from: start, to: target))
        #expect(receiver.status.status == .streaming)
    }

    @Test func receiverStreamsThroughItsSlotAndTheSlotFollows() throws {
        try server.sql("select pg_create_physical_replication_slot('node2_slot', true)")
        let identify = try PGClientConnection.connect(PGClientConfiguration(
            host: "127.0.0.1", port: server.port, user: "replicator", replication: "true"))
        let system = try identify.identifySystem()
        identify.close()
        let configuration = WALReceiverConfiguration(
            primaryConninfo: "host=127.0.0.1 port=\(server.port) user=replicator",
            slotName: "node2_slot", walDirectory: scratch + "/pg_wal", systemIdentifier: system.systemIdentifier,
            startLSN: system.flushLSN, startTimeline: system.timeline)
        let progress = WALReceiverProgress()
        let receiver = WALReceiver(configuration: configuration, progress: progress)
        receiver.start()
        defer { receiver.stop() }
        try server.sql("create table slotted (id int); insert into slotted select generate_series(1, 1000)")
        let target = try currentFlushLSN()
        var flushed = LSN.invalid
        while flushed < target { flushed = progress.waitForFlush(beyond: flushed, timeout: .seconds(1)) }
        // The slot's restart_lsn follows the flush position the receiver reports.
        var restart = ""
        while restart != "t|t" {
            restart = try server.sql("select active, restart_lsn >= '\(target)' from pg_replication_slots where slot_name = 'node2_slot'")
        }
        #expect(receiver.status.slotName == "node2_slot")
    }

    @Test func receiverRefusesAnotherSystemsPrimary() throws {
        let configuration = WALReceiverConfiguration(
            primaryConninfo: "host=127.0.0.1 port=\(server.port) user=replicator",
            slotName: nil, walDirectory: scratch + "/pg_wal", systemIdentifier: 42,
            startLSN: LSN(0x100_0000), startTimeline: .first)
        let progress = WALReceiverProgress()
        let receiver = WALReceiver(configuration: configuration, progress: progress)
        receiver.start()
        var status = receiver.status.status
        while status != .waiting { status = receiver.status.status; _ = progress.waitForFlush(beyond: .invalid, timeout: .milliseconds(50)) }
        receiver.stop()
        #expect(receiver.status.status == .stopped)
        #expect(receiver.status.receiveStartLSN == nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch + "/pg_wal").isEmpty)
    }

    @Test func baseBackupOfPostgresStartsAsAConsistentCopy() throws {
        try server.sql("create table kept (id int); insert into kept select generate_series(1, 1000)")
        let target = server.root + "/clone"
        var options = BaseBackupClientOptions(
            connection: PGClientConfiguration(host: "127.0.0.1", port: server.port, user: "replicator"),
            targetDirectory: target)
        options.writeRecoveryConfiguration = true
        options.showProgress = true
        var lines: [String] = []
        try BaseBackupClient(options: options, report: { lines.append($0) }).run()
        #expect(lines.last?.hasSuffix("(100%), 1/1 tablespace") == true)
        #expect(FileManager.default.fileExists(atPath: target + "/standby.signal"))
        #expect(FileManager.default.fileExists(atPath: target + "/backup_label"))
        let auto = try String(contentsOfFile: target + "/postgresql.auto.conf", encoding: .utf8)
        #expect(auto.contains("primary_conninfo = 'user=replicator host=127.0.0.1 port=\(server.port)'"))

        // Without standby.signal the clone is a consistent copy that PostgreSQL itself starts.
        try FileManager.default.removeItem(atPath: target + "/standby.signal")
        try RealPostgres.run("/bin/chown", ["-R", "postgres", target])
        try RealPostgres.run("/bin/chmod", ["700", target])
        let port = RealPostgres.freePort()
        try RealPostgres.run("/usr/sbin/runuser", ["-u", "postgres", "--", RealPostgres.binaries + "/pg_ctl", "-D", target,
                                                   "-w", "-l", server.root + "/clone.log", "-o",
                                                   "-p \(port) -k \(server.root)", "start"], captureOutput: false)
        defer {
            _ = try? RealPostgres.run("/usr/sbin/runuser", ["-u", "postgres", "--", RealPostgres.binaries + "/pg_ctl",
                                                            "-D", target, "-m", "immediate", "-w", "stop"])
        }
        let count = try RealPostgres.run("/usr/bin/psql", ["-X", "-A", "-t", "-h", server.root, "-p", String(port),
                                                           "-U", "postgres", "-d", "postgres", "-c", "select count(*) from kept"])
        #expect(count.trimmingCharacters(in: .whitespacesAndNewlines) == "1000")
    }

    @Test func baseBackupRefusesANonEmptyDirectory() throws {
        let target = server.root + "/full"
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: target + "/x", contents: Data())
        let options = BaseBackupClientOptions(
            connection: PGClientConfiguration(host: "127.0.0.1", port: server.port, user: "replicator"),
            targetDirectory: target)
        #expect {
            try BaseBackupClient(options: options, report: { _ in }).run()
        } throws: { error in
            "\(error)" == "directory \"\(target)\" exists but is not empty"
        }
    }
}

/// End of timeline, from a real PostgreSQL: the receiver streams from a PostgreSQL standby that is
/// then promoted; the standby's WAL sender ends timeline 1, and the receiver fetches
/// 00000002.history and continues on timeline 2 with the same bytes as the promoted server.
@Suite(.serialized, .enabled(if: RealPostgres.isAvailable))
final class WALReceiverTimelineTests {
    let primary: RealPostgres

    init() throws { primary = try RealPostgres() }
    deinit { primary.stop() }

    @Test func receiverFollowsThePromotionOfItsUpstream() throws {
        let standbyDirectory = primary.root + "/standby"
        let standbyPort = RealPostgres.freePort()
        let asPostgres = ["-u", "postgres", "--"]
        try RealPostgres.run("/usr/sbin/runuser", asPostgres + ["/usr/bin/pg_basebackup", "-h", "127.0.0.1", "-p",
                                                                String(primary.port), "-U", "replicator", "-D",
                                                                standbyDirectory, "-R", "-c", "fast"])
        try RealPostgres.run("/usr/sbin/runuser", asPostgres + [RealPostgres.binaries + "/pg_ctl", "-D", standbyDirectory,
                                                                "-w", "-l", primary.root + "/standby.log", "-o",
                                                                "-p \(standbyPort) -k \(primary.root)", "start"],
                             captureOutput: false)
        defer {
            _ = try? RealPostgres.run("/usr/sbin/runuser", asPostgres + [RealPostgres.binaries + "/pg_ctl", "-D",
                                                                         standbyDirectory, "-m", "immediate", "-w", "stop"])
        }
        let upstream = PGClientConfiguration(host: "127.0.0.1", port: standbyPort, user: "replicator", replication: "true")
        let identify = try PGClientConnection.connect(upstream)
        let system = try identify.identifySystem()
        identify.close()

        let walDirectory = primary.root + "/cascade-wal"
        try FileManager.default.createDirectory(atPath: walDirectory, withIntermediateDirectories: true)
        let configuration = WALReceiverConfiguration(
            primaryConninfo: "host=127.0.0.1 port=\(standbyPort) user=replicator",
            slotName: nil, walDirectory: walDirectory, systemIdentifier: system.systemIdentifier,
            startLSN: system.flushLSN, startTimeline: system.timeline)
        let progress = WALReceiverProgress()
        let receiver = WALReceiver(configuration: configuration, progress: progress)
        receiver.start()
        defer { receiver.stop() }
        _ = progress.waitForFlush(beyond: .invalid, timeout: .seconds(30))

        try RealPostgres.run("/usr/sbin/runuser", asPostgres + [RealPostgres.binaries + "/pg_ctl", "-D", standbyDirectory,
                                                                "-w", "promote"])
        let promoted = { (sql: String) throws -> String in
            try RealPostgres.run("/usr/bin/psql", ["-X", "-A", "-t", "-h", self.primary.root, "-p", String(standbyPort),
                                                   "-U", "postgres", "-d", "postgres", "-c", sql])
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        try promoted("create table after_promotion (id int); insert into after_promotion select generate_series(1, 1000)")
        guard let target = LSN(parsing: try promoted("select pg_current_wal_flush_lsn()")) else {
            throw TestFailure("no flush LSN")
        }
        while progress.flushedTimeline != TimelineID(2) || progress.flushedLSN < target {
            _ = progress.waitForFlush(beyond: progress.flushedLSN, timeout: .seconds(1))
        }
        let history = try Data(contentsOf: URL(fileURLWithPath: walDirectory + "/00000002.history"))
        #expect(history == (try Data(contentsOf: URL(fileURLWithPath: standbyDirectory + "/pg_wal/00000002.history"))))
        let segment = WALFileName.segment(containing: target, timeline: TimelineID(2), segmentSize: 16 * 1024 * 1024)
        let offset = Int(target.value % (16 * 1024 * 1024))
        let received = try Data(contentsOf: URL(fileURLWithPath: walDirectory + "/" + segment))
        let original = try Data(contentsOf: URL(fileURLWithPath: standbyDirectory + "/pg_wal/" + segment))
        #expect(received[0..<offset] == original[0..<offset])
        #expect(receiver.status.receivedTimeline == TimelineID(2))
    }
}
