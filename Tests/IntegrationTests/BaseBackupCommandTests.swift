// `minipg basebackup` through the real binary: -R clones a running primary into a standby that
// starts, follows the primary's commits (psql on both sides), refuses writes with 25006, and after a
// SIGKILL resumes streaming without being cloned again; a non-empty target is refused untouched.
import Foundation
import XCTest

final class BaseBackupCommandTests: XCTestCase {
    private func startServer(_ dataDirectory: String, port: Int, log: String) throws -> Process {
        FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        handle.seekToEndOfFile()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: TestEnvironment.minipgBinary)
        server.arguments = ["server", "-D", dataDirectory, "-p", String(port), "-h", "127.0.0.1"]
        server.standardOutput = handle
        server.standardError = handle
        try server.run()
        return server
    }

    private func psql(port: Int, _ sql: String) throws -> CommandResult {
        guard let psql = TestEnvironment.tool("psql") else { throw XCTSkip("psql is not installed") }
        return try runCommand(psql, ["-X", "-A", "-t", "-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-c", sql],
                              environment: ["PGPASSWORD": "postgres", "PGCONNECT_TIMEOUT": "5"])
    }

    /// Asks the standby until it answers `expected` (each try is one psql run; bounded by a count, not a clock).
    private func waitForStandby(port: Int, _ sql: String, toReturn expected: String, log: String) throws {
        var last = ""
        for _ in 0..<600 {
            last = (try? psql(port: port, sql).output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? ""
            if last == expected { return }
            usleep(50_000)
        }
        XCTFail("standby answered \(last), expected \(expected)\n" + ((try? String(contentsOfFile: log, encoding: .utf8)) ?? ""))
    }

    func testBasebackupDashRMakesAStandbyThatFollowsAndSurvivesSIGKILL() throws {
        let primary = try MiniPGInstance()
        defer { primary.cleanUp() }
        try primary.start()
        XCTAssertEqual(try psql(port: primary.port, "create table mimuw (id int); insert into mimuw values (1)").status, 0)

        let target = primary.directory.appendingPathComponent("standby").path
        let backup = try runCommand(TestEnvironment.minipgBinary,
                                    ["basebackup", "-h", "127.0.0.1", "-p", String(primary.port), "-U", "postgres",
                                     "-D", target, "-R", "-P"], environment: ["PGPASSWORD": primary.password])
        XCTAssertEqual(backup.status, 0, backup.output)
        XCTAssertTrue(backup.output.contains("(100%), 1/1 tablespace"), backup.output)
        XCTAssertTrue(FileManager.default.fileExists(atPath: target + "/standby.signal"))
        let auto = try String(contentsOfFile: target + "/postgresql.auto.conf", encoding: .utf8)
        XCTAssertTrue(auto.contains("primary_conninfo = 'user=postgres password=postgres host=127.0.0.1 port=\(primary.port)'"), auto)

        let standbyPort = TestEnvironment.freePort()
        let log = primary.directory.appendingPathComponent("standby.log").path
        var standby = try startServer(target, port: standbyPort, log: log)
        defer { standby.interrupt(); standby.waitUntilExit() }
        try waitForStandby(port: standbyPort, "select pg_is_in_recovery(), count(*) from mimuw", toReturn: "t|1", log: log)

        XCTAssertEqual(try psql(port: primary.port, "insert into mimuw values (2)").status, 0)
        try waitForStandby(port: standbyPort, "select count(*) from mimuw", toReturn: "2", log: log)
        let refused = try psql(port: standbyPort, "insert into mimuw values (9)")
        XCTAssertTrue(refused.output.contains("cannot execute INSERT in a read-only transaction"), refused.output)

        kill(standby.processIdentifier, SIGKILL)
        standby.waitUntilExit()
        XCTAssertEqual(try psql(port: primary.port, "insert into mimuw select generate_series(3, 1000)").status, 0)
        standby = try startServer(target, port: standbyPort, log: log)
        try waitForStandby(port: standbyPort, "select count(*), sum(id) from mimuw", toReturn: "1000|500500", log: log)
        let receiver = try psql(port: standbyPort, "select status, sender_port from pg_stat_wal_receiver")
        XCTAssertEqual(receiver.output.trimmingCharacters(in: .whitespacesAndNewlines), "streaming|\(primary.port)")
    }

    func testBasebackupRefusesANonEmptyDirectoryAndLeavesItAlone() throws {
        let primary = try MiniPGInstance()
        defer { primary.cleanUp() }
        try primary.start()
        let target = primary.directory.appendingPathComponent("busy").path
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: target + "/keep.txt", contents: Data("mine".utf8))
        let backup = try runCommand(TestEnvironment.minipgBinary,
                                    ["basebackup", "-h", "127.0.0.1", "-p", String(primary.port), "-U", "postgres", "-D", target],
                                    environment: ["PGPASSWORD": primary.password])
        XCTAssertEqual(backup.status, 1)
        XCTAssertEqual(backup.output.trimmingCharacters(in: .whitespacesAndNewlines),
                       "basebackup: error: directory \"\(target)\" exists but is not empty")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: target), ["keep.txt"])
    }
}
