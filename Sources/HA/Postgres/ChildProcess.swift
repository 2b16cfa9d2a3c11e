// ChildProcess: a process the agent started (posix_spawn) or adopted, and the few things the agent does
// with it — signal it, ask whether it is still alive, reap it. The agent's own server and the one-shot
// tools it runs (`minipg initdb`, `basebackup`, `rewind`, `controldata`) are all ChildProcesses.
//
// Invariants: a child is reaped exactly once (waitpid), after which `exitDescription` says how it ended
// and no signal is ever sent to its pid again (the pid may belong to someone else by then). An adopted
// process (a server a previous agent started; not our child, so not ours to reap) is alive while
// kill(pid, 0) succeeds and /proc/<pid> is not a zombie.
// The child stays in the agent's process group, so killing the agent's group (as `minipg cluster kill`
// does) takes the server with it — as SIGKILL of a whole Patroni container would.

import Foundation
#if canImport(Glibc)
import Glibc
#endif

final class ChildProcess: @unchecked Sendable {
    /// Where the child's standard output and error go.
    enum Output {
        /// Appended to this file (the server's log).
        case appendToFile(String)
        /// Into a pipe the caller reads (`readAllOutput()`), for tools whose messages we interpret.
        case pipe
    }

    let pid: pid_t
    /// False for a process a previous agent started: alive-checks only, no waitpid.
    let isOwnChild: Bool
    private let lock = NSLock()
    private var exitStatus: Int32?
    private var outputDescriptor: Int32?

    private init(pid: pid_t, isOwnChild: Bool, outputDescriptor: Int32?) {
        self.pid = pid
        self.isOwnChild = isOwnChild
        self.outputDescriptor = outputDescriptor
    }

    deinit {
        if let outputDescriptor { close(outputDescriptor) }
    }

    /// Starts `executable arguments…` with stdin from /dev/null and stdout+stderr as `output` says.
    static func spawn(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                      output: Output) throws -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        var readEnd: Int32?
        var writeEnd: Int32?
        switch output {
        case .appendToFile(let path):
            posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        case .pipe:
            var ends: [Int32] = [0, 0]
            guard pipe(&ends) == 0 else { throw ChildProcessError.spawn(executable, errno) }
            _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
            posix_spawn_file_actions_adddup2(&actions, ends[1], 1)
            (readEnd, writeEnd) = (ends[0], ends[1])
        }
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // No descriptor of the agent (its REST API socket, etcd connections) leaks into the child.
        // (glibc ignores EBADF from these closes, so a descriptor closed meanwhile does no harm.)
        for descriptor in openDescriptors() where descriptor > 2 && descriptor != writeEnd {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
        // The child starts with default signal handling and nothing blocked, whatever the agent's
        // threads had: the server installs its own handlers.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGUSR1, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        if let writeEnd { close(writeEnd) }
        guard result == 0 else {
            if let readEnd { close(readEnd) }
            throw ChildProcessError.spawn(executable, result)
        }
        return ChildProcess(pid: pid, isOwnChild: true, outputDescriptor: readEnd)
    }

    /// This process's open descriptors, from /proc/self/fd.
    private static func openDescriptors() -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap { Int32($0) }
    }

    /// A server a previous agent left running, if `pid` is alive and runs `executable server -D dataDirectory`
    /// (the command line, not only the pid, so a recycled pid is never taken for our server).
    static func adopt(pid: pid_t, executable: String, dataDirectory: String) -> ChildProcess? {
        guard pid > 0, kill(pid, 0) == 0, !isZombie(pid),
              let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
        let arguments = cmdline.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        let sameBinary = arguments.first.map { URL(fileURLWithPath: $0).lastPathComponent }
            == URL(fileURLWithPath: executable).lastPathComponent
        guard sameBinary, arguments.contains("server"), arguments.contains(dataDirectory) else { return nil }
        return ChildProcess(pid: pid, isOwnChild: false, outputDescriptor: nil)
    }

    /// Exited and waiting to be reaped. The leader of an exiting process shows "Z" while its other
    /// threads are still ending; only when the leader is its last task has the whole process exited.
    private static func isZombie(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        guard stat.contains(") Z ") else { return false }
        return ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []).count <= 1
    }

    /// Alive = not yet exited; reaps an exited child as a side effect.
    var isAlive: Bool {
        lock.lock(); defer { lock.unlock() }
        guard exitStatus == nil else { return false }
        guard isOwnChild else { return kill(pid, 0) == 0 && !Self.isZombie(pid) }
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid || (result < 0 && errno == ECHILD) {
            exitStatus = result == pid ? status : -1
            return false
        }
        return true
    }

    /// Sends `signal` unless the process has already ended (never to a reaped pid).
    func send(_ signal: Int32) {
        guard isAlive else { return }
        kill(pid, signal)
    }

    /// Polls until the process ended or `timeout` passed; true if it ended.
    func waitForExit(timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while isAlive {
            if ContinuousClock.now >= deadline { return false }
            usleep(20_000)
        }
        return true
    }

    /// "exited with exit code 1", "was terminated by signal 9: Killed" (PostgreSQL's wording), or nil.
    var exitDescription: String? {
        lock.lock(); defer { lock.unlock() }
        guard let status = exitStatus else { return nil }
        if status < 0 { return "exited" }
        let signal = status & 0x7f
        if signal == 0 { return "exited with exit code \((status >> 8) & 0xff)" }
        return "was terminated by signal \(signal): \(String(cString: strsignal(signal)))"
    }

    /// The exit code of a child that exited normally (nil while running, or when a signal ended it).
    var exitCode: Int32? {
        lock.lock(); defer { lock.unlock() }
        guard let status = exitStatus, status >= 0, status & 0x7f == 0 else { return nil }
        return (status >> 8) & 0xff
    }

    /// For `.pipe` children: everything the child writes until it closes its output, then waits for it.
    func readAllOutputAndWait() -> String {
        var bytes: [UInt8] = []
        if let descriptor = outputDescriptor {
            var chunk = [UInt8](repeating: 0, count: 16 * 1024)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count > 0 { bytes.append(contentsOf: chunk[0..<count]); continue }
                if count < 0 && errno == EINTR { continue }
                break
            }
        }
        while isAlive { usleep(10_000) }
        return String(decoding: bytes, as: UTF8.self)
    }
}

enum ChildProcessError: Error, CustomStringConvertible {
    case spawn(String, Int32)

    var description: String {
        switch self {
        case .spawn(let executable, let code): "could not start \"\(executable)\": \(String(cString: strerror(code)))"
        }
    }
}
