// RealPostgres: a real PostgreSQL 15 server (Debian's /usr/lib/postgresql/15/bin) on a temporary
// directory and a free port, for testing the client side of replication against the real thing.
// It runs as the `postgres` OS user (PostgreSQL refuses root), with roles for each password method:
//
//   replicator   trust         (REPLICATION)       scram_user  scram-sha-256 (REPLICATION), password "scram pw"
//   md5_user     md5, "md5pw"                      clear_user  password (cleartext), "clearpw"
//
// Tests that need it are skipped when PostgreSQL 15 is not installed.

import Foundation
import Glibc

final class RealPostgres {
    static let binaries = "/usr/lib/postgresql/15/bin"
    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: binaries + "/postgres") }

    let root: String
    let dataDirectory: String
    let port: Int

    init() throws {
        root = "/tmp/rcv-pg-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        dataDirectory = root + "/d"
        port = Self.freePort()
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try Self.run("/bin/chown", ["postgres", root])
        try asPostgres("initdb", ["-D", dataDirectory, "--auth=trust", "-U", "postgres"])
        let hba = """
        host all scram_user 127.0.0.1/32 scram-sha-256
        host replication scram_user 127.0.0.1/32 scram-sha-256
        host all md5_user 127.0.0.1/32 md5
        host all clear_user 127.0.0.1/32 password
        local all all trust
        host all all 127.0.0.1/32 trust
        host replication all 127.0.0.1/32 trust

        """
        try Self.run("/bin/sh", ["-c", "cat > \(dataDirectory)/pg_hba.conf <<'EOF'\n\(hba)EOF"])
        try start()
        try sql("""
            CREATE ROLE replicator LOGIN REPLICATION;
            CREATE ROLE scram_user LOGIN REPLICATION PASSWORD 'scram pw';
            SET password_encryption = 'md5';
            CREATE ROLE md5_user LOGIN PASSWORD 'md5pw';
            CREATE ROLE clear_user LOGIN PASSWORD 'clearpw';
            """)
    }

    /// Runs SQL through psql as postgres; returns the unaligned, tuples-only output.
    @discardableResult
    func sql(_ text: String) throws -> String {
        try Self.run("/usr/bin/psql", ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", root, "-p", String(port),
                                       "-U", "postgres", "-d", "postgres", "-c", text])
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Starts (or restarts) the server and waits until it accepts connections.
    func start() throws {
        // Not through a pipe: the server would inherit it and the read would never see its end.
        try Self.run("/usr/sbin/runuser", ["-u", "postgres", "--", Self.binaries + "/pg_ctl", "-D", dataDirectory, "-w",
                                           "-l", root + "/log", "-o",
                                           "-p \(port) -k \(root) -c listen_addresses=127.0.0.1 -c wal_keep_size=256MB",
                                           "start"], captureOutput: false)
    }

    /// A fast shutdown: every connection, walsenders included, is ended.
    func shutDown() throws {
        try asPostgres("pg_ctl", ["-D", dataDirectory, "-m", "fast", "-w", "stop"])
    }

    func stop() {
        _ = try? asPostgres("pg_ctl", ["-D", dataDirectory, "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(atPath: root)
    }

    @discardableResult
    private func asPostgres(_ tool: String, _ arguments: [String]) throws -> String {
        try Self.run("/usr/sbin/runuser", ["-u", "postgres", "--", Self.binaries + "/" + tool] + arguments)
    }

    /// Runs a program to completion with posix_spawn (Foundation's Process did not notice that
    /// runuser had exited once pg_ctl had left a daemon behind); output goes through a file.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], captureOutput: Bool = true) throws -> String {
        let outputPath = "/tmp/rcv-pg-output-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        defer { unlink(outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, captureOutput ? outputPath : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else { throw TestFailure("could not start \(executable): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let output = captureOutput ? ((try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "") : ""
        guard status == 0 else {
            throw TestFailure("\(executable) \(arguments.joined(separator: " ")) failed (\(status)):\n\(output)")
        }
        return output
    }

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
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
