// MiniPGPrimary: the real `minipg` binary (the one `swift build` produced; MINIPG_BIN overrides) as a
// primary for the receiver's tests: initdb with trust authentication, then `minipg server` on a free
// port in the background, stopped with SIGQUIT (immediate) by the test.

import Foundation
import Glibc
import PGWire

final class MiniPGPrimary {
    static var binary: String {
        if let explicit = ProcessInfo.processInfo.environment["MINIPG_BIN"] { return explicit }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/minipg").path
    }
    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: binary) }

    let root: String
    let dataDirectory: String
    let port: Int
    private var pid: pid_t = 0

    init() throws {
        root = "/tmp/rcv-minipg-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        dataDirectory = root + "/d"
        port = RealPostgres.freePort()
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try RealPostgres.run(Self.binary, ["initdb", "-D", dataDirectory, "--auth", "trust"])
        pid = try Self.spawn(Self.binary, ["server", "-D", dataDirectory, "-p", String(port)], log: root + "/log")
        var connected = false
        for _ in 0..<600 where !connected {
            if let connection = try? PGClientConnection.connect(configuration()) {
                connection.close()
                connected = true
            } else {
                usleep(50_000)
            }
        }
        guard connected else { throw TestFailure("minipg did not start: \(log)") }
    }

    var log: String { (try? String(contentsOfFile: root + "/log", encoding: .utf8)) ?? "" }

    func configuration(replication: String? = nil) -> PGClientConfiguration {
        PGClientConfiguration(host: "127.0.0.1", port: port, user: "postgres",
                              database: replication == nil ? "postgres" : nil, replication: replication)
    }

    @discardableResult
    func sql(_ text: String) throws -> [PGQueryResult] {
        let connection = try PGClientConnection.connect(configuration())
        defer { connection.close() }
        return try connection.simpleQuery(text)
    }

    func stop() {
        if pid > 0 {
            kill(pid, SIGQUIT)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            pid = 0
        }
        try? FileManager.default.removeItem(atPath: root)
    }

    private static func spawn(_ executable: String, _ arguments: [String], log: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard result == 0 else { throw TestFailure("could not start \(executable): \(String(cString: strerror(result)))") }
        return pid
    }
}
