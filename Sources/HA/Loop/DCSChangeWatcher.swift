// Turns the DCS watch into wake-ups of the HA loop, so a member reacts to a vanished leader key at once
// instead of at its next loop_wait. This is what makes failover fast once the lease is gone:
//
//   leader dies ─(lease ttl runs out: the floor for a crash)─► etcd deletes /leader ─(watch: ms)─►
//   every replica wakes ─(GET /patroni of peers, in parallel: ms; a dead peer refuses at once)─►
//   the healthiest creates /leader ─► promote ─► first write.
//
// A graceful release (switchover, shutdown) deletes the key without waiting for the lease: near-instant.
//
// Only keys that change a decision wake the loop: leader, config, failover, initialize. Member keys and
// /status change on every cycle under write load; waking on them would make the members wake each other
// in a loop.
//
// Invariant: the watch resumes from the revision after the last event it saw, so no change is skipped; on
// an error it waits a second and resumes from the newest revision the loop has read.

struct DCSChangeWatcher: Sendable {
    let clusterStore: ClusterStore
    let wakeup: LoopWakeup
    let clock: any MonotonicClock
    /// Bounds one watch request so a silently dead connection is noticed.
    static let watchTimeout: Duration = .seconds(10)
    static let retryDelay: Duration = .seconds(1)

    private var relevantKeys: Set<String> {
        [clusterStore.leaderKey, clusterStore.configKey, clusterStore.failoverKey, clusterStore.initializeKey]
    }

    /// Runs until cancelled. `latestRevision` is the revision of the loop's newest DCS read.
    func run(from revision: Int64, latestRevision: @escaping @Sendable () async -> Int64) async {
        var next = revision
        let keys = relevantKeys
        while !Task.isCancelled {
            do {
                let events = try await clusterStore.store.watch(prefix: clusterStore.prefix, fromRevision: next,
                                                                timeout: Self.watchTimeout)
                for event in events { next = max(next, event.keyValue.modRevision + 1) }
                if let event = events.first(where: { keys.contains($0.keyValue.key) }) {
                    wakeup.signal(.dcsChange(key: String(event.keyValue.key.dropFirst(clusterStore.prefix.count))))
                }
            } catch {
                try? await clock.sleep(for: Self.retryDelay)
                next = max(next, await latestRevision() + 1)
            }
        }
    }
}
