// The WAL receiver and the base backup client against a minipg primary (the real binary and its
// WAL sender): streamed segments equal the primary's own bytes; a base backup clones it.
import Foundation
import PGWire
import Testing
import WAL
@testable import Replication

@Suite(.serialized, .enabled(if: MiniPGPrimary.isAvailable))
final class WALReceiverMiniPGTests {
    let primary: MiniPGPrimary

    init() throws { primary = try MiniPGPrimary() }
    deinit { primary.stop() }

    func flushLSN() throws -> LSN {
        let text = try primary.sql("select pg_current_wal_flush_lsn()").first?.text("pg_current_wal_flush_lsn") ?? ""
        guard let lsn = LSN(parsing: text) else { throw TestFailure("bad LSN \(text)") }
        return lsn
    }

    @Test func receiverStreamsTheSameBytesTheMiniPGPrimaryWrote() throws {
        let identify = try PGClientConnection.connect(primary.configuration(replication: "true"))
        let system = try identify.identifySystem()
        identify.close()
        let walDirectory = primary.root + "/standby-wal"
        try FileManager.default.createDirectory(atPath: walDirectory, withIntermediateDirectories: true)
        let configuration = WALReceiverConfiguration(
            primaryConninfo: "host=127.0.0.1 port=\(primary.port) user=postgres application_name=node2",
            slotName: nil, walDirectory: walDirectory, systemIdentifier: system.systemIdentifier,
            startLSN: system.flushLSN, startTimeline: system.timeline)
        let progress = WALReceiverProgress()
        let receiver = WALReceiver(configuration: configuration, progress: progress)
        receiver.start()
        defer { receiver.stop() }

        try primary.sql("create table t (id int, filler text)")
        for batch in 0..<20 {
            try primary.sql("insert into t select g, repeat('y', 300) from generate_series(\(batch * 5000), \(batch * 5000 + 4999)) g")
        }
        let target = try flushLSN()
        var flushed = LSN.invalid
        while flushed < target { flushed = progress.waitForFlush(beyond: flushed, timeout: .seconds(1)) }

        let segmentSize: UInt64 = 16 * 1024 * 1024
        let start = LSN(system.flushLSN.value - system.flushLSN.value % segmentSize)
        var position = start.value
        while position < target.value {
            let name = WALFileName.segment(containing: LSN(position), timeline: system.timeline, segmentSize: Int(segmentSize))
            let count = Int(min(target.value - position, segmentSize - position % segmentSize))
            let received = try Data(contentsOf: URL(fileURLWithPath: walDirectory + "/" + name))
            let original = try Data(contentsOf: URL(fileURLWithPath: primary.dataDirectory + "/pg_wal/" + name))
            let offset = Int(position % segmentSize)
            #expect(received[offset..<(offset + count)] == original[offset..<(offset + count)], "segment \(name)")
            position += UInt64(count)
        }
        #expect(receiver.status.status == .streaming)
        let states = try primary.sql("select state, application_name from pg_stat_replication")
        #expect(states.first?.text("application_name") == "node2")
    }

    @Test func baseBackupClonesTheMiniPGPrimaryWhileItTakesWrites() throws {
        try primary.sql("create table kept (id int); insert into kept select generate_series(1, 5000)")
        let target = primary.root + "/clone"
        var options = BaseBackupClientOptions(connection: primary.configuration(), targetDirectory: target)
        options.writeRecoveryConfiguration = true
        try BaseBackupClient(options: options, report: { _ in }).run()
        #expect(FileManager.default.fileExists(atPath: target + "/standby.signal"))
        #expect(FileManager.default.fileExists(atPath: target + "/global/pg_control"))
        let auto = try String(contentsOfFile: target + "/postgresql.auto.conf", encoding: .utf8)
        #expect(auto.contains("primary_conninfo = 'user=postgres host=127.0.0.1 port=\(primary.port)'"))
    }
}
