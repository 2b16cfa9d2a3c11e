// A real kill -9: a child process (this test binary, running only `childWorkload`) commits rows
// one transaction at a time and records each acknowledged commit; the parent SIGKILLs it at a
// random moment, reopens the data directory and checks that every acknowledged row is there and
// nothing else (but the one commit that may have been in flight).
#if canImport(Glibc)
import Glibc
#endif
import Testing
import WAL
@testable import Storage

@Suite("Kill -9")
struct KillTests {
    static let childVariable = "MINIPG_STORAGE_KILL_CHILD"
    static let rel = RelationID(17000)
    static let rounds = 5
    static let commitsBeforeKill = 40
    /// A child never commits more than this, however late the parent's kill comes.
    static let childCommitsMaximum = 20_000

    /// Runs only inside the child process; a no-op in a normal test run.
    @Test func childWorkload() throws {
        guard let raw = getenv(Self.childVariable) else { return }
        let directory = String(cString: raw)
        let data = TestDataDirectory(path: directory)
        var configuration = TestDataDirectory.configuration(sharedBuffers: 16)
        configuration.checkpointTimeout = .milliseconds(200)
        let engine = try data.open(configuration)
        let acked = open(directory + "/../acked", O_WRONLY | O_APPEND | O_CREAT, 0o600)
        var n = getenv("MINIPG_STORAGE_KILL_START").flatMap { Int(String(cString: $0)) } ?? 0
        let parent = getppid()
        let last = n + Self.childCommitsMaximum
        // Until killed — or, should the parent be gone, stop on our own.
        while getppid() == parent {
            if n >= last { usleep(10_000); continue }     // bounded work: wait to be killed
            let xid = try engine.transactions.assignTransactionID()
            _ = try engine.heap(Self.rel).insert(Self.payload(n), xid: xid, command: CommandID(0))
            try engine.transactions.commit(xid)
            let line = Array("\(n)\n".utf8)
            _ = line.withUnsafeBytes { write(acked, $0.baseAddress, $0.count) }
            n += 1
        }
    }

    @Test func acknowledgedCommitsSurviveSIGKILL() throws {
        guard getenv(Self.childVariable) == nil else { return }
        let data = try TestDataDirectory()
        defer { data.remove() }
        let configuration = TestDataDirectory.configuration(sharedBuffers: 16)
        let engine = try data.create(configuration)
        let create = try engine.transactions.assignTransactionID()
        try engine.createRelation(Self.rel, kind: .heap, xid: create)
        try engine.transactions.commit(create)
        try engine.shutdown()

        let ackedPath = data.path + "/../acked"
        var start = 0
        for _ in 0..<Self.rounds {
            let pid = try spawnChild(directory: data.path, start: start)
            // Wait for some acknowledged commits (bounded: a minute), then kill at a random moment.
            let before = readNumbers(ackedPath).count
            for _ in 0..<600 {
                usleep(20_000)
                if readNumbers(ackedPath).count >= before + Self.commitsBeforeKill { break }
            }
            usleep(UInt32.random(in: 0...20_000))
            #expect(kill(pid, SIGKILL) == 0)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            let acked = readNumbers(ackedPath)
            #expect(acked.count >= before + Self.commitsBeforeKill, "the child made too little progress")

            let reopened = try data.open(configuration)
            var visible = Set<Int>()
            try reopened.heap(Self.rel).scan(snapshot: reopened.transactions.snapshot(for: .invalid, command: CommandID(0))) { _, bytes in
                if let number = Self.number(in: bytes) { visible.insert(number) }
                return true
            }
            let ackedSet = Set(acked)
            #expect(ackedSet.isSubset(of: visible), "\(ackedSet.subtracting(visible).count) acknowledged commits lost, e.g. \(ackedSet.subtracting(visible).sorted().prefix(10))")
            let inFlight = (acked.max() ?? -1) + 1
            #expect(visible.subtracting(ackedSet).isSubset(of: [inFlight]), "rows that were never acknowledged: \(visible.subtracting(ackedSet).sorted().prefix(10))")
            start = max(inFlight, visible.max() ?? 0) + 1
            // The in-flight commit, if it made it, counts as acknowledged from now on.
            if visible.contains(inFlight) { appendNumber(inFlight, to: ackedPath) }
            try reopened.shutdown()
        }
    }

    /// "<n>;" padded with zeros to 500 bytes.
    static func payload(_ n: Int) -> [UInt8] {
        Array("\(n);".utf8) + [UInt8](repeating: 0, count: 500)
    }

    static func number(in bytes: UnsafeRawBufferPointer) -> Int? {
        Int(String(decoding: bytes.prefix { $0 != UInt8(ascii: ";") }, as: UTF8.self))
    }

    private func spawnChild(directory: String, start: Int) throws -> pid_t {
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { throw StorageError(.io, "readlink /proc/self/exe failed") }
        let executable = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let arguments = [executable, "--testing-library", "swift-testing", "--filter", "childWorkload"]
        var environment = ProcessEnvironment.current.filter { !$0.hasPrefix(Self.childVariable) && !$0.hasPrefix("MINIPG_STORAGE_KILL_START") }
        environment.append("\(Self.childVariable)=\(directory)")
        environment.append("MINIPG_STORAGE_KILL_START=\(start)")
        var argv = arguments.map { strdup($0) } + [nil]
        var envp = environment.map { strdup($0) } + [nil]
        defer { for p in argv + envp { free(p) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, nil, &argv, &envp)
        guard result == 0 else { throw StorageError(.io, "posix_spawn failed: \(result)") }
        return pid
    }

    private func readNumbers(_ path: String) -> [Int] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n <= 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        // Only complete lines: the child may have been killed in the middle of one.
        guard let lastNewline = bytes.lastIndex(of: UInt8(ascii: "\n")) else { return [] }
        return bytes[...lastNewline].split(separator: UInt8(ascii: "\n")).compactMap { Int(String(decoding: $0, as: UTF8.self)) }
    }

    private func appendNumber(_ number: Int, to path: String) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o600)
        let line = Array("\(number)\n".utf8)
        _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }
}

/// The environment of this process as "NAME=value" strings.
enum ProcessEnvironment {
    static var current: [String] {
        var result: [String] = []
        var pointer = environ
        while let entry = pointer.pointee {
            result.append(String(cString: entry))
            pointer += 1
        }
        return result
    }
}
