// RewindTests: `minipg rewind` through the real binary and psql — the lab's "the old primary rewinds
// and follows": a primary and its basebackup -R standby; the standby is promoted while the primary
// keeps running and writing on timeline 1 (rows, a new table, updates, deletes the new primary
// never sees); the old primary is stopped, rewound from the new primary, started, and follows it
// on timeline 2 with every table equal (md5 of string_agg). Also: the refusals that say why
// (a crashed target, an unrelated source), and a rewind killed mid-copy — the server refuses the
// directory, and a second run finishes it.
//
// Waits are "until a condition holds" with a generous deadline for failure, never a timing threshold.

import Foundation
import XCTest

final class RewindTests: XCTestCase {
    func testTheOldPrimaryRewindsAndFollows() throws {
        let (old, new) = try makeForkedPair()
        defer { old.cleanUp(); new.cleanUp() }
        XCTAssertEqual(old.stop(), 0)

        let rewind = try runRewind(old, source: new, extra: ["-R", "-P"])
        XCTAssertEqual(rewind.status, 0, rewind.output)
        XCTAssertTrue(rewind.output.contains("rewind: servers diverged at WAL location"), rewind.output)
        XCTAssertTrue(rewind.output.contains("rewind: rewinding from last common checkpoint at"), rewind.output)
        XCTAssertTrue(rewind.output.contains("rewind: Done!"), rewind.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: old.dataDirectory + "/rewind_in_progress"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: old.dataDirectory + "/standby.signal"))

        try old.start()
        try expectFollows(old, new)

        // And back: the rewound server is promoted (timeline 3) while the other one goes on
        // writing on timeline 2; that one is rewound in turn and follows on timeline 3.
        XCTAssertEqual(try runCommand(TestEnvironment.minipgBinary, ["promote", "-D", old.dataDirectory]).status, 0)
        XCTAssertEqual(try new.psql("insert into mimuw select g, 'lost again' from generate_series(9001, 9500) g;\n").status, 0)
        XCTAssertEqual(new.stop(), 0)
        let back = try runRewind(new, source: old, extra: ["-R"])
        XCTAssertEqual(back.status, 0, back.output)
        XCTAssertTrue(back.output.contains("servers diverged at WAL location"), back.output)
        try new.start()
        try expectFollows(new, old, timeline: 3)
    }

    func testImpossibleRewindsSayWhy() throws {
        let (old, new) = try makeForkedPair()
        defer { old.cleanUp(); new.cleanUp() }
        old.stop(signal: SIGKILL)
        let crashed = try runRewind(old, source: new, extra: ["-R"])
        XCTAssertEqual(crashed.status, 1, crashed.output)
        XCTAssertTrue(crashed.output.contains("target server must be shut down cleanly"), crashed.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: old.dataDirectory + "/rewind_in_progress"))

        let stranger = try MiniPGInstance()
        defer { stranger.cleanUp() }
        try stranger.start()
        let unrelated = try runRewind(old, source: stranger, extra: [])
        XCTAssertEqual(unrelated.status, 1, unrelated.output)
        XCTAssertTrue(unrelated.output.contains("source and target clusters are from different systems"), unrelated.output)

        // The way out of the first refusal without accepting a single write: start it as a standby
        // with nothing to stream from (it replays its own WAL, read-only), stop it cleanly.
        FileManager.default.createFile(atPath: old.dataDirectory + "/standby.signal", contents: Data())
        try old.start()
        XCTAssertEqual(try query(old, "select pg_is_in_recovery()"), "t")
        XCTAssertEqual(old.stop(), 0)
        try FileManager.default.removeItem(atPath: old.dataDirectory + "/standby.signal")
        let dryRun = try runRewind(old, source: new, extra: ["-n"])
        XCTAssertEqual(dryRun.status, 0, dryRun.output)
        XCTAssertTrue(dryRun.output.contains("dry run: nothing was changed"), dryRun.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: old.dataDirectory + "/standby.signal"))
        XCTAssertEqual(try runRewind(old, source: new, extra: ["-R"]).status, 0)
        try old.start()
        try expectFollows(old, new)
    }

    /// The rewind is killed (SIGKILL) in the middle: as soon as its marker exists the source is
    /// frozen (SIGSTOP), so the copy cannot complete, and the rewind process dies mid-copy.
    func testAnInterruptedRewindIsFinishedByASecondRun() throws {
        let (old, new) = try makeForkedPair()
        defer { old.cleanUp(); new.cleanUp() }
        XCTAssertEqual(old.stop(), 0)
        guard let source = new.process else { throw TestFailure("the new primary is not running") }
        let rewind = Process()
        rewind.executableURL = URL(fileURLWithPath: TestEnvironment.minipgBinary)
        rewind.arguments = rewindArguments(old, source: new, extra: ["-R"])
        rewind.standardOutput = FileHandle.nullDevice
        rewind.standardError = FileHandle.nullDevice
        try rewind.run()
        let marker = old.dataDirectory + "/rewind_in_progress"
        while rewind.isRunning && !FileManager.default.fileExists(atPath: marker) { usleep(200) }
        kill(source.processIdentifier, SIGSTOP)
        kill(rewind.processIdentifier, SIGKILL)
        rewind.waitUntilExit()
        kill(source.processIdentifier, SIGCONT)
        XCTAssertEqual(rewind.terminationReason, .uncaughtSignal, "the rewind finished before it could be interrupted")
        XCTAssertTrue(FileManager.default.fileExists(atPath: marker))
        XCTAssertThrowsError(try old.start(timeoutSeconds: 30)) { error in
            XCTAssertTrue("\(error)".contains("rewind did not finish; run minipg rewind again"), "\(error)")
        }

        let second = try runRewind(old, source: new, extra: ["-R"])
        XCTAssertEqual(second.status, 0, second.output)
        XCTAssertTrue(second.output.contains("finishing an interrupted rewind"), second.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker))
        try old.start()
        try expectFollows(old, new)
    }

    // MARK: Helpers

    /// A primary with a streaming basebackup -R standby; the standby is promoted (timeline 2) and
    /// writes; the old primary, still running on timeline 1, writes what the new one never sees.
    private func makeForkedPair() throws -> (old: MiniPGInstance, new: MiniPGInstance) {
        let old = try MiniPGInstance()
        let new = try MiniPGInstance()
        try old.start()
        XCTAssertEqual(try old.psql("""
            create table mimuw (id int primary key, note text);
            insert into mimuw select g, 'before' from generate_series(1, 2000) g;
            create table kept (a int);
            insert into kept values (1), (2);
            """).status, 0)
        try FileManager.default.removeItem(atPath: new.dataDirectory)
        let backup = try runCommand(TestEnvironment.minipgBinary,
                                    ["basebackup", "-h", "127.0.0.1", "-p", String(old.port), "-U", "postgres",
                                     "-D", new.dataDirectory, "-R"], environment: ["PGPASSWORD": old.password])
        XCTAssertEqual(backup.status, 0, backup.output)
        try new.start()
        XCTAssertEqual(try old.psql("insert into mimuw select g, 'streamed' from generate_series(2001, 2500) g;\n").status, 0)
        try waitFor("the standby replayed the streamed rows", on: new) { try query(new, "select count(*) from mimuw") == "2500" }

        let promote = try runCommand(TestEnvironment.minipgBinary, ["promote", "-D", new.dataDirectory])
        XCTAssertEqual(promote.status, 0, promote.output + new.log())
        XCTAssertEqual(try new.psql("""
            insert into mimuw select g, 'new primary' from generate_series(2501, 2600) g;
            update mimuw set note = 'updated on the new primary' where id <= 10;
            create table born_after_fork (b int);
            insert into born_after_fork values (42);
            """).status, 0)
        XCTAssertEqual(try old.psql("""
            insert into mimuw select g, 'lost' from generate_series(5001, 8000) g;
            update mimuw set note = 'lost update' where id between 100 and 1900;
            delete from mimuw where id between 1000 and 1100;
            create table lost (x int);
            insert into lost select generate_series(1, 100);
            delete from kept;
            """).status, 0)
        return (old, new)
    }

    /// The rewound server is a standby of `new` on `timeline` with `new`'s rows, and keeps following.
    private func expectFollows(_ old: MiniPGInstance, _ new: MiniPGInstance, timeline: Int = 2) throws {
        let count = try query(new, "select count(*) from mimuw")
        guard let expected = Int(count) else { throw TestFailure("count(*) returned \(count)") }
        XCTAssertEqual(try new.psql("insert into mimuw select g + 100000 * \(timeline), 'after rewind' from generate_series(1, 100) g;\n").status, 0)
        try waitFor("the rewound server replayed the new primary's rows", on: old) {
            try query(old, "select count(*) from mimuw") == String(expected + 100)
        }
        XCTAssertEqual(try query(old, "select pg_is_in_recovery()"), "t")
        try waitFor("the rewound server streams on timeline \(timeline)", on: old) {
            try query(old, "select status, received_tli from pg_stat_wal_receiver") == "streaming|\(timeline)"
        }
        for (table, row, order) in [("mimuw", "id::text || ',' || note", "id"), ("kept", "a::text", "a"),
                                    ("born_after_fork", "b::text", "b")] {
            let sql = "select count(*), md5(string_agg(\(row), '|' order by \(order))) from \(table)"
            XCTAssertEqual(try query(old, sql), try query(new, sql), "table \(table)")
        }
        XCTAssertEqual(try query(old, "select count(*) from mimuw where note like 'lost%'"), "0")
        XCTAssertEqual(try query(old, "select count(*) from pg_class where relname = 'lost'"), "0")
    }

    private func runRewind(_ target: MiniPGInstance, source: MiniPGInstance, extra: [String]) throws -> CommandResult {
        try runCommand(TestEnvironment.minipgBinary, rewindArguments(target, source: source, extra: extra))
    }

    private func rewindArguments(_ target: MiniPGInstance, source: MiniPGInstance, extra: [String]) -> [String] {
        ["rewind", "-D", target.dataDirectory,
         "--source-server", "host=127.0.0.1 port=\(source.port) user=postgres password=\(source.password)"] + extra
    }

    private func query(_ instance: MiniPGInstance, _ sql: String) throws -> String {
        try instance.psql(sql + ";\n", extraArguments: ["-At"]).output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func waitFor(_ what: String, on instance: MiniPGInstance, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(180)
        while Date() < deadline {
            if (try? condition()) == true { return }
            usleep(100_000)
        }
        throw TestFailure("gave up waiting until \(what)\n\(instance.log().suffix(4000))")
    }
}
