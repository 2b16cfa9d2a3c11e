// Real pgbench (PostgreSQL 15) with a one-line custom script, in the extended and prepared
// protocol modes: Parse/Bind/Describe/Execute/Sync pipelines and named statements, as libpq
// sends them. The TestBackend answers `select 1`; this tests the protocol, not SQL.

import Foundation
import Testing
@testable import PGWire

let pgbenchPath = "/usr/lib/postgresql/15/bin/pgbench"

@Suite(.serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: pgbenchPath)))
struct PgbenchTests {
    static let transactions = 20

    static func pgbench(port: Int, mode: String) throws -> (status: Int32, output: String) {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("pgwire-\(UUID().uuidString).sql")
        try "select 1\n".write(to: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: script) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: pgbenchPath)
        process.arguments = ["-h", "127.0.0.1", "-p", String(port), "-U", "alice", "-n", "-f", script.path,
                             "-M", mode, "-t", String(transactions), "db"]
        process.environment = ["PGCONNECT_TIMEOUT": "10", "PATH": "/usr/bin:/bin"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test(arguments: ["extended", "prepared"])
    func pgbenchRuns(mode: String) throws {
        let factory = TestFactory()
        let (server, port) = try makeTestServer(factory)
        defer { server.stop() }
        let result = try Self.pgbench(port: port, mode: mode)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("number of transactions actually processed: \(Self.transactions)/\(Self.transactions)"),
                "\(result.output)")
        let parses = factory.events.all.filter { $0.hasPrefix("parse") }
        #expect(parses.count == (mode == "prepared" ? 1 : Self.transactions))
    }
}
