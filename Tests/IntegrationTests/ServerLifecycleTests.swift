// ServerLifecycleTests: the server as an operator meets it — shutdown modes, restart with data kept,
// a table much larger than shared_buffers, max_connections, and configuration errors.

import Foundation
import XCTest

final class ServerLifecycleTests: XCTestCase {
    func testShutdownModesKeepCommittedData() throws {
        let instance = try MiniPGInstance()
        defer { instance.cleanUp() }
        try instance.start()
        XCTAssertEqual(try instance.psql("create table kept (id int); insert into kept select generate_series(1, 1000);\n").status, 0)
        for signal in [SIGTERM, SIGINT, SIGQUIT] {
            instance.stop(signal: signal)
            try instance.start()
            let result = try instance.psql("select count(*) from kept;\n", extraArguments: ["-At"])
            XCTAssertEqual(result.output.trimmingCharacters(in: .whitespacesAndNewlines), "1000", "after signal \(signal): \(result.output)")
        }
        instance.stop(signal: SIGTERM)
        XCTAssertTrue(instance.log().contains("database system is shut down"), instance.log())
    }

    func testTableTenTimesLargerThanSharedBuffers() throws {
        // 256kB of shared_buffers = 32 pages; the table below takes well over 320 pages.
        let instance = try MiniPGInstance(extraSettings: ["shared_buffers=256kB"])
        defer { instance.cleanUp() }
        try instance.start()
        let result = try instance.psql("""
            create table big (id int primary key, filler text);
            insert into big select generate_series(1, 60000), 'some filler text to make the rows wider than they would be';
            select count(*), sum(id) from big;
            select filler from big where id = 59999;
            """ + "\n", extraArguments: ["-At"])
        XCTAssertTrue(result.output.contains("60000|1800030000"), result.output + instance.log().suffix(3000))
        XCTAssertTrue(result.output.contains("some filler text"), result.output)
        instance.stop(signal: SIGKILL)
        try instance.start()
        let again = try instance.psql("select count(*) from big;\n", extraArguments: ["-At"])
        XCTAssertEqual(again.output.trimmingCharacters(in: .whitespacesAndNewlines), "60000", again.output)
    }

    func testUnknownSettingIsAnErrorThatNamesIt() throws {
        let instance = try MiniPGInstance(extraSettings: ["no_such_setting=1"])
        defer { instance.cleanUp() }
        XCTAssertThrowsError(try instance.start()) { error in
            XCTAssertTrue(String(describing: error).contains("unrecognized configuration parameter \"no_such_setting\""), String(describing: error))
        }
    }

    func testMaxConnectionsIsEnforced() throws {
        let instance = try MiniPGInstance(extraSettings: ["max_connections=2"])
        defer { instance.cleanUp() }
        try instance.start()
        guard let psql = TestEnvironment.tool("psql") else { throw XCTSkip("psql is not installed") }
        var holders: [Process] = []
        for _ in 0..<2 {
            let holder = Process()
            holder.executableURL = URL(fileURLWithPath: psql)
            holder.arguments = ["-X", "-h", "127.0.0.1", "-p", String(instance.port), "-U", "postgres", "-c", "select pg_sleep(5)"]
            holder.environment = ["PGPASSWORD": instance.password]
            holder.standardOutput = FileHandle.nullDevice
            holder.standardError = FileHandle.nullDevice
            try holder.run()
            holders.append(holder)
        }
        defer { holders.forEach { $0.terminate() } }
        usleep(1_500_000)
        let refused = try instance.psql("select 1;\n")
        XCTAssertTrue(refused.output.contains("sorry, too many clients already"), refused.output)
    }
}
