// The HA loop's nap ends early for what matters: a vanished leader key (watched in the DCS) or a REST
// request; a signal that arrives during a cycle is kept for the next nap.
import Testing
@testable import HA

@Suite struct LoopWakeupTests {
    @Test func aSignalDuringACycleEndsTheNextNapAtOnce() async {
        let wakeup = LoopWakeup()
        wakeup.signal(.requested("config changed"))
        #expect(await wakeup.nap(for: .seconds(10), clock: ManualClock()) == .requested("config changed"))
    }

    @Test func theNapEndsAfterLoopWaitWithoutSignals() async {
        let clock = ManualClock()
        let wakeup = LoopWakeup()
        let nap = Task { await wakeup.nap(for: .seconds(10), clock: clock) }
        for _ in 0..<100 { await Task.yield() }
        clock.advance(by: .seconds(10))
        #expect(await nap.value == .loopWait)
    }

    @Test func theLeaderKeyVanishingWakesTheLoopButMemberUpdatesDoNot() async throws {
        let clock = ManualClock()
        let store = InMemoryKeyValueStore(clock: clock)
        let leader = ClusterStore(store: store, scope: "demo", memberName: "patroni1")
        try await leader.refreshLease(ttl: 30)
        #expect(try await leader.attemptToAcquireLeaderLock())
        let revision = try await leader.load().revision
        try await store.put(key: leader.memberKey("patroni2"), value: "{}", lease: 0)
        try await leader.releaseLeaderLock()

        let wakeup = LoopWakeup()
        let watcher = DCSChangeWatcher(clusterStore: leader, wakeup: wakeup, clock: clock)
        let watching = Task { await watcher.run(from: revision + 1) { revision } }
        defer { watching.cancel() }
        #expect(await wakeup.nap(for: .seconds(10), clock: clock) == .dcsChange(key: "leader"))
    }
}
