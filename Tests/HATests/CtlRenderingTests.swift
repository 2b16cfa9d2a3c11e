// `minipg ctl` output against patronictl's, line for line from the lab transcript
// (../shared/reference/patroni-lab-transcript.md): list (with Pending restart, after a failover with a
// stopping member, topology), history, show-config, the edit-config diffs, and the json/yaml/tsv shapes.
import Foundation
import Testing
@testable import HA

@Suite struct CtlRenderingTests {
    /// The transcript's table body; our title also carries the system identifier (patronictl ≥ 3.1).
    static let sysidTitle = "+ Cluster: demo (7712717982980781324) "

    @Test func listWithPendingRestartMatchesPatronictl() async throws {
        let cluster = CtlTestCluster()
        try await cluster.startLab(leader: "patroni3", timeline: 3) { name, status in
            if name != "patroni1" { status.pendingRestart = true }
        }
        let text = cluster.session(terminal: ScriptedTerminal()).listing(try await cluster.ctlStore.load()).render(.pretty)
        #expect(text == Self.sysidTitle + "+---------+----+-----------+-----------------+\n" + """
            | Member   | Host           | Role    | State   | TL | Lag in MB | Pending restart |
            +----------+----------------+---------+---------+----+-----------+-----------------+
            | patroni1 | 127.0.0.1:5432 | Replica | running |  3 |         0 |                 |
            | patroni2 | 127.0.0.1:5433 | Replica | running |  3 |         0 | *               |
            | patroni3 | 127.0.0.1:5434 | Leader  | running |  3 |           | *               |
            +----------+----------------+---------+---------+----+-----------+-----------------+
            """)
    }

    @Test func aStoppingMemberWithoutPositionShowsUnknownLagAndStreamingReplicas() async throws {
        let cluster = CtlTestCluster()
        try await cluster.startLab(leader: "patroni2") { name, status in
            if name == "patroni1" { status.state = "stopping"; status.xlogLocation = nil; status.timeline = nil }
            if name == "patroni3" { status.replicationState = "streaming" }
        }
        let lines = cluster.session(terminal: ScriptedTerminal()).listing(try await cluster.ctlStore.load())
            .render(.pretty).split(separator: "\n").map(String.init)
        #expect(Array(lines.dropFirst()) == [
            "| Member   | Host           | Role    | State     | TL | Lag in MB |",
            "+----------+----------------+---------+-----------+----+-----------+",
            "| patroni1 | 127.0.0.1:5432 | Replica | stopping  |    |   unknown |",
            "| patroni2 | 127.0.0.1:5433 | Leader  | running   |  1 |           |",
            "| patroni3 | 127.0.0.1:5434 | Replica | streaming |  1 |         0 |",
            "+----------+----------------+---------+-----------+----+-----------+",
        ])
        #expect(lines[0] == Self.sysidTitle + "+-----------+----+-----------+")
    }

    @Test func lagIsRoundedMegabytesBehindTheLeadersOptimeAndPauseIsShown() async throws {
        let cluster = CtlTestCluster()
        try await cluster.startLab { name, status in
            if name == "patroni2" { status.xlogLocation = 67_108_960 - 3 * 1_048_576 - 600_000 }   // 3.57 MB
        }
        let view = try await cluster.ctlStore.load()
        var config = view.effectiveConfig
        config.document = config.document.merging(patch: .object(["pause": .bool(true)]))
        #expect(try await cluster.ctlStore.setConfig(config, expectedRevision: view.configRevision))
        let text = cluster.session(terminal: ScriptedTerminal()).listing(try await cluster.ctlStore.load()).render(.pretty)
        #expect(text.contains("| patroni2 | 127.0.0.1:5433 | Replica | running |  1 |         4 |"))
        #expect(text.hasSuffix("+\n Maintenance mode: on"))
    }

    @Test func topologyIndentsReplicasUnderTheirUpstream() async throws {
        let cluster = CtlTestCluster()
        try await cluster.startLab { name, status in
            if name == "patroni2" { status.tags = ["replicatefrom": .string("patroni3")] }
        }
        let lines = cluster.session(terminal: ScriptedTerminal()).listing(try await cluster.ctlStore.load())
            .render(.topology).split(separator: "\n").map(String.init)
        #expect(lines[3].hasPrefix("| patroni1     | 127.0.0.1:5432 | Leader  |"))
        #expect(lines[4].hasPrefix("| + patroni3   |"))
        #expect(lines[5].hasPrefix("|   + patroni2 |"))
        #expect(lines[1].hasSuffix("| Lag in MB | Tags                    |"))
        #expect(lines[5].hasSuffix("|         0 | replicatefrom: patroni3 |"))
    }

    @Test func jsonYamlAndTSVHavePatronictlsShapes() async throws {
        let cluster = CtlTestCluster()
        try await cluster.startLab()
        let listing = cluster.session(terminal: ScriptedTerminal()).listing(try await cluster.ctlStore.load())
        #expect(listing.render(.json) == #"[{"Cluster": "demo", "Member": "patroni1", "Host": "127.0.0.1:5432", "Role": "Leader", "State": "running", "TL": 1}, "#
            + #"{"Cluster": "demo", "Member": "patroni2", "Host": "127.0.0.1:5433", "Role": "Replica", "State": "running", "TL": 1, "Lag in MB": 0}, "#
            + #"{"Cluster": "demo", "Member": "patroni3", "Host": "127.0.0.1:5434", "Role": "Replica", "State": "running", "TL": 1, "Lag in MB": 0}]"#)
        #expect(listing.render(.yaml).hasPrefix("""
            - Cluster: demo
              Host: 127.0.0.1:5432
              Member: patroni1
              Role: Leader
              State: running
              TL: 1
            - Cluster: demo
              Host: 127.0.0.1:5433
              Lag in MB: 0
            """))
        #expect(listing.render(.tsv).split(separator: "\n").prefix(3) == [
            "Cluster\tMember\tHost\tRole\tState\tTL\tLag in MB",
            "demo\tpatroni1\t127.0.0.1:5432\tLeader\trunning\t1\t",
            "demo\tpatroni2\t127.0.0.1:5433\tReplica\trunning\t1\t0",
        ])
    }

    @Test func historyMatchesPatronictl() {
        let history = [
            HistoryLine(timeline: 1, lsn: 67_494_616, reason: "no recovery target specified",
                        timestamp: "2026-11-27T05:26:39.448144+00:00", newLeader: "patroni2"),
            HistoryLine(timeline: 2, lsn: 67_496_296, reason: "no recovery target specified",
                        timestamp: "2026-11-27T05:26:55.972145+00:00", newLeader: "patroni3"),
            HistoryLine(timeline: 3, lsn: 67_500_000, reason: "old three-field line"),
        ]
        #expect(HistoryListing.render(history, format: .pretty) == """
            +----+----------+------------------------------+----------------------------------+------------+
            | TL |      LSN | Reason                       | Timestamp                        | New Leader |
            +----+----------+------------------------------+----------------------------------+------------+
            |  1 | 67494616 | no recovery target specified | 2026-11-27T05:26:39.448144+00:00 | patroni2   |
            |  2 | 67496296 | no recovery target specified | 2026-11-27T05:26:55.972145+00:00 | patroni3   |
            |  3 | 67500000 | old three-field line         |                                  |            |
            +----+----------+------------------------------+----------------------------------+------------+
            """)
    }

    @Test func historyTimestampsArePatronis() {
        let timestamp = HistoryLine.timestamp(Date(timeIntervalSince1970: 1_795_930_000.25))
        #expect(timestamp == "2026-11-29T05:26:40.250000+00:00")
        let line = HistoryLine(timeline: 1, lsn: 67_494_616, reason: "no recovery target specified",
                               timestamp: timestamp, newLeader: "patroni2")
        #expect(HistoryListing.render([line], format: .pretty).contains("| 2026-11-29T05:26:40.250000+00:00 | patroni2   |"))
    }

    @Test func showConfigPrintsSortedBlockYAMLAndABlankLine() async throws {
        let cluster = CtlTestCluster()
        try await cluster.startLab()
        let terminal = ScriptedTerminal()
        try await cluster.session(terminal: terminal).showConfig()
        #expect(terminal.output == LabTranscript.showConfig + "\n")   // click.echo adds a newline to the YAML's own
    }

    @Test func aTitleLongerThanTheTableWidensTheLastColumn() {
        let table = TextTable(columns: ["A"], rows: [["x"]], title: " Cluster: demo (1) ")
        let lines = table.rendered.split(separator: "\n").map(String.init)
        #expect(lines[0] == "+ Cluster: demo (1) +")
        #expect(lines.allSatisfy { $0.count == lines[0].count })
    }
}
