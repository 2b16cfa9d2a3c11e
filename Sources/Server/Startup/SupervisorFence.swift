// A server started by an HA agent dies with it. The agent is what keeps the leader lock alive; if the
// agent dies (SIGKILL, OOM, crash) its lease expires and another node is promoted — a primary left
// running without its agent would then be a second writable primary. So the agent starts the server with
// MINIPG_SUPERVISOR_PID set to its own pid, and a watcher thread in the server kills the server the
// moment its parent is no longer that pid (the kernel re-parents an orphan). Patroni needs a hardware or
// softdog watchdog for the same case.
//
// Why polling and not prctl(PR_SET_PDEATHSIG): that signal fires when the *thread* that spawned the child
// exits, and the agent spawns from a pool thread that may be retired while the agent lives on.
//
// Invariant: once `armIfSupervised()` returns, the server outlives its agent by at most `pollInterval`
// (100 ms) — far below any leader lease (ttl ≥ 3 s), so no other node can have been promoted yet.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public enum SupervisorFence {
    public static let environmentVariable = "MINIPG_SUPERVISOR_PID"
    static let pollInterval: useconds_t = 100_000

    /// Starts the watcher when MINIPG_SUPERVISOR_PID is set; exits at once when that process is not
    /// (or no longer) the parent. Returns the supervisor's pid, or nil when no agent started this server.
    @discardableResult
    public static func armIfSupervised() -> pid_t? {
        guard let text = ProcessInfo.processInfo.environment[environmentVariable],
              let supervisor = pid_t(text) else { return nil }
        checkParent(is: supervisor)
        let watcher = Thread {
            while true {
                usleep(pollInterval)
                checkParent(is: supervisor)
            }
        }
        watcher.name = "supervisor fence"
        watcher.start()
        return supervisor
    }

    /// SIGKILL, not a shutdown: nothing may run that could still accept a write.
    private static func checkParent(is supervisor: pid_t) {
        guard getppid() != supervisor else { return }
        FileHandle.standardError.write(Data(
            "FATAL:  the HA agent (PID \(supervisor)) that supervises this server is gone; stopping at once\n".utf8))
        kill(getpid(), SIGKILL)
    }
}
