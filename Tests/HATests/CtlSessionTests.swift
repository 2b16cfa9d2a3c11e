// `minipg ctl` commands that change things, against the in-memory DCS: edit-config's diffs (the lab
// transcript's), its compare-and-set and its refusal of bad timing; failover/switchover dialogue and
// checks (the transcript's prompts and errors); pause falling back to the DCS; remove's confirmations.
import Foundation
import Testing
@testable import HA

@Suite struct CtlSessionTests {
    func editConfig(_ cluster: CtlTestCluster, _ request: ConfigEditRequest,
                    answers: [String] = []) async throws -> String {
        let terminal = ScriptedTerminal(answers: answers)
        try await cluster.session(terminal: terminal).editConfig(request) { _ in
            Issue.record("no editor expected")
            return ""
        }
        return terminal.output
    }

    @Test func editConfigParameterDiffMatchesPatronictl() async throws {
        let cluster = CtlTestCluster()
        try await cluster.startLab()
        let output = try await editConfig(cluster, ConfigEditRequest(parameters: ["max_connections=150"], force: true))
        #expect(output == """
            --- 
            +++ 
            @@ -2,7 +2,7 @@
             maximum_lag_on_failover: 1048576
             postgresql:
               parameters:
            -    max_connections: 100
            +    max_connections: 150
               pg_hba:
               - local all all trust
               - host all all 127.0.0.1/32 md5
            Configuration changed

            """)
        #expect(try await cluster.ctlStore.load().effectiveConfig.postgresqlParameters["max_connections"] == "150")
    }

    @Test func editConfigTimingDiffInTwoHunksMatchesPatronictl() async throws {
        let cluster = CtlTestCluster()
        try await cluster.startLab()
        let output = try await editConfig(cluster, ConfigEditRequest(
            settings: ["ttl=10", "loop_wait=2", "retry_timeout=3"], force: true))
        #expect(output == """
            --- 
            +++ 
            @@ -1,4 +1,4 @@
            -loop_wait: 10
            +loop_wait: 2
             maximum_lag_on_failover: 1048576
             postgresql:
               parameters:
            @@ -8,5 +8,5 @@
               - host all all 127.0.0.1/32 md5
               - host replication replicator 127.0.0.1/32 md5
               use_pg_rewind: true
            -retry_timeout: 10
            -ttl: 30
            +retry_timeout: 3
            +ttl: 10
            Configuration changed

            """)
        let config = try await cluster.ctlStore.load().effectiveConfig
        #expect(config.ttl == 10 && config.loopWait == 2 && config.retryTimeout == 3)
        // an added key, then nothing to change
        let added = try await editConfig(cluster, ConfigEditRequest(settings: ["synchronous_mode=true"], force: true))
        #expect(added.contains("@@ -9,4 +9,5 @@\n   - host replication replicator 127.0.0.1/32 md5\n   use_pg_rewind: true\n retry_timeout: 3\n+synchronous_mode: true\n ttl: 10\n"))
        #expect(try await editConfig(cluster, ConfigEditRequest(settings: ["synchronous_mode=true"], force: true)) == "Not changed\n")
    }

    @Test func editConfigRefusesBrokenTimingAndAsksBeforeWriting() async throws {
        let cluster = CtlTestCluster()
        try await cluster.startLab()
        let before = try await cluster.ctlStore.load().configRevision
        let error = await #expect(throws: CtlError.self) {
            _ = try await editConfig(cluster, ConfigEditRequest(settings: ["loop_wait=20"], force: true))
        }
        #expect(error?.description == "Configuration not changed: loop_wait + 2 * retry_timeout (20 + 2 * 10 = 40) must not exceed ttl (30); lower loop_wait or retry_timeout, or raise ttl")
        #expect(try await cluster.ctlStore.load().configRevision == before)

        let declined = try await editConfig(cluster, ConfigEditRequest(settings: ["ttl=40"]), answers: ["n"])
        #expect(declined.hasSuffix("+ttl: 40\nApply these changes? [y/N]: n\n"))
        #expect(try await cluster.ctlStore.load().effectiveConfig.ttl == 30)
        // -s key= deletes; dotted GUC names stay one parameter
        _ = try await editConfig(cluster, ConfigEditRequest(settings: ["maximum_lag_on_failover="],
                                                             parameters: ["pg_stat_statements.max=500"], force: true))
        let config = try await cluster.ctlStore.load().effectiveConfig.document
        #expect(config["maximum_lag_on_failover"] == nil)
        #expect(config["postgresql"]?["parameters"]?["pg_stat_statements.max"] == .int(500))
    }

    @Test func editConfigApplyMergesReplaceReplacesAndStandardInputNeedsForce() async throws {
        let cluster = CtlTestCluster()
        try await cluster.startLab()
        let merged = try await editConfig(cluster, ConfigEditRequest(
            applyDocument: "maximum_lag_on_failover: null\npostgresql:\n  parameters:\n    work_mem: 8MB\n", force: true))
        #expect(merged.contains("-maximum_lag_on_failover: 1048576\n"))
        #expect(merged.contains("+    work_mem: 8MB\n"))
        var config = try await cluster.ctlStore.load().effectiveConfig
        #expect(config.document["maximum_lag_on_failover"] == nil && config.postgresqlParameters["max_connections"] == "100")

        let piped = try await editConfig(cluster, ConfigEditRequest(replaceDocument: "ttl: 20\nloop_wait: 2\nretry_timeout: 3\n",
                                                                    fromStandardInput: true))
        #expect(piped.hasSuffix("Use --force option to apply changes\n"))
        #expect(try await cluster.ctlStore.load().effectiveConfig.ttl == 30)
        _ = try await editConfig(cluster, ConfigEditRequest(replaceDocument: "ttl: 20\nloop_wait: 2\nretry_timeout: 3\n",
                                                            fromStandardInput: true, force: true, quiet: true))
        config = try await cluster.ctlStore.load().effectiveConfig
        #expect(config.document == .object(["ttl": .int(20), "loop_wait": .int(2), "retry_timeout": .int(3)]))
    }

    @Test func editConfigAbortsOnAConcurrentChange() async throws {
        let cluster = CtlTestCluster()
        try await cluster.startLab()
        let terminal = ScriptedTerminal()
        // Another operator writes /config while this one sits in the editor.
        let other = cluster.ctlStore
        let error = await #expect(throws: CtlError.self) {
            try await cluster.session(terminal: terminal).editConfig(ConfigEditRequest(force: true)) { text in
                let view = try await other.load()
                var config = view.effectiveConfig
                config.document = config.document.merging(patch: .object(["ttl": .int(25)]))
                #expect(try await other.setConfig(config, expectedRevision: view.configRevision))
                return text.replacingOccurrences(of: "loop_wait: 10", with: "loop_wait: 5")
            }
        }
        #expect(error?.description == "Config modification aborted due to concurrent changes")
        let config = try await cluster.ctlStore.load().effectiveConfig
        #expect(config.ttl == 25 && config.loopWait == 10)
    }

    @Test func failoverDialogueAndErrorsMatchPatronictl() async throws {
        let cluster = CtlTestCluster()
        try await cluster.startLab(leader: "patroni2")
        let view = try await cluster.ctlStore.load()
        let terminal = ScriptedTerminal(answers: ["patroni3", "y"])
        let plan = try cluster.session(terminal: terminal).planSwitchover(.failover, SwitchoverOptions(), view: view)
        #expect(terminal.output == """
            Candidate ['patroni1', 'patroni3'] []: patroni3
            Are you sure you want to failover cluster demo, demoting current leader patroni2? [y/N]: y

            """)
        #expect(plan.requestBody == .object(["candidate": .string("patroni3")]))

        let session = cluster.session(terminal: ScriptedTerminal())
        for (options, message) in [
            (SwitchoverOptions(candidate: "patroni2", force: true), "Failover target and source are the same."),
            (SwitchoverOptions(candidate: "patroni9", force: true), "Member patroni9 does not exist in cluster demo"),
            (SwitchoverOptions(force: true), "Failover could be performed only to a specific candidate"),
        ] {
            let error = #expect(throws: CtlError.self) { try session.planSwitchover(.failover, options, view: view) }
            #expect(error?.description == message)
        }
        let wrongLeader = #expect(throws: CtlError.self) {
            try session.planSwitchover(.switchover, SwitchoverOptions(leader: "patroni1", candidate: "patroni2",
                                                                      force: true), view: view)
        }
        #expect(wrongLeader?.description == "Member patroni1 is not the leader of cluster demo")
    }

    @Test func switchoverAsksForPrimaryCandidateAndTimeAndSkipsNofailoverMembers() async throws {
        let cluster = CtlTestCluster()
        try await cluster.startLab { name, status in
            if name == "patroni2" { status.tags = ["nofailover": .bool(true)] }
        }
        let view = try await cluster.ctlStore.load()
        let terminal = ScriptedTerminal(answers: ["", "", "2030-01-01T10:00:00+00:00", "y"])
        let plan = try cluster.session(terminal: terminal).planSwitchover(.switchover, SwitchoverOptions(), view: view)
        let questions = terminal.output.split(separator: "\n").map(String.init)
        #expect(questions[0] == "Primary [patroni1]: ")
        #expect(questions[1] == "Candidate ['patroni3'] []: ")
        #expect(questions[2].hasPrefix("When should the switchover take place (e.g. ") && questions[2].hasSuffix(" )  [now]: 2030-01-01T10:00:00+00:00"))
        #expect(questions[3] == "Are you sure you want to schedule switchover of cluster demo at 2030-01-01T10:00:00Z, demoting current leader patroni1? [y/N]: y")
        #expect(plan.requestBody == .object(["leader": .string("patroni1"), "scheduled_at": .string("2030-01-01T10:00:00Z")]))
        let refused = #expect(throws: CtlError.self) {
            try cluster.session(terminal: ScriptedTerminal()).planSwitchover(
                .switchover, SwitchoverOptions(candidate: "patroni2", force: true), view: view)
        }
        #expect(refused?.description == "Member patroni2 is tagged as nofailover and can not be promoted")
    }

    @Test func switchoverFallsBackToTheFailoverKeyWhenNoAgentAnswers() async throws {
        let cluster = CtlTestCluster()
        try await cluster.startLab()
        let terminal = ScriptedTerminal()
        let session = cluster.session(terminal: terminal)
        let request = Task { try await session.switchover(.switchover, SwitchoverOptions(candidate: "patroni3", force: true)) }
        // The agents' part, played through their ClusterStores: patroni1 releases, patroni3 takes the lock.
        var failover: FailoverRequest?
        while failover == nil { failover = try await cluster.ctlStore.load().failover; await Task.yield() }
        #expect(failover == FailoverRequest(leader: "patroni1", member: "patroni3"))
        let patroni1 = ClusterStore(store: cluster.store, scope: "demo", memberName: "patroni1")
        try await patroni1.refreshLease(ttl: 30)
        let patroni3 = ClusterStore(store: cluster.store, scope: "demo", memberName: "patroni3")
        try await patroni3.refreshLease(ttl: 30)
        try await cluster.store.delete(prefix: "/service/demo/leader")
        #expect(try await patroni3.attemptToAcquireLeaderLock())
        try await request.value
        #expect(terminal.output.contains("Could not switchover using Patroni api, falling back to DCS"))
        #expect(terminal.output.contains(" Successfully switched over to \"patroni3\""))
    }

    @Test func anAgentsStatusUnknownIsNotTheEndOfTheSwitchover() async throws {
        let cluster = CtlTestCluster()
        try await cluster.startLab()
        let terminal = ScriptedTerminal()
        let session = cluster.session(terminal: terminal, api: AnsweringAgents(
            status: 503, body: "Switchover status unknown: after 20 s the lock is still held by patroni1"))
        #expect(try await cluster.ctlStore.setFailover(FailoverRequest(leader: "patroni1", member: "patroni3")))
        let request = Task { try await session.switchover(.switchover, SwitchoverOptions(candidate: "patroni3", force: true)) }
        while !terminal.output.contains("Still waiting for a new leader (up to ttl, 30 s)") { await Task.yield() }
        let patroni3 = ClusterStore(store: cluster.store, scope: "demo", memberName: "patroni3")
        try await patroni3.refreshLease(ttl: 30)
        try await cluster.store.delete(prefix: "/service/demo/leader")
        #expect(try await patroni3.attemptToAcquireLeaderLock())
        try await request.value
        #expect(terminal.output.contains(" Switchover status unknown: after 20 s the lock is still held by patroni1\n"))
        #expect(terminal.output.contains(" Successfully switched over to \"patroni3\"\n"))
    }

    @Test func pauseWithoutReachableAgentsWritesTheConfigAndResumeUndoesIt() async throws {
        let cluster = CtlTestCluster()
        try await cluster.startLab()
        let terminal = ScriptedTerminal()
        try await cluster.session(terminal: terminal).setPaused(true, wait: false)
        #expect(terminal.output == "Success: cluster management is paused\n")
        #expect(try await cluster.ctlStore.load().effectiveConfig.isPaused)
        let again = await #expect(throws: CtlError.self) { try await cluster.session(terminal: terminal).setPaused(true, wait: false) }
        #expect(again?.description == "Cluster is already paused")
        try await cluster.session(terminal: terminal).setPaused(false, wait: false)
        #expect(try await cluster.ctlStore.load().config?.document["pause"] == nil)
    }

    @Test func removeAsksThreeTimesThenDeletesTheCluster() async throws {
        let cluster = CtlTestCluster()
        try await cluster.startLab()
        let wrong = await #expect(throws: CtlError.self) {
            try await cluster.session(terminal: ScriptedTerminal(answers: ["demo", "Yes I am aware", "patroni2"])).remove(format: .pretty)
        }
        #expect(wrong?.description == "You did not specify the current leader of the cluster")
        #expect(try await cluster.ctlStore.load().leader != nil)
        let terminal = ScriptedTerminal(answers: ["demo", "Yes I am aware", "patroni1"])
        try await cluster.session(terminal: terminal).remove(format: .pretty)
        #expect(terminal.output.contains("Please confirm the cluster name to remove: demo\nYou are about to remove all information in DCS for demo, please type: \"Yes I am aware\": Yes I am aware\nThis cluster currently is healthy. Please specify the leader name to continue: patroni1\n"))
        #expect(try await cluster.store.range(prefix: "/service/demo/").keyValues.isEmpty)
    }

    @Test func dsnOfTheLeaderOrANamedMember() async throws {
        let cluster = CtlTestCluster()
        try await cluster.startLab()
        let session = cluster.session(terminal: ScriptedTerminal())
        #expect(try await session.dsn(member: nil, role: nil) == "host=127.0.0.1 port=5432")
        #expect(try await session.dsn(member: "patroni3", role: nil) == "host=127.0.0.1 port=5434")
    }
}

@Suite struct CtlFlushTests {
    @Test func flushingAScheduledSwitchoverWithoutReachableAgentsDeletesTheKey() async throws {
        let cluster = CtlTestCluster()
        try await cluster.startLab()
        let terminal = ScriptedTerminal()
        try await cluster.session(terminal: terminal).flush(.switchover, members: [], role: "any", force: true)
        #expect(terminal.output == "No pending scheduled switchover\n")

        #expect(try await cluster.ctlStore.setFailover(FailoverRequest(leader: "patroni1", member: "patroni2",
                                                                       scheduledAt: "2030-01-01T10:00:00Z")))
        let listed = cluster.session(terminal: ScriptedTerminal()).listing(try await cluster.ctlStore.load()).render(.pretty)
        #expect(listed.hasSuffix("\n Switchover scheduled at: 2030-01-01T10:00:00Z\n                    from: patroni1\n                      to: patroni2"))
        try await cluster.session(terminal: terminal).flush(.switchover, members: [], role: "any", force: true)
        #expect(terminal.output.hasSuffix(" Could not find any accessible member of cluster demo\nSuccess: scheduled switchover deleted from the DCS\n"))
        #expect(try await cluster.ctlStore.load().failover == nil)
    }
}
