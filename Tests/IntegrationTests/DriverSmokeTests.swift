// DriverSmokeTests: the Python drivers psycopg2 and psycopg 3 against the real minipg server, each
// through its smoke script in Python/ (password authentication, typed parameters, rollback,
// savepoints and psycopg 3's nested transaction blocks, executemany). Skipped, saying why, when
// python3 or the driver is not installed (CI installs both: .ci/run).

import Foundation
import XCTest

final class DriverSmokeTests: XCTestCase {
    private func runSmokeScript(_ script: String, module: String, file: StaticString = #filePath, line: UInt = #line) throws {
        guard let python = Self.python3 else { throw XCTSkip("python3 is not on PATH") }
        let probe = try runCommand(python, ["-c", "import \(module)"])
        guard probe.status == 0 else {
            throw XCTSkip("the Python module \(module) cannot be imported (python3 -m pip install psycopg2-binary \"psycopg[binary]\"): \(probe.output)")
        }
        let instance = try MiniPGInstance()
        defer { instance.cleanUp() }
        try instance.start()
        let path = TestEnvironment.packageRoot.appendingPathComponent("Tests/IntegrationTests/Python/\(script)").path
        let dsn = "host=127.0.0.1 port=\(instance.port) user=postgres password=\(instance.password) dbname=postgres connect_timeout=10"
        let result = try runCommand(python, [path], environment: ["MINIPG_DSN": dsn])
        XCTAssertEqual(result.status, 0, "\(script) failed:\n\(result.output)\n--- server log ---\n\(instance.log().suffix(4000))",
                       file: file, line: line)
    }

    func testPsycopg2() throws { try runSmokeScript("psycopg2_smoke.py", module: "psycopg2") }
    func testPsycopg3() throws { try runSmokeScript("psycopg3_smoke.py", module: "psycopg") }

    /// The python3 the user's PATH finds (pip installs the drivers for that one).
    private static var python3: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/python3"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
