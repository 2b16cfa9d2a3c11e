// StandbyTests: hot standbys through the real minipg binary and the real psql — a standby made
// from a copy of a stopped primary's data directory plus standby.signal, fed either by copying
// the primary's WAL segments into its pg_wal or by streaming (primary_conninfo); read-only errors
// with SQLSTATE 25006; promotion with `minipg promote` and with pg_promote() to timeline 2;
// recovery conflicts (40001 after max_standby_streaming_delay) and pg_last_xact_replay_timestamp.
//
// Waits are "until a condition holds" with a generous deadline for failure, never a timing
// threshold.

import Foundation
import XCTest

final class StandbyTests: XCTestCase {
    /// The lab check, with WAL shipped by copying segment files.
    func testStandbyFromACopyReplaysCopiedSegmentsAndRefusesWrites() throws {
        let (primary, standby) = try makePair(streaming: false)
        defer { primary.cleanUp(); standby.cleanUp() }
        XCTAssertEqual(try primary.psql("insert into mimuw values (2); create table later (a int); insert into later values (7);\n").status, 0)
        try shipSegments(from: primary, to: standby)
        try waitFor("the standby replayed the copied WAL") {
            try standby.psql("select count(*) from mimuw;\n", extraArguments: ["-At"]).output.hasPrefix("2")
        }
        let check = try standby.psql("select pg_is_in_recovery(), count(*) from mimuw;\n", extraArguments: ["-At"])
        XCTAssertEqual(check.output.trimmingCharacters(in: .whitespacesAndNewlines), "t|2", check.output)
        let tables = try standby.psql("\\dt\n").output
        XCTAssertTrue(tables.contains("mimuw") && tables.contains("later"), tables)
        XCTAssertTrue(try standby.psql("select * from later;\n", extraArguments: ["-At"]).output.hasPrefix("7"))

        let verbose = ["-v", "VERBOSITY=verbose"]
        for (statement, message) in [
            ("insert into mimuw values (3);", "25006: cannot execute INSERT in a read-only transaction"),
            ("update mimuw set id = 4;", "25006: cannot execute UPDATE in a read-only transaction"),
            ("create table x (a int);", "25006: cannot execute CREATE TABLE in a read-only transaction"),
            ("select nextval('counters_id_seq');", "25006: cannot execute nextval() in a read-only transaction"),
        ] {
            let result = try standby.psql(statement + "\n", extraArguments: verbose)
            XCTAssertTrue(result.output.contains("ERROR:  " + message), "\(statement): \(result.output)")
        }
        XCTAssertTrue(try standby.psql("show transaction_read_only;\n", extraArguments: ["-At"]).output.hasPrefix("on"))
        for statement in ["set transaction_read_only = off;", "begin; set transaction read write;"] {
            let result = try standby.psql(statement + "\n", extraArguments: verbose)
            XCTAssertTrue(result.output.contains("ERROR:  0A000: cannot set transaction read-write mode during recovery"),
                          "\(statement): \(result.output)")
        }
        let readOnlyOnPrimary = try primary.psql("begin; set transaction_read_only = on; insert into mimuw values (9);\n",
                                                 extraArguments: verbose).output
        XCTAssertTrue(readOnlyOnPrimary.contains("ERROR:  25006: cannot execute INSERT in a read-only transaction"), readOnlyOnPrimary)
        let primaryOnly = try standby.psql("select pg_current_wal_lsn();\n", extraArguments: verbose).output
        XCTAssertTrue(primaryOnly.contains("55000: recovery is in progress"), primaryOnly)
        XCTAssertTrue(try primary.psql("select pg_is_in_recovery();\n", extraArguments: ["-At"]).output.hasPrefix("f"))
    }

    /// Streaming from the primary, then `minipg promote`: timeline 2 with its history file, and writes.
    func testStreamingStandbyIsPromotedToTimelineTwo() throws {
        let (primary, standby) = try makePair(streaming: true)
        defer { primary.cleanUp(); standby.cleanUp() }
        XCTAssertEqual(try primary.psql("insert into mimuw select generate_series(2, 1000);\n").status, 0)
        try waitFor("the standby streamed and replayed the insert") {
            try standby.psql("select count(*) from mimuw;\n", extraArguments: ["-At"]).output.hasPrefix("1000")
        }
        let receiver = try standby.psql("select status, received_tli, flushed_lsn = pg_last_wal_receive_lsn() from pg_stat_wal_receiver;\n",
                                        extraArguments: ["-At"])
        XCTAssertEqual(receiver.output.trimmingCharacters(in: .whitespacesAndNewlines), "streaming|1|t", receiver.output)
        primary.stop()

        let promote = try runCommand(TestEnvironment.minipgBinary, ["promote", "-D", standby.dataDirectory])
        XCTAssertEqual(promote.status, 0, promote.output + standby.log())
        XCTAssertTrue(promote.output.contains("server promoted"), promote.output)
        let history = try String(contentsOfFile: standby.dataDirectory + "/pg_wal/00000002.history", encoding: .utf8)
        XCTAssertTrue(history.hasPrefix("1\t0/") && history.hasSuffix("\tno recovery target specified\n"), history)
        XCTAssertFalse(FileManager.default.fileExists(atPath: standby.dataDirectory + "/standby.signal"))
        let after = try standby.psql("insert into mimuw values (1001); select pg_is_in_recovery(), count(*), pg_walfile_name(pg_current_wal_lsn()) from mimuw;\n",
                                     extraArguments: ["-At"])
        XCTAssertTrue(after.output.contains("f|1001|00000002"), after.output)
        // A restart (after kill -9) recovers on timeline 2.
        standby.stop(signal: SIGKILL)
        try standby.start()
        let restarted = try standby.psql("select count(*), pg_walfile_name(pg_current_wal_lsn()) from mimuw;\n", extraArguments: ["-At"])
        XCTAssertTrue(restarted.output.hasPrefix("1001|00000002"), restarted.output)
    }

    /// A fast shutdown (what a switchover does to the old primary) keeps the WAL senders until the
    /// shutdown checkpoint is written and flushed by the standby, as PostgreSQL does: the standby then
    /// holds every commit the primary acknowledged. Ending the senders with the client sessions lost the
    /// last commits of a switchover.
    func testAFastShutdownWaitsUntilTheStandbyHasTheShutdownCheckpoint() throws {
        let (primary, standby) = try makePair(streaming: true)
        defer { primary.cleanUp(); standby.cleanUp() }
        XCTAssertEqual(try primary.psql("insert into mimuw select generate_series(2, 5000);\n").status, 0)
        try waitFor("the standby is streaming") {
            try standby.psql("select status from pg_stat_wal_receiver;\n", extraArguments: ["-At"]).output.hasPrefix("streaming")
        }
        XCTAssertEqual(primary.stop(signal: SIGINT), 0, primary.log())

        let control = try runCommand(TestEnvironment.minipgBinary, ["controldata", "-D", primary.dataDirectory])
        let checkpoint = try XCTUnwrap(control.output.split(separator: "\n")
            .first { $0.hasPrefix("Latest checkpoint location:") }?.split(separator: " ").last, control.output)
        let received = try standby.psql("select pg_last_wal_receive_lsn() > '\(checkpoint)'::pg_lsn;\n",
                                        extraArguments: ["-At"])
        XCTAssertEqual(received.output.trimmingCharacters(in: .whitespacesAndNewlines), "t",
                       "the standby stopped short of the shutdown checkpoint \(checkpoint):\n\(primary.log())")
    }

    /// Two standbys of one primary; one is promoted, the other is pointed at it and restarted: it
    /// fetches 00000002.history, follows the switch to timeline 2 and replays the new primary's writes.
    func testASecondStandbyFollowsThePromotedOneToTimelineTwo() throws {
        let (primary, first) = try makePair(streaming: true)
        defer { primary.cleanUp(); first.cleanUp() }
        primary.stop()
        let second = try makeStandby(copying: primary, streamingFrom: primary)
        defer { second.cleanUp() }
        try primary.start()
        try second.start()
        XCTAssertEqual(try primary.psql("insert into mimuw values (2);\n").status, 0)
        for standby in [first, second] {
            try waitFor("both standbys replayed row 2") {
                try standby.psql("select count(*) from mimuw;\n", extraArguments: ["-At"]).output.hasPrefix("2")
            }
        }
        primary.stop()
        XCTAssertEqual(try runCommand(TestEnvironment.minipgBinary, ["promote", "-D", first.dataDirectory]).status, 0)
        XCTAssertEqual(try first.psql("insert into mimuw values (3);\n").status, 0)

        second.stop()
        try appendConninfo(to: second, upstream: first)
        try second.start()
        try waitFor("the second standby replayed the new primary's row on timeline 2") {
            try second.psql("select count(*) from mimuw;\n", extraArguments: ["-At"]).output.hasPrefix("3")
        }
        let receiver = try second.psql("select received_tli, pg_is_in_recovery() from pg_stat_wal_receiver;\n", extraArguments: ["-At"])
        XCTAssertEqual(receiver.output.trimmingCharacters(in: .whitespacesAndNewlines), "2|t", receiver.output + second.log())
        XCTAssertTrue(FileManager.default.fileExists(atPath: second.dataDirectory + "/pg_wal/00000002.history"))
    }

    func testPgPromoteEndsRecovery() throws {
        let (primary, standby) = try makePair(streaming: false)
        defer { primary.cleanUp(); standby.cleanUp() }
        let onPrimary = try primary.psql("select pg_promote();\n", extraArguments: ["-v", "VERBOSITY=verbose"]).output
        XCTAssertTrue(onPrimary.contains("55000: recovery is not in progress"), onPrimary)
        let promoted = try standby.psql("select pg_promote();\n", extraArguments: ["-At"])
        XCTAssertTrue(promoted.output.hasPrefix("t"), promoted.output + standby.log())
        let after = try standby.psql("insert into mimuw values (5); select pg_is_in_recovery(), count(*) from mimuw;\n",
                                     extraArguments: ["-At"])
        XCTAssertTrue(after.output.contains("f|2"), after.output)
        XCTAssertTrue(FileManager.default.fileExists(atPath: standby.dataDirectory + "/pg_wal/00000002.history"))
    }

    /// A REPEATABLE READ transaction on the standby holds a snapshot that still sees rows the
    /// primary deletes and VACUUMs; after max_standby_streaming_delay replay cancels it: its next
    /// query fails with 40001 and PostgreSQL's message, and replay goes on.
    func testReplayCancelsAStandbyQueryThatNeedsPrunedRows() throws {
        let output = try holdStandbySnapshotWhilePrimaryDeletesAndVacuums(
            standbySettings: ["max_standby_streaming_delay = 100"],
            untilDone: { _, standby in standby.log().contains("in conflict with recovery") })
        XCTAssertTrue(output.contains("100"), output)
        XCTAssertTrue(output.contains("ERROR:  40001: canceling statement due to conflict with recovery"), output)
        XCTAssertTrue(output.contains("DETAIL:  User query might have needed to see row versions that must be removed."), output)
        XCTAssertTrue(output.hasSuffix("0\n"), output)   // a new snapshot sees the delete
    }

    /// hot_standby_feedback: the standby's oldest snapshot holds back the primary's VACUUM, so the
    /// same transaction still sees its 100 rows after the DELETE and VACUUM were replayed, and
    /// nothing is cancelled.
    func testHotStandbyFeedbackKeepsTheRowsAStandbyQueryNeeds() throws {
        let output = try holdStandbySnapshotWhilePrimaryDeletesAndVacuums(
            standbySettings: ["max_standby_streaming_delay = 100", "hot_standby_feedback = on",
                              "wal_receiver_status_interval = 1"],
            beforeSnapshot: { primary, _ in
                try self.waitFor("the primary heard the standby's feedback") {
                    try primary.psql("select backend_xmin is not null from pg_stat_replication;\n",
                                     extraArguments: ["-At"]).output.hasPrefix("t")
                }
            },
            untilDone: { primary, standby in
                let end = try primary.psql("select pg_current_wal_lsn();\n", extraArguments: ["-At"]).output
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                return try standby.psql("select pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '\(end)') >= 0;\n",
                                        extraArguments: ["-At"]).output.hasPrefix("t")
            })
        XCTAssertEqual(output, "BEGIN\n100\n100\nROLLBACK\n0\n")
    }

    /// pg_last_xact_replay_timestamp() is the primary's commit time of the last replayed commit.
    func testReplayTimestampIsThePrimarysCommitTime() throws {
        let (primary, standby) = try makePair(streaming: true)
        defer { primary.cleanUp(); standby.cleanUp() }
        let times = try primary.psql("select now();\ninsert into mimuw values (2);\nselect now();\n", extraArguments: ["-At"])
        let lines = times.output.split(separator: "\n").map(String.init).filter { $0.hasPrefix("20") }
        XCTAssertEqual(lines.count, 2, times.output)
        try waitFor("the standby replayed the insert") {
            try standby.psql("select count(*) from mimuw;\n", extraArguments: ["-At"]).output.hasPrefix("2")
        }
        let check = try standby.psql("select pg_last_xact_replay_timestamp() between '\(lines[0])' and '\(lines[1])';\n",
                                     extraArguments: ["-At"])
        XCTAssertTrue(check.output.hasPrefix("t"), check.output)
    }

    // MARK: Helpers

    /// A streaming pair with `standbySettings`, 100 rows replayed; a standby REPEATABLE READ
    /// transaction counts them, the primary deletes them all and VACUUMs, and once `untilDone` says
    /// so the transaction counts again, rolls back and counts in a fresh snapshot. Returns that
    /// psql session's output (-At, verbose errors).
    private func holdStandbySnapshotWhilePrimaryDeletesAndVacuums(
        standbySettings: [String],
        beforeSnapshot: (MiniPGInstance, MiniPGInstance) throws -> Void = { _, _ in },
        untilDone: @escaping (MiniPGInstance, MiniPGInstance) throws -> Bool
    ) throws -> String {
        let (primary, standby) = try makePair(streaming: true)
        defer { primary.cleanUp(); standby.cleanUp() }
        standby.stop()
        try appendSettings(standbySettings, to: standby)
        try standby.start()
        XCTAssertEqual(try primary.psql("insert into mimuw select generate_series(2, 100);\n").status, 0)
        try waitFor("the standby replayed the insert") {
            try standby.psql("select count(*) from mimuw;\n", extraArguments: ["-At"]).output.hasPrefix("100")
        }
        try beforeSnapshot(primary, standby)
        let ready = standby.directory.appendingPathComponent("snapshot-taken").path
        let go = standby.directory.appendingPathComponent("query-again").path
        let holder = OutputOfBackgroundPsql(standby, """
            begin isolation level repeatable read;
            select count(*) from mimuw;
            \\! touch \(ready); while [ ! -f \(go) ]; do sleep 0.1; done
            select count(*) from mimuw;
            rollback;
            select count(*) from mimuw;

            """)
        try waitFor("the standby transaction took its snapshot") { FileManager.default.fileExists(atPath: ready) }
        // No CHECKPOINT needed: the walwriter flushes VACUUM's WAL (it commits nothing) for the walsender.
        XCTAssertEqual(try primary.psql("delete from mimuw; vacuum mimuw;\n").status, 0)
        try waitFor("the standby replayed the delete and VACUUM") { try untilDone(primary, standby) }
        FileManager.default.createFile(atPath: go, contents: Data())
        return holder.finish()
    }

    /// A running primary with table mimuw holding one row, and a running standby made from a copy
    /// of its data directory taken while it was stopped (with primary_conninfo when `streaming`).
    private func makePair(streaming: Bool) throws -> (MiniPGInstance, MiniPGInstance) {
        let primary = try MiniPGInstance()
        try primary.start()
        XCTAssertEqual(try primary.psql("create table mimuw (id int); insert into mimuw values (1); create table counters (id serial);\n").status, 0)
        primary.stop()
        let standby = try makeStandby(copying: primary, streamingFrom: streaming ? primary : nil)
        try primary.start()
        try standby.start()
        return (primary, standby)
    }

    /// A standby (not started) on a copy of the stopped `primary`'s data directory.
    private func makeStandby(copying primary: MiniPGInstance, streamingFrom upstream: MiniPGInstance?) throws -> MiniPGInstance {
        let standby = try MiniPGInstance()
        try FileManager.default.removeItem(atPath: standby.dataDirectory)
        try FileManager.default.copyItem(atPath: primary.dataDirectory, toPath: standby.dataDirectory)
        FileManager.default.createFile(atPath: standby.dataDirectory + "/standby.signal", contents: Data())
        if let upstream { try appendConninfo(to: standby, upstream: upstream) }
        return standby
    }

    /// primary_conninfo naming `upstream`, appended to postgresql.auto.conf (the last one wins).
    private func appendConninfo(to standby: MiniPGInstance, upstream: MiniPGInstance) throws {
        let conninfo = "primary_conninfo = 'host=127.0.0.1 port=\(upstream.port) user=postgres password=\(upstream.password) application_name=standby\(standby.port)'\n"
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: standby.dataDirectory + "/postgresql.auto.conf"))
        handle.seekToEndOfFile()
        handle.write(Data(conninfo.utf8))
        try handle.close()
    }

    /// Settings appended to postgresql.auto.conf (read at the next start).
    private func appendSettings(_ lines: [String], to instance: MiniPGInstance) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: instance.dataDirectory + "/postgresql.auto.conf"))
        handle.seekToEndOfFile()
        handle.write(Data(lines.map { $0 + "\n" }.joined().utf8))
        try handle.close()
    }

    /// What a WAL receiver does, by hand: the primary's segment files, copied into the standby's pg_wal.
    private func shipSegments(from primary: MiniPGInstance, to standby: MiniPGInstance) throws {
        XCTAssertEqual(try primary.psql("checkpoint;\n").status, 0)   // the WAL is written and flushed
        let source = primary.dataDirectory + "/pg_wal", target = standby.dataDirectory + "/pg_wal"
        for name in try FileManager.default.contentsOfDirectory(atPath: source) where name.count == 24 {
            try? FileManager.default.removeItem(atPath: target + "/" + name)
            try FileManager.default.copyItem(atPath: source + "/" + name, toPath: target + "/" + name)
        }
    }

    private func waitFor(_ what: String, deadlineSeconds: Double = 120, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(deadlineSeconds)
        while Date() < deadline {
            if try condition() { return }
            usleep(100_000)
        }
        throw TestFailure("gave up waiting until \(what)")
    }
}

/// A psql session running a script on a background thread (a standby transaction held open).
private final class OutputOfBackgroundPsql: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var output = ""

    init(_ instance: MiniPGInstance, _ script: String) {
        Thread.detachNewThread { [self] in
            let result = (try? instance.psql(script, extraArguments: ["-At", "-v", "VERBOSITY=verbose"]))?.output ?? "(psql did not run)"
            lock.lock(); output = result; lock.unlock()
            done.signal()
        }
    }

    func finish() -> String {
        done.wait()
        lock.lock(); defer { lock.unlock() }
        return output
    }
}
