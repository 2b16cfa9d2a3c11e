// MiniPGCluster: starts the real `minipg` binary on a temporary data directory for end-to-end tests,
// and runs the real PostgreSQL client tools (psql) against it.
//
// The binary is the one `swift build` produced (MINIPG_BIN overrides). Every server listens on
// 127.0.0.1 on a free port, logs to a file in its temporary directory (printed when a test fails),
// and is stopped — or killed — by the test that started it.

import Foundation
import XCTest

enum TestEnvironment {
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var minipgBinary: String {
        if let explicit = ProcessInfo.processInfo.environment["MINIPG_BIN"] { return explicit }
        return packageRoot.appendingPathComponent(".build/debug/minipg").path
    }

    static func goldenFile(_ name: String) -> URL {
        packageRoot.appendingPathComponent("Tests/IntegrationTests/Golden/\(name)")
    }

    static func tool(_ name: String) -> String? {
        for directory in ["/usr/bin", "/usr/lib/postgresql/15/bin", "/usr/local/bin"] {
            let path = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// A TCP port nobody listens on right now (bind to port 0, read it back, close).
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// The result of running a command to completion.
struct CommandResult {
    var status: Int32
    var output: String     // stdout and stderr interleaved, as a terminal would show them
}

@discardableResult
func runCommand(_ executable: String, _ arguments: [String], input: String? = nil,
                environment: [String: String] = [:], timeoutSeconds: Double = 120) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let outputPipe = Pipe()
    process.standardOutput = outputPipe
    process.standardError = outputPipe
    let inputPipe = Pipe()
    process.standardInput = inputPipe
    try process.run()
    if let input { inputPipe.fileHandleForWriting.write(Data(input.utf8)) }
    try? inputPipe.fileHandleForWriting.close()
    let deadline = Date().addingTimeInterval(timeoutSeconds)
    let collector = OutputCollector(outputPipe.fileHandleForReading)
    while process.isRunning {
        if Date() > deadline { process.terminate(); break }
        usleep(10_000)
    }
    process.waitUntilExit()
    return CommandResult(status: process.terminationStatus, output: collector.finish())
}

/// Drains a pipe on a background thread so a chatty child never blocks on a full pipe.
final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                lock.lock(); data.append(chunk); lock.unlock()
            }
            done.signal()
        }
    }

    func finish() -> String {
        done.wait()
        lock.lock(); defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }
}

/// One minipg instance: a data directory, a port, and (while running) a server process.
final class MiniPGInstance: @unchecked Sendable {
    let directory: URL
    let dataDirectory: String
    let port: Int
    let password = "postgres"
    private(set) var process: Process?
    private var logHandle: FileHandle?

    var logFile: String { directory.appendingPathComponent("server.log").path }

    init(auth: String = "scram-sha-256", extraSettings: [String] = []) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("minipg-test-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        dataDirectory = directory.appendingPathComponent("data").path
        port = TestEnvironment.freePort()
        let passwordFile = directory.appendingPathComponent("pw.txt")
        try password.write(to: passwordFile, atomically: true, encoding: .utf8)
        let result = try runCommand(TestEnvironment.minipgBinary,
                                    ["initdb", "-D", dataDirectory, "--auth", auth, "--pwfile", passwordFile.path])
        guard result.status == 0 else {
            throw TestFailure("minipg initdb failed (\(result.status)):\n\(result.output)")
        }
        self.extraSettings = extraSettings
    }

    private let extraSettings: [String]

    /// Starts the server and waits until it accepts connections.
    func start(timeoutSeconds: Double = 60) throws {
        precondition(process == nil, "server already running")
        if !FileManager.default.fileExists(atPath: logFile) {
            _ = FileManager.default.createFile(atPath: logFile, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logFile))
        handle.seekToEndOfFile()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: TestEnvironment.minipgBinary)
        server.arguments = ["server", "-D", dataDirectory, "-p", String(port), "-h", "127.0.0.1"]
            + extraSettings.flatMap { ["-c", $0] }
        server.standardOutput = handle
        server.standardError = handle
        try server.run()
        process = server
        logHandle = handle
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while Date() < deadline {
            if !server.isRunning {
                process = nil
                throw TestFailure("minipg server exited with \(server.terminationStatus):\n\(log())")
            }
            if acceptsConnections() { return }
            usleep(50_000)
        }
        throw TestFailure("minipg server did not accept connections within \(timeoutSeconds) s:\n\(log())")
    }

    func acceptsConnections() -> Bool {
        guard let isready = TestEnvironment.tool("pg_isready") else { return portIsOpen() }
        let result = try? runCommand(isready, ["-h", "127.0.0.1", "-p", String(port), "-t", "1"], timeoutSeconds: 5)
        return result?.status == 0
    }

    private func portIsOpen() -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return result == 0
    }

    /// Sends a signal (SIGTERM smart, SIGINT fast, SIGQUIT immediate, SIGKILL crash) and waits for exit.
    @discardableResult
    func stop(signal: Int32 = SIGINT, timeoutSeconds: Double = 60) -> Int32 {
        guard let server = process else { return 0 }
        kill(server.processIdentifier, signal)
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while server.isRunning && Date() < deadline { usleep(10_000) }
        if server.isRunning { kill(server.processIdentifier, SIGKILL) }
        server.waitUntilExit()
        process = nil
        try? logHandle?.close()
        logHandle = nil
        return server.terminationStatus
    }

    func log() -> String { (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "(no log)" }

    /// Runs psql against this server with a script on standard input (stdout+stderr captured).
    func psql(_ script: String, extraArguments: [String] = []) throws -> CommandResult {
        guard let psql = TestEnvironment.tool("psql") else { throw TestFailure("psql is not installed") }
        return try runCommand(psql, ["-X", "-h", "localhost", "-p", String(port), "-U", "postgres"] + extraArguments,
                              input: script, environment: ["PGPASSWORD": password, "PGCONNECT_TIMEOUT": "10"])
    }

    func cleanUp() {
        stop(signal: SIGKILL)
        try? FileManager.default.removeItem(at: directory)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
