// A real `minipg server` to put behind the proxy in tests: initdb into a temporary directory, start
// on a free port, and write a one-row table `whoami` naming the server, so a query through the proxy
// tells which backend it reached. The binary is the one `swift build` produced (MINIPG_BIN overrides),
// as in Tests/IntegrationTests/MiniPGCluster.swift.

import Foundation

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

enum TestTools {
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    static var minipgBinary: String {
        ProcessInfo.processInfo.environment["MINIPG_BIN"] ?? packageRoot.appendingPathComponent(".build/debug/minipg").path
    }

    static func tool(_ name: String) -> String? {
        ["/usr/bin", "/usr/lib/postgresql/15/bin", "/usr/local/bin"].map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// A TCP port nobody listens on right now (bind to port 0, read it back, close).
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Runs a command to completion; stdout and stderr together.
    static func run(_ executable: String, _ arguments: [String], timeoutSeconds: Double = 60) throws -> (status: Int32, output: String) {
        let process = try start(executable, arguments)
        return process.wait(timeoutSeconds: timeoutSeconds)
    }

    static func start(_ executable: String, _ arguments: [String]) throws -> RunningCommand {
        try RunningCommand(executable, arguments)
    }

    /// psql with no password prompt and no psqlrc; `-At` output.
    static func psql(port: Int, _ sql: String) throws -> (status: Int32, output: String) {
        try run(psqlPath, psqlArguments(port: port, sql))
    }

    static var psqlPath: String { tool("psql") ?? "/usr/bin/psql" }

    static func psqlArguments(port: Int, _ sql: String) -> [String] {
        ["-X", "-w", "-At", "-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", "postgres", "-c", sql]
    }
}

/// A child process whose output is collected in a file (no pipe to fill up).
final class RunningCommand: @unchecked Sendable {
    let process = Process()
    private let outputFile: URL

    init(_ executable: String, _ arguments: [String]) throws {
        outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("proxytest-\(UUID().uuidString.prefix(8)).out")
        FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        let handle = try FileHandle(forWritingTo: outputFile)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try handle.close()
    }

    var output: String { (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "" }

    /// Waits for exit (killing the process after the timeout) and returns its status and output.
    func wait(timeoutSeconds: Double) -> (status: Int32, output: String) {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        defer { try? FileManager.default.removeItem(at: outputFile) }
        return (process.terminationStatus, output)
    }
}

final class BackendServer: @unchecked Sendable {
    let name: String
    let port: Int
    let directory: URL
    private var server: RunningCommand?

    init(name: String) throws {
        self.name = name
        port = TestTools.freePort()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("proxytest-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let data = directory.appendingPathComponent("data").path
        let initdb = try TestTools.run(TestTools.minipgBinary, ["initdb", "-D", data, "--auth", "trust"])
        guard initdb.status == 0 else { throw TestFailure("minipg initdb failed:\n\(initdb.output)") }
        server = try TestTools.start(TestTools.minipgBinary, ["server", "-D", data, "-p", String(port), "-h", "127.0.0.1"])
        try waitUntilReady()
        let setup = try TestTools.psql(port: port, "create table whoami (name text); insert into whoami values ('\(name)')")
        guard setup.status == 0 else { throw TestFailure("setting up \(name) failed:\n\(setup.output)") }
    }

    private func waitUntilReady() throws {
        let isready = TestTools.tool("pg_isready") ?? "/usr/bin/pg_isready"
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let server, !server.process.isRunning {
                throw TestFailure("minipg server \(name) exited:\n\(server.output)")
            }
            if (try? TestTools.run(isready, ["-h", "127.0.0.1", "-p", String(port), "-t", "1"]))?.status == 0 { return }
            usleep(50_000)
        }
        throw TestFailure("minipg server \(name) did not start")
    }

    func stop() {
        guard let server else { return }
        kill(server.process.processIdentifier, SIGINT)
        _ = server.wait(timeoutSeconds: 30)
        self.server = nil
        try? FileManager.default.removeItem(at: directory)
    }
}
