// The agent's life: HA cycles until shutdown, each followed by a nap of up to loop_wait that a DCS change
// or a REST request ends early; the lease guard and the DCS watch run beside it as their own tasks.
//
// Timing chain of a failover after the leader (agent and server) is SIGKILLed:
//   its lease runs out ≤ ttl after its last renewal (that renewal happened ≤ loop_wait before the kill,
//   so detection takes ttl − loop_wait … ttl) → etcd deletes /leader → the watch wakes every replica at
//   once (not at its next loop_wait) → one parallel round of GET /patroni (the dead peer refuses at once)
//   → create-only write of /leader → promote (the server's end of recovery) → first write accepted.
//   With ttl 3 / loop_wait 1 / retry_timeout 1 that is ≈ 2–3 s plus the promotion; a graceful release
//   (switchover, `minipg node` stopped with SIGTERM/SIGINT) skips the ttl wait entirely.
//
// Shutdown (SIGTERM/SIGINT): finish the running cycle, stop the server fast, release the lock if held —
// a replica then takes over within one watch round trip instead of ttl.

extension HAAgent {
    /// Runs until `shutdown()` is called; throws when the node must not run (system ID mismatch).
    public func run() async throws {
        let guardTask = Task { await leaseGuard.run() }
        var watchTask: Task<Void, Never>?
        defer {
            guardTask.cancel()
            watchTask?.cancel()
        }
        while !isStopping {
            let started = clock.now()
            await runCycle()
            if let fatalError { throw HAFatalError(description: fatalError) }
            if watchTask == nil, let revision = view?.revision {
                let watcher = DCSChangeWatcher(clusterStore: clusterStore, wakeup: wakeup, clock: clock)
                watchTask = Task { await watcher.run(from: revision + 1) { await self.view?.revision ?? revision } }
            }
            nextRun = started + .seconds(config.loopWait)
            let nap = nextRun - clock.now()
            if isStopping { break }
            if nap <= .zero {
                logger.warning("Loop time exceeded, rescheduling immediately.")
                continue
            }
            let reason = await wakeup.nap(for: nap, clock: clock)
            if reason != .loopWait { logger.debug("HA loop woken early: \(reason)") }
        }
        await stopServerAndReleaseLock()
    }

    /// Ends `run()` after its current cycle.
    public func shutdown() {
        isStopping = true
        wakeup.signal(.requested("shutdown"))
    }

    private func stopServerAndReleaseLock() async {
        if let action { action.task.cancel() }
        logger.info("shutting down: stopping postgres")
        try? await controller.stop(mode: .fast)
        leaseGuard.disarm()
        if holdsLock {
            holdsLock = false
            if (try? await clusterStore.releaseLeaderLock()) == true {
                logger.info("released the leader lock: a replica can take over without waiting for ttl")
            }
        }
        try? await clusterStore.deleteMember(memberName)
    }
}

/// A condition under which the agent refuses to run (Patroni exits on these too).
public struct HAFatalError: Error, Sendable, CustomStringConvertible {
    public var description: String
}
