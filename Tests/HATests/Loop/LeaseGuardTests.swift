// The self-fence: a primary whose lease renewals stop succeeding stops accepting writes before its lease
// can expire — even while its HA loop hangs inside a DCS call — so no other node can be promoted while it
// is still writable.
import Testing
@testable import HA

@Suite struct LeaseGuardTests {
    /// Yields until `condition` holds (the guard runs in its own task); gives up after many rounds.
    private func eventually(_ condition: () -> Bool) async -> Bool {
        for _ in 0..<10_000 {
            if condition() { return true }
            await Task.yield()
        }
        return condition()
    }

    @Test func theDeadlineIsTheRenewalStartPlusTTLMinusTheMargin() {
        let guardian = LeaseGuard(clock: ManualClock(), logger: .init(label: "test")) {}
        #expect(guardian.deadline == nil)
        guardian.renewed(at: .seconds(5), ttl: .seconds(30))
        #expect(guardian.deadline == .seconds(34))
        guardian.renewed(at: .seconds(2), ttl: .seconds(30))       // an older renewal arriving late is ignored
        #expect(guardian.deadline == .seconds(34))
        guardian.renewed(at: .seconds(6), ttl: .seconds(3))        // ttl lowered: the key is on a 3 s lease now
        #expect(guardian.deadline == .milliseconds(8_250))
        #expect(LeaseGuard.safetyMargin(ttl: .seconds(3)) == .milliseconds(750))
        guardian.disarm()
        #expect(guardian.deadline == nil)
    }

    @Test func aPrimaryStuckInAHangingDCSCallIsFencedBeforeItsLeaseCanExpire() async throws {
        let cluster = LoopTestCluster()
        await cluster.bootstrap()                                   // patroni1 renewed at t = 0
        let primary = cluster.agent("patroni1")
        let guardTask = Task { await primary.leaseGuard.run() }
        defer { guardTask.cancel() }

        cluster.link("patroni1").hang()                             // etcd stops answering it, silently
        let stuckCycle = Task { await cluster.cycle("patroni1") }
        cluster.clock.advance(by: .seconds(28))
        for _ in 0..<1_000 { await Task.yield() }
        #expect(cluster.fleet.index(of: "patroni1", "stop immediate") == nil)   // still inside its lease
        cluster.clock.advance(by: .seconds(1))                      // t = 29 = 0 + ttl 30 − margin 1
        #expect(await eventually { cluster.fleet.index(of: "patroni1", "stop immediate") != nil })
        #expect(primary.leaseGuard.fenceCount == 1)

        // Only now can the lease run out and another node be promoted: the old primary was stopped first.
        cluster.clock.advance(by: .seconds(2))
        await cluster.cycle("patroni2")
        await cluster.cycle("patroni3")
        let promoted = try #require(cluster.fleet.events.firstIndex { $0.action == "promote" })
        let fenced = try #require(cluster.fleet.index(of: "patroni1", "stop immediate"))
        #expect(fenced < promoted)

        // When its DCS answers again it follows the new leader, after the rewind check a fenced primary needs.
        cluster.server("patroni1").update { $0.diverged = true }
        cluster.link("patroni1").release()
        _ = await stuckCycle.value
        let leader = try #require(try await cluster.view().leader?.name)
        #expect(await cluster.cycle("patroni1")
                == "rewound from \(leader); started postgres as a standby of \(leader)")
    }

    @Test func aLeaderThatFindsTheLockTakenDemotesAtOnce() async throws {
        let cluster = LoopTestCluster()
        await cluster.bootstrap()
        cluster.link("patroni1").isCut = true                       // partitioned from etcd and its peers
        cluster.peers.setDown(LoopTestCluster.apiURL("patroni1"), true)
        await cluster.pass(seconds: 31, cycling: ["patroni2", "patroni3"])
        #expect(try await cluster.view().leader?.name == "patroni2")
        cluster.link("patroni1").isCut = false
        // Its loop never saw the deadline pass (no guard task here): the cycle itself finds the key taken.
        #expect(await cluster.cycle("patroni1") == "demoted self because patroni2 holds the leader lock and I was a primary")
        #expect(cluster.fleet.index(of: "patroni1", "stop immediate") != nil)
    }
}
