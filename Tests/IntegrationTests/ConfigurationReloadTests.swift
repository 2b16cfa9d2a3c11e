// ConfigurationReloadTests: SIGHUP and pg_reload_conf() through the real binary and psql — edit
// postgresql.conf, reload, and see what PostgreSQL 15 shows: the new value of a reloadable setting
// (in a session that was already open, too), pending_restart for a postmaster setting that keeps its
// running value, pg_hba.conf changes for new connections, and PostgreSQL's log lines.

import Foundation
import XCTest

final class ConfigurationReloadTests: XCTestCase {
    private func append(_ line: String, to instance: MiniPGInstance) throws {
        let file = instance.dataDirectory + "/postgresql.conf"
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
        defer { try? handle.close() }
        handle.seekToEndOfFile()
        handle.write(Data((line + "\n").utf8))
    }

    func testPgReloadConfAppliesReloadableSettingsAndMarksPostmasterOnesPending() throws {
        let instance = try MiniPGInstance()
        defer { instance.cleanUp() }
        try instance.start()
        try append("work_mem = '8MB'", to: instance)
        try append("max_connections = 150", to: instance)
        // One psql session: the reload finishes inside pg_reload_conf(), so the next statement sees it.
        let result = try instance.psql("""
            show work_mem;
            select pg_reload_conf();
            show work_mem;
            show max_connections;
            select name, setting, pending_restart from pg_settings where name in ('max_connections', 'work_mem') order by name;
            """ + "\n", extraArguments: ["-At"])
        XCTAssertEqual(result.output.split(separator: "\n"), ["4MB", "t", "8MB", "100", "max_connections|100|t", "work_mem|8192|f"],
                       result.output + instance.log())
        let log = instance.log()
        XCTAssertTrue(log.contains("received SIGHUP, reloading configuration files"), log)
        XCTAssertTrue(log.contains("parameter \"work_mem\" changed to \"8MB\""), log)
        XCTAssertTrue(log.contains("parameter \"max_connections\" cannot be changed without restarting the server"), log)

        // After a restart the file's value is the running one, and nothing is pending.
        instance.stop(signal: SIGINT)
        try instance.start()
        let restarted = try instance.psql("select setting, pending_restart from pg_settings where name = 'max_connections';\n",
                                          extraArguments: ["-At"])
        XCTAssertEqual(restarted.output.trimmingCharacters(in: .whitespacesAndNewlines), "150|f", restarted.output)
    }

    func testSIGHUPReloadsSettingsAndHBA() throws {
        let instance = try MiniPGInstance()
        defer { instance.cleanUp() }
        try instance.start()
        guard let pid = instance.process?.processIdentifier else { return XCTFail("no server process") }
        try append("statement_timeout = '5s'", to: instance)
        // Rejects password logins over TCP from now on: the first matching line decides.
        let hba = instance.dataDirectory + "/pg_hba.conf"
        let rules = try String(contentsOfFile: hba, encoding: .utf8)
        try ("host all all 127.0.0.1/32 reject\n" + rules).write(toFile: hba, atomically: true, encoding: .utf8)
        kill(pid, SIGHUP)
        var lastOutput = ""
        for _ in 0..<100 where !lastOutput.contains("pg_hba.conf rejects connection") {
            lastOutput = try instance.psql("show statement_timeout;\n", extraArguments: ["-At"]).output
            usleep(100_000)
        }
        XCTAssertTrue(lastOutput.contains("pg_hba.conf rejects connection"), lastOutput + instance.log())
        XCTAssertTrue(instance.log().contains("parameter \"statement_timeout\" changed to \"5s\""), instance.log())
    }

    func testAFileWithErrorsChangesNothing() throws {
        let instance = try MiniPGInstance()
        defer { instance.cleanUp() }
        try instance.start()
        try append("work_mem = '8MB'", to: instance)
        try append("no_such_setting = 1", to: instance)
        let result = try instance.psql("select pg_reload_conf();\nshow work_mem;\n", extraArguments: ["-At"])
        XCTAssertEqual(result.output.split(separator: "\n"), ["t", "4MB"], result.output)
        XCTAssertTrue(instance.log().contains("contains errors; no changes were applied"), instance.log())
    }
}
