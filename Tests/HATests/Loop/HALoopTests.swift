// The HA loop's decisions, cycle by cycle, on three agents sharing an in-memory DCS and a manual clock:
// bootstrap, keeping the lock, the leader race after a leader dies (positions, lag, nofailover,
// failover_priority), DCS loss, switchover and failover requests, pause, synchronous mode, and a former
// primary rejoining. Servers are simulated; peers answer with the other agents' real status.
import Testing
@testable import HA

@Suite struct HALoopTests {
    @Test func oneNodeInitializesAndTheOthersCloneIt() async throws {
        let cluster = LoopTestCluster()
        for name in ["patroni1", "patroni2", "patroni3"] { cluster.addNode(name) }
        #expect(await cluster.cycle("patroni1") == "trying to bootstrap a new cluster")
        #expect(await cluster.cycle("patroni2") == "waiting for leader to bootstrap")
        _ = await cluster.agent("patroni1").waitForAction()
        #expect(await cluster.cycle("patroni1") == "no action. I am (patroni1), the leader with the lock")
        #expect(await cluster.cycle("patroni2") == "trying to bootstrap from leader 'patroni1'")
        _ = await cluster.agent("patroni2").waitForAction()
        #expect(await cluster.cycle("patroni2")
                == "no action. I am (patroni2), a secondary, and following a leader (patroni1)")

        let view = try await cluster.view()
        #expect(view.leader?.name == "patroni1")
        #expect(view.initialize == cluster.fleet.systemIdentifier)
        #expect(view.config?.ttl == 30)
        #expect(view.member(named: "patroni1")?.status.role == "master")
        #expect(view.member(named: "patroni2")?.status.state == "running")
        // The lock is taken before the new cluster's server starts as a primary.
        let events = cluster.fleet.events.filter { $0.node == "patroni1" }.map(\.action)
        #expect(events == ["initdb", "start as primary"])
        #expect(cluster.fleet.index(of: "patroni2", "clone from patroni1") != nil)
    }

    @Test func theLeaderKeepsItsLockCycleAfterCycle() async throws {
        let cluster = LoopTestCluster()
        await cluster.bootstrap()
        await cluster.pass(seconds: 120, cycling: ["patroni1", "patroni2", "patroni3"])
        #expect(await cluster.cycle("patroni1") == "no action. I am (patroni1), the leader with the lock")
        #expect(try await cluster.view().leader?.name == "patroni1")
        #expect(await cluster.agent("patroni1").holdsLeaderLock())
    }

    @Test func whenTheLeaderDiesTheReplicaFurthestAheadWins() async throws {
        let cluster = LoopTestCluster()
        await cluster.bootstrap()
        cluster.write(bytes: 4096, on: "patroni1", replicatedTo: ["patroni2"])
        await cluster.cycle("patroni1")
        cluster.kill("patroni1")
        await cluster.pass(seconds: 20, cycling: ["patroni2", "patroni3"])
        #expect(try await cluster.view().leader?.name == "patroni1")   // its lease has not run out yet
        cluster.clock.advance(by: .seconds(11))
        let refused = await cluster.cycle("patroni3")
        #expect(refused.hasPrefix("not racing for the leader lock because I am not the healthiest node: "
                                  + "patroni2 is ahead of me"))
        #expect(await cluster.cycle("patroni2") == "promoted self to leader by acquiring session lock")
        #expect(await cluster.cycle("patroni3") == "following new leader patroni2 (was patroni1)")
        let view = try await cluster.view()
        #expect(view.leader?.name == "patroni2")
        #expect(view.history.map(\.timeline) == [1])
        #expect(view.history.first?.newLeader == "patroni2")
        #expect(cluster.server("patroni2").state.timeline == 2)
    }

    @Test func aReplicaTooFarBehindTheLastKnownPrimaryPositionDoesNotRace() async throws {
        let cluster = LoopTestCluster()
        await cluster.bootstrap()
        cluster.write(bytes: 2 << 20, on: "patroni1", replicatedTo: [])
        await cluster.cycle("patroni1")                          // publishes /status with its flush LSN
        cluster.kill("patroni1")
        await cluster.pass(seconds: 31, cycling: ["patroni2", "patroni3"])
        let message = await cluster.cycle("patroni2")
        #expect(message.contains("bytes behind the last known primary position"))
        #expect(message.contains("maximum_lag_on_failover is 1048576"))
        #expect(try await cluster.view().isUnlocked)
    }

    @Test func aNofailoverMemberNeverRacesEvenWhenAhead() async throws {
        let cluster = LoopTestCluster()
        cluster.addNode("patroni1")
        cluster.addNode("patroni2", tags: ["nofailover": .bool(true)])
        cluster.addNode("patroni3")
        await cluster.bootstrap()
        cluster.write(bytes: 4096, on: "patroni1", replicatedTo: ["patroni2"])
        cluster.kill("patroni1")
        await cluster.pass(seconds: 31, cycling: [])
        #expect(await cluster.cycle("patroni2")
                == "not racing for the leader lock because I am not the healthiest node: my tags forbid "
                   + "promotion (nofailover or failover_priority ≤ 0)")
        #expect(await cluster.cycle("patroni3") == "promoted self to leader by acquiring session lock")
    }

    @Test func equalPositionsAreDecidedByFailoverPriority() async throws {
        let cluster = LoopTestCluster()
        cluster.addNode("patroni1")
        cluster.addNode("patroni2")
        cluster.addNode("patroni3", tags: ["failover_priority": .int(2)])
        await cluster.bootstrap()
        cluster.kill("patroni1")
        await cluster.pass(seconds: 31, cycling: ["patroni2", "patroni3"])
        // Both cycled after the lease ran out; patroni2 went first and stood down, patroni3 won.
        let view = try await cluster.view()
        #expect(view.leader?.name == "patroni3")
        #expect(cluster.fleet.index(of: "patroni2", "promote") == nil)
        #expect(await cluster.agent("patroni2").lastDecision == "following new leader patroni3 (was patroni1)")
    }

    @Test func aPrimaryKeepsServingThroughADCSOutageUntilItsLeaseDeadlineThenDemotes() async throws {
        let cluster = LoopTestCluster()
        await cluster.bootstrap()
        for name in ["patroni1", "patroni2", "patroni3"] { cluster.link(name).isCut = true }
        cluster.clock.advance(by: .seconds(10))
        let keeping = await cluster.cycle("patroni1")
        #expect(keeping.contains("I remain primary for at most 19.0 seconds more"))
        #expect(await cluster.cycle("patroni2")
                == "DCS is not accessible (link to the DCS is cut); keeping postgres as it is")
        cluster.clock.advance(by: .seconds(20))                     // past ttl − margin = 29 s
        #expect(await cluster.cycle("patroni1")
                == "demoted self because DCS is not accessible and I was a leader (link to the DCS is cut)")
        #expect(!cluster.server("patroni1").state.isRunning)
        #expect(cluster.server("patroni2").state.isRunning)          // replicas keep running
    }

    @Test func aSwitchoverHandsTheLockToTheCandidateAndTheOldLeaderFollows() async throws {
        let cluster = LoopTestCluster()
        await cluster.bootstrap()
        let ctl = ClusterStore(store: cluster.store, scope: "demo", memberName: "ctl")
        #expect(try await ctl.setFailover(FailoverRequest(leader: "patroni1", member: "patroni3")))
        #expect(await cluster.cycle("patroni1") == "manual failover: demoted self gracefully and released the "
                + "leader lock; patroni3 takes over")
        #expect(try await cluster.view().isUnlocked)
        #expect(await cluster.cycle("patroni2") == "not racing for the leader lock because I am not the healthiest "
                + "node: a manual failover to patroni3 is in progress")
        #expect(await cluster.cycle("patroni1")
                == "postgres is not running; waiting for the manual failover to patroni3 to complete")
        #expect(await cluster.cycle("patroni3") == "promoted self to leader by acquiring session lock")
        #expect(try await cluster.view().failover == nil)
        #expect(await cluster.cycle("patroni1")
                == "my WAL had not diverged; started postgres as a standby of patroni3")
        #expect(await cluster.cycle("patroni2") == "following new leader patroni3 (was patroni1)")
        let order = ["checkpoint", "stop fast"].compactMap { cluster.fleet.index(of: "patroni1", $0) }
        #expect(order.count == 2 && order[0] < order[1])
    }

    @Test func aSwitchoverWithoutAnAbleCandidateIsRefusedWithReasons() async throws {
        let cluster = LoopTestCluster()
        await cluster.bootstrap()
        cluster.kill("patroni3")
        let ctl = ClusterStore(store: cluster.store, scope: "demo", memberName: "ctl")
        #expect(try await ctl.setFailover(FailoverRequest(leader: "patroni1", member: "patroni3")))
        #expect(await cluster.cycle("patroni1") == "cleaning up failover key: no member can take over: "
                + "patroni3: unreachable (connection refused)")
        #expect(try await cluster.view().leader?.name == "patroni1")
        #expect(cluster.server("patroni1").state.isRunning)
    }

    @Test func aFailoverToANamedCandidateWorksWithoutALeader() async throws {
        let cluster = LoopTestCluster()
        await cluster.bootstrap()
        cluster.write(bytes: 4096, on: "patroni1", replicatedTo: ["patroni2"])
        cluster.kill("patroni1")
        await cluster.pass(seconds: 20, cycling: ["patroni2", "patroni3"])
        let ctl = ClusterStore(store: cluster.store, scope: "demo", memberName: "ctl")
        #expect(try await ctl.setFailover(FailoverRequest(member: "patroni3")))
        cluster.clock.advance(by: .seconds(11))
        #expect(await cluster.cycle("patroni2") == "not racing for the leader lock because I am not the healthiest "
                + "node: a manual failover to patroni3 is in progress")
        #expect(await cluster.cycle("patroni3") == "promoted self to leader by acquiring session lock")
    }

    @Test func pauseMeansNoFailover() async throws {
        let cluster = LoopTestCluster()
        await cluster.bootstrap()
        #expect(try await cluster.patchConfig(["pause": .bool(true)]))
        await cluster.cycle("patroni1")
        cluster.kill("patroni1")
        await cluster.pass(seconds: 31, cycling: ["patroni2", "patroni3"])
        #expect(await cluster.cycle("patroni2") == "PAUSE: the cluster has no leader; would have raced for the leader lock")
        #expect(cluster.fleet.events.allSatisfy { $0.action != "promote" })
        #expect(try await cluster.view().member(named: "patroni2")?.status.pause == true)
    }

    @Test func inSynchronousModeOnlyTheSynchronousStandbyMayTakeOver() async throws {
        var config = LoopTestCluster.defaultConfig
        config = config.merging(patch: .object(["synchronous_mode": .bool(true)]))
        let cluster = LoopTestCluster(config: config)
        await cluster.bootstrap()
        await cluster.cycle("patroni1")       // patroni2 became synchronous after the last reload: publish it
        let sync = try await cluster.view().sync
        #expect(sync == SyncState(leader: "patroni1", syncStandby: "patroni2"))
        #expect(cluster.server("patroni1").state.parameters["synchronous_standby_names"] == "\"patroni2\"")

        cluster.write(bytes: 4096, on: "patroni1", replicatedTo: ["patroni2", "patroni3"])
        cluster.server("patroni3").update { $0.walPosition += 100 }   // an async standby ahead: still not eligible
        cluster.kill("patroni1")
        await cluster.pass(seconds: 31, cycling: [])
        #expect(await cluster.cycle("patroni3") == "not racing for the leader lock because I am not the healthiest "
                + "node: synchronous_mode is on and I am not a synchronous standby (synchronous standbys: "
                + "patroni2): I may lack acknowledged commits")
        #expect(await cluster.cycle("patroni2") == "promoted self to leader by acquiring session lock")
        #expect(try await cluster.view().sync?.leader == "patroni2")
    }

    @Test func aFormerPrimaryRejoinsAsAStandbyRewindingWhenItDiverged() async throws {
        let cluster = LoopTestCluster()
        await cluster.bootstrap()
        cluster.kill("patroni1")
        await cluster.pass(seconds: 31, cycling: ["patroni2", "patroni3"])
        #expect(try await cluster.view().leader?.name == "patroni2")

        // patroni1's agent comes back (a new process) over a data directory that wrote WAL nobody received.
        cluster.server("patroni1").update { $0.diverged = true }
        cluster.addNode("patroni1")
        cluster.peers.setDown(LoopTestCluster.apiURL("patroni1"), false)
        #expect(await cluster.cycle("patroni1")
                == "rewound from patroni2; started postgres as a standby of patroni2")
        #expect(cluster.server("patroni1").state.upstream == "patroni2")
        #expect(cluster.server("patroni1").state.timeline == 2)
    }

    @Test func aFormerPrimaryThatCannotRewindIsReCloned() async throws {
        let cluster = LoopTestCluster()
        await cluster.bootstrap()
        cluster.kill("patroni1")
        await cluster.pass(seconds: 31, cycling: ["patroni2", "patroni3"])
        cluster.server("patroni1").update { $0.diverged = true; $0.rewindImpossible = true }
        cluster.addNode("patroni1")
        #expect(await cluster.cycleAndFinishAction("patroni1") == "re-cloning from patroni2: rewind from "
                + "patroni2 impossible: no common checkpoint")
        let events = cluster.fleet.events.filter { $0.node == "patroni1" }.map(\.action).suffix(3)
        #expect(Array(events) == ["remove data directory", "clone from patroni2", "start as standby of patroni2"])
    }

    @Test func aPendingRestartShowsInTheMemberKeyAndARestartClearsTheState() async throws {
        let cluster = LoopTestCluster()
        await cluster.bootstrap()
        cluster.server("patroni2").update {
            $0.pendingRestart = ["max_connections": .init(oldValue: "100", newValue: "150")]
        }
        await cluster.cycle("patroni2")
        let member = try #require(try await cluster.view().member(named: "patroni2"))
        #expect(member.status.pendingRestart == true)
        #expect(member.status.pendingRestartReason?["max_connections"]?.newValue == "150")

        let result = await cluster.agent("patroni2").restart(RestartRequest(restartPending: true))
        #expect(result == ActionResult(200, "restarted successfully"))
        let events = cluster.fleet.events.filter { $0.node == "patroni2" }.map(\.action).suffix(2)
        #expect(Array(events) == ["stop fast", "start as standby of patroni1"])
        #expect(await cluster.agent("patroni1").restart(RestartRequest(role: "replica"))
                == ActionResult(503, "restart conditions are not satisfied: I am a primary, not a replica"))
    }

    @Test func aPrimaryWhoseKeysVanishedWithItsLeaseStillBlocksTheRace() async throws {
        let cluster = LoopTestCluster()
        await cluster.bootstrap()
        await cluster.cycle("patroni2")                            // remembers patroni1 as leader and member
        let lease = await cluster.agent("patroni1").clusterStore.currentLease
        try await cluster.store.revokeLease(lease)                 // leader and member key gone, server alive
        #expect(try await cluster.view().member(named: "patroni1") == nil)
        #expect(await cluster.cycle("patroni2")
                == "not racing for the leader lock because I am not the healthiest node: Primary (patroni1) is still alive")
        #expect(await cluster.cycle("patroni1") == "acquired session lock as a leader")
    }

    @Test func changingTTLKeepsTheLeader() async throws {
        let cluster = LoopTestCluster()
        await cluster.bootstrap()
        #expect(try await cluster.patchConfig(["ttl": .int(20), "loop_wait": .int(5)]))
        #expect(await cluster.cycle("patroni2")
                == "no action. I am (patroni2), a secondary, and following a leader (patroni1)")
        #expect(await cluster.cycle("patroni1") == "no action. I am (patroni1), the leader with the lock")
        #expect(await cluster.cycle("patroni3")
                == "no action. I am (patroni3), a secondary, and following a leader (patroni1)")
        cluster.clock.advance(by: .seconds(25))                    // the old 30 s lease has not lapsed yet …
        await cluster.cycle("patroni1")
        cluster.clock.advance(by: .seconds(10))                    // … and now it has: the key moved with it
        #expect(await cluster.cycle("patroni1") == "no action. I am (patroni1), the leader with the lock")
        #expect(try await cluster.view().leader?.name == "patroni1")
    }
}
