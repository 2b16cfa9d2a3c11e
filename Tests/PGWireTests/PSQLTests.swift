// A real psql (/usr/bin/psql) against a PGServer backed by the tiny TestBackend, with trust, md5
// and SCRAM-SHA-256 authentication. This tests the protocol as libpq speaks it, not SQL.

import Foundation
import Testing
@testable import PGWire

let psqlPath = "/usr/bin/psql"

@Suite(.serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: psqlPath)))
struct PSQLTests {
    struct Run { var status: Int32; var output: String; var errors: String }

    static func psql(host: String = "127.0.0.1", port: Int, user: String = "alice", password: String?,
                     _ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: psqlPath)
        process.arguments = ["-h", host, "-p", String(port), "-U", user, "-d", "db", "-X", "-A", "-t"] + arguments
        var environment = ["PGCONNECT_TIMEOUT": "10", "PATH": "/usr/bin:/bin", "PGSSLMODE": "prefer"]
        if let password { environment["PGPASSWORD"] = password }
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
                      errors: String(decoding: errorData, as: UTF8.self))
    }

    /// Runs `body` against a fresh server; returns the factory once the server has stopped (so
    /// every session has ended and its events are recorded).
    @discardableResult
    static func withServer(_ method: AuthenticationMethod, _ body: (Int, TestFactory) throws -> Void) throws -> TestFactory {
        let factory = TestFactory(method: .success(method))
        let (server, port) = try makeTestServer(factory)
        defer { server.stop() }
        try body(port, factory)
        return factory
    }

    @Test func trust() throws {
        let factory = try Self.withServer(.trust) { port, _ in
            let result = try Self.psql(port: port, password: nil, ["-c", "select 1"])
            #expect(result.status == 0, "\(result.errors)")
            #expect(result.output == "1\n")
        }
        // (stop() may also have cancelled the session if psql's Terminate was still in flight.)
        #expect(factory.events.all.filter { !$0.hasPrefix("cancel") } == ["simpleQuery select 1", "terminate"])
    }

    @Test func md5() throws {
        let stored = MD5Password.makeStoredHash(password: "secret", user: "alice")
        try Self.expectPasswordChecked(.md5(storedHash: stored))
    }

    @Test func scramSHA256() throws {
        let verifier = SCRAM.makeVerifier(password: "secret")
        try Self.expectPasswordChecked(.scramSHA256(verifier: verifier))
        // An unknown role (no verifier) runs the exchange and fails the same way.
        try Self.withServer(.scramSHA256(verifier: nil)) { port, _ in
            let result = try Self.psql(port: port, password: "secret", ["-c", "select 1"])
            #expect(result.status == 2)
            #expect(result.errors.contains("password authentication failed for user \"alice\""), "\(result.errors)")
        }
    }

    /// psql gets in with the password "secret" and is refused with any other.
    static func expectPasswordChecked(_ method: AuthenticationMethod) throws {
        try withServer(method) { port, _ in
            let good = try psql(port: port, password: "secret", ["-c", "select 1"])
            #expect(good.status == 0, "\(good.errors)")
            #expect(good.output == "1\n")
            let bad = try psql(port: port, password: "wrong", ["-c", "select 1"])
            #expect(bad.status == 2)
            #expect(bad.errors.contains("password authentication failed for user \"alice\""), "\(bad.errors)")
        }
    }

    @Test func errorsNoticesAndSeveralStatements() throws {
        try Self.withServer(.trust) { port, _ in
            let result = try Self.psql(port: port, password: nil, ["-c", "notice", "-c", "select 1", "-c", "oops"])
            #expect(result.output == "DO\n1\n")
            #expect(result.errors.contains("NOTICE:  hello"), "\(result.errors)")
            #expect(result.errors.contains("ERROR:  syntax error at or near \"oops\""), "\(result.errors)")
            #expect(result.status == 1)
        }
    }

    @Test func copyFromStdinThroughPsql() throws {
        try Self.withServer(.trust) { port, _ in
            let result = try Self.psql(port: port, password: nil, ["-c", "copy t from stdin"])
            // stdin is /dev/null: psql sends CopyDone at once.
            #expect(result.status == 0, "\(result.errors)")
            #expect(result.output == "COPY 0\n")
        }
    }

    @Test func unixDomainSocket() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pgwire-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let factory = TestFactory()
        let (server, port) = try makeTestServer(factory, unixSocketDirectories: [directory.path])
        let socketPath = directory.appendingPathComponent(".s.PGSQL.\(port)").path
        #expect(FileManager.default.fileExists(atPath: socketPath))
        let result = try Self.psql(host: directory.path, port: port, password: nil, ["-c", "select 1"])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output == "1\n")
        server.stop()
        #expect(!FileManager.default.fileExists(atPath: socketPath))
    }

    @Test func localhostListensOnLoopback() throws {
        let (server, port) = try makeTestServer(TestFactory(), hosts: ["localhost"])
        defer { server.stop() }
        let result = try Self.psql(host: "localhost", port: port, password: nil, ["-c", "select 1"])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output == "1\n")
    }
}
