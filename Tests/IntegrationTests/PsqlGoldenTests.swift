// PsqlGoldenTests: the real psql against the real minipg server, output compared with what
// PostgreSQL 15 printed for the same script (Golden/<name>.expected was produced by running
// Golden/<name>.sql through psql 15 against PostgreSQL 15.18 on this kind of machine).

import Foundation
import XCTest

final class PsqlGoldenTests: XCTestCase {
    private func assertGolden(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let instance = try MiniPGInstance()
        defer { instance.cleanUp() }
        try instance.start()
        let script = try String(contentsOf: TestEnvironment.goldenFile("\(name).sql"), encoding: .utf8)
        let expected = try String(contentsOf: TestEnvironment.goldenFile("\(name).expected"), encoding: .utf8)
        let result = try instance.psql(script)
        if result.output != expected {
            let diff = lineDiff(expected: expected, actual: result.output)
            XCTFail("psql output for \(name).sql differs from PostgreSQL 15's:\n\(diff)\n--- server log ---\n\(instance.log().suffix(4000))",
                    file: file, line: line)
        }
    }

    func testLabSessionMatchesPostgreSQL() throws { try assertGolden("lab") }
    func testSQLSliceMatchesPostgreSQL() throws { try assertGolden("sql-slice") }
    func testCatalogMetaCommandsMatchPostgreSQL() throws { try assertGolden("catalog") }
    func testDescribeTablesAndIndexesMatchesPostgreSQL() throws { try assertGolden("describe") }
    func testReturningMatchesPostgreSQL() throws { try assertGolden("returning") }
    func testQueriesMatchPostgreSQL() throws { try assertGolden("queries") }
    func testStringFunctionsMatchPostgreSQL() throws { try assertGolden("strings") }
    func testSettingsAndTransactionsMatchPostgreSQL() throws { try assertGolden("settings") }
    func testErrorsMatchPostgreSQL() throws { try assertGolden("errors") }
    func testCopyThroughPsqlMatchesPostgreSQL() throws { try assertGolden("copy") }
    func testExpandedDisplayMatchesPostgreSQL() throws { try assertGolden("expanded") }
    func testServerFunctionsMatchPostgreSQL() throws { try assertGolden("system") }
    func testMetaCommandsWithPatternsMatchPostgreSQL() throws { try assertGolden("meta") }
    func testRolesMatchPostgreSQL() throws { try assertGolden("roles") }
    func testSetReturningFunctionsMatchPostgreSQL() throws { try assertGolden("set-returning") }
    func testSavepointsAndOnErrorRollbackMatchPostgreSQL() throws { try assertGolden("savepoints") }

    func testWrongPasswordIsRefused() throws {
        let instance = try MiniPGInstance()
        defer { instance.cleanUp() }
        try instance.start()
        guard let psql = TestEnvironment.tool("psql") else { throw XCTSkip("psql is not installed") }
        let result = try runCommand(psql, ["-X", "-h", "127.0.0.1", "-p", String(instance.port), "-U", "postgres", "-c", "select 1"],
                                    environment: ["PGPASSWORD": "wrong"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.output.contains("password authentication failed for user \"postgres\""), result.output)
    }

    func testConninfoAndVersion() throws {
        let instance = try MiniPGInstance()
        defer { instance.cleanUp() }
        try instance.start()
        let result = try instance.psql("\\conninfo\nselect version();\n")
        XCTAssertTrue(result.output.contains("You are connected to database \"postgres\" as user \"postgres\" on host \"localhost\""), result.output)
        XCTAssertTrue(result.output.contains("minipg"), result.output)
    }
}

/// A small line diff for failure messages: lines only in the expectation start with '-', only in the output with '+'.
func lineDiff(expected: String, actual: String) -> String {
    let a = expected.split(separator: "\n", omittingEmptySubsequences: false)
    let b = actual.split(separator: "\n", omittingEmptySubsequences: false)
    var lines: [String] = []
    var i = 0, j = 0
    while i < a.count || j < b.count {
        if i < a.count && j < b.count && a[i] == b[j] { i += 1; j += 1; continue }
        if let k = b[j...].firstIndex(where: { i < a.count && $0 == a[i] }), k - j < 5 {
            while j < k { lines.append("+\(b[j])"); j += 1 }
        } else if i < a.count {
            lines.append("-\(a[i])"); i += 1
        } else {
            lines.append("+\(b[j])"); j += 1
        }
        if lines.count > 80 { lines.append("..."); break }
    }
    return lines.joined(separator: "\n")
}
