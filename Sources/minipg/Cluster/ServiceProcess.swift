// Starting, finding and signalling a lab service as a background process — what docker-compose does
// with containers. Each service runs in its own session (setsid), so it survives the terminal that ran
// `cluster up`, and its process group holds everything it started: a node's agent and the `minipg server`
// it supervises. `kill` sends SIGKILL to that whole group, like `docker kill`.
//
// Invariant: a pid file is trusted only while /proc/<pid>/cmdline still shows the service's command, so a
// recycled pid is never signalled.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// glibc's POSIX_SPAWN_SETSID (since 2.26), which Swift's Glibc module does not import.
private let posixSpawnSetSID: Int32 = 0x80

struct ServiceProcess {
    let service: LabService
    let directory: LabDirectory

    /// The running process's pid, or nil when it is not running.
    var runningPID: pid_t? {
        guard let text = try? String(contentsOfFile: directory.pidFile(service.name), encoding: .utf8),
              let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0,
              kill(pid, 0) == 0 else { return nil }
        // A zombie or a recycled pid does not count.
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              !stat.contains(") Z "),
              let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
        let argv0 = String(decoding: cmdline.prefix { $0 != 0 }, as: UTF8.self)
        return argv0 == service.arguments.first ? pid : nil
    }

    /// Starts the service detached, with stdout and stderr appended to its log file. It inherits no
    /// other descriptor: a pipe of whoever ran `cluster up` (a test harness, `$(...)` in a shell) held open
    /// by a long-lived service would make that caller wait forever for end of file.
    func start() throws {
        closeInheritedDescriptorsOnExec()
        let log = directory.logFile(service.name)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(posixSpawnSetSID))

        let argv: [UnsafeMutablePointer<CChar>?] = service.arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, service.arguments[0], &actions, &attributes, argv, environ)
        guard result == 0 else {
            throw LabError("cannot start \(service.name): \(String(cString: strerror(result)))")
        }
        try "\(pid)\n".write(toFile: directory.pidFile(service.name), atomically: true, encoding: .utf8)
        reapWhenDone(pid)
    }

    /// SIGKILL to the service's process group (agent and server together), like `docker kill`.
    func killNow() {
        guard let pid = runningPID else { return }
        let serverPID = postmasterPID
        kill(-pid, SIGKILL)
        kill(pid, SIGKILL)
        if let serverPID { kill(serverPID, SIGKILL) }
    }

    /// SIGTERM, then SIGKILL after `grace`; returns once the process is gone.
    func stop(grace: Duration = .seconds(20)) {
        guard let pid = runningPID else { return }
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while runningPID != nil, ContinuousClock.now < deadline { usleep(100_000) }
        if runningPID != nil { killNow() }
        while runningPID != nil { usleep(50_000) }
    }

    /// Marks every open descriptor above stderr close-on-exec (posix_spawn has no portable "close all").
    private func closeInheritedDescriptorsOnExec() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return }
        for name in names {
            guard let fd = Int32(name), fd > 2 else { continue }
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
        }
    }

    /// A node's `minipg server` pid, from its data directory's postmaster.pid (first line).
    private var postmasterPID: pid_t? {
        guard service.kind == .node,
              let text = try? String(contentsOfFile: directory.dataDirectory(service.name) + "/postmaster.pid",
                                     encoding: .utf8),
              let first = text.split(separator: "\n").first, let pid = pid_t(first), pid > 0 else { return nil }
        return pid
    }

    /// Collects the child's exit status so it does not linger as a zombie while `cluster up` still runs.
    private func reapWhenDone(_ pid: pid_t) {
        Thread.detachNewThread {
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
    }
}
