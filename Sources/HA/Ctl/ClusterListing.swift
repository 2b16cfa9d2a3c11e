// `ctl list` / `ctl topology`: the cluster as patronictl 3 shows it, computed from one `ClusterView`.
//
// Columns: Cluster | Member | Host | Role | State | TL | Lag in MB, then Pending restart, Scheduled restart
// and Tags when some member has a value (Pending restart reason only with --extended). In pretty and
// topology output the Cluster column becomes the title in the top border: " Cluster: demo (<sysid>) ".
// Rules (patroni.md §7.1): rows sorted by name; Role is leader/sync_standby/replica title-cased; State is
// a replica's replication_state if it has one; Host gets ":port" when any member is not on 5432 or two
// share a host; Lag in MB = round((leader's /status optime − member's xlog_location) / MiB), blank for
// the leader, "unknown" for a member that publishes no position.
import Foundation

public struct ClusterListing: Sendable {
    public var scope: String
    public var view: ClusterView
    /// -e/--extended: show the optional columns even when empty, and Pending restart reason.
    public var extended: Bool

    public init(scope: String, view: ClusterView, extended: Bool = false) {
        self.scope = scope
        self.view = view
        self.extended = extended
    }

    /// " Cluster: demo (7712717982980781324) " — what the top border carries.
    public var title: String {
        let identifier: String
        switch view.initialize {
        case nil: identifier = "uninitialized"
        case ""?: identifier = "initializing"
        case let value?: identifier = value
        }
        return " Cluster: \(scope) (\(identifier)) "
    }

    /// cluster_as_json's role: leader, sync_standby or replica.
    public func role(of member: Member) -> String {
        if member.name == view.leader?.name { return "leader" }
        if view.effectiveConfig.synchronousMode, view.sync?.contains(member.name) == true { return "sync_standby" }
        return "replica"
    }

    public var columns: [String] {
        var columns = ["Cluster", "Member", "Host", "Role", "State", "TL", "Lag in MB"]
        let optional: [(String, (Member) -> Bool)] = [
            ("Pending restart", { $0.status.pendingRestart == true }),
            ("Pending restart reason", { _ in false }),   // long: only with --extended
            ("Scheduled restart", { $0.status.scheduledRestart != nil }),
            ("Tags", { !($0.status.tags ?? [:]).isEmpty }),
        ]
        for (name, present) in optional where extended || view.members.contains(where: present) {
            columns.append(name)
        }
        return columns
    }

    public static let alignments: [String: TextTable.Alignment] = ["TL": .right, "Lag in MB": .right]

    /// Rows in display order; with `topology`, members of the tree are indented under their upstream.
    public func rows(topology: Bool = false) -> [[TableCell]] {
        let columns = self.columns
        let ordered = topology ? topologyOrder() : view.members.map { ($0, 0) }
        let hosts = view.members.map { $0.hostAndPort }
        let showPort = hosts.contains { $0.port != 5432 } || Set(hosts.map(\.host)).count < hosts.count
        return ordered.map { member, level in
            let address = member.hostAndPort
            var name = member.name
            if topology, level > 0 { name = String(repeating: "  ", count: level - 1) + "+ " + name }
            let role = role(of: member)
            let state = role != "leader" ? (member.status.replicationState ?? member.status.state) : member.status.state
            var cells: [String: TableCell] = [
                "Cluster": .text(scope), "Member": .text(name),
                "Host": .text(showPort ? "\(address.host):\(address.port)" : address.host),
                "Role": .text(role.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }
                    .joined(separator: " ")),
                "State": .text(state),
                "TL": member.status.timeline.map { .integer(Int64($0)) } ?? .text(""),
                "Lag in MB": lagCell(member, isLeader: role == "leader"),
                "Pending restart": .text(member.status.pendingRestart == true ? "*" : ""),
                "Pending restart reason": .text((member.status.pendingRestartReason ?? [:]).sorted { $0.key < $1.key }
                    .map { "\($0.key): \($0.value.oldValue)->\($0.value.newValue)" }.joined(separator: "\n")),
                "Scheduled restart": .text(scheduledRestartText(member.status.scheduledRestart)),
            ]
            if let tags = member.status.tags, !tags.isEmpty { cells["Tags"] = .structured(.object(tags)) }
            return columns.map { cells[$0] ?? .text("") }
        }
    }

    private func lagCell(_ member: Member, isLeader: Bool) -> TableCell {
        if isLeader { return .text("") }
        guard member.status.xlogLocation != nil else { return .text("unknown") }
        let bytes = view.lagBytes(of: member) ?? 0
        return .integer(Int64((Double(bytes) / 1_048_576).rounded(.toNearestOrEven)))
    }

    private func scheduledRestartText(_ value: JSONValue?) -> String {
        guard let value, let schedule = value["schedule"]?.stringValue else { return "" }
        guard let version = value["postgres_version"]?.stringValue else { return schedule }
        return "\(schedule) if version < \(version)"
    }

    /// patronictl's topology sort: the leader, then each member under the one it replicates from
    /// (the replicatefrom tag, when it names another non-leader member), depth first.
    func topologyOrder() -> [(Member, Int)] {
        let leader = view.members.first { role(of: $0) == "leader" }
        let replicas = Set(view.members.filter { $0.name != leader?.name }.map(\.name))
        var children: [String?: [Member]] = [:]
        for member in view.members where member.name != leader?.name {
            var parent = member.status.replicateFrom
            if parent == member.name || !replicas.contains(parent ?? "") { parent = leader?.name }
            children[parent, default: []].append(member)
        }
        var result: [(Member, Int)] = []
        func walk(_ name: String?, level: Int) {
            for child in children[name] ?? [] {
                result.append((child, level))
                walk(child.name, level: level + 1)
            }
        }
        if let leader { result.append((leader, 0)) }
        walk(leader?.name, level: 1)
        return result
    }

    /// The lines printed under the table: maintenance mode, a scheduled switchover.
    public var serviceInfo: [String] {
        var info: [String] = []
        if view.effectiveConfig.isPaused { info.append("Maintenance mode: on") }
        if let failover = view.failover, let at = failover.scheduledAt {
            var text = "Switchover scheduled at: \(at)"
            if let from = failover.leader { text += "\n" + String(repeating: " ", count: 20) + "from: \(from)" }
            if let to = failover.member { text += "\n" + String(repeating: " ", count: 22) + "to: \(to)" }
            info.append(text)
        }
        return info
    }

    /// The whole output of `ctl list -f <format>` (no trailing newline).
    public func render(_ format: OutputFormat) -> String {
        let rows = rows(topology: format == .topology)
        switch format {
        case .json: return TableWriter.json(columns: columns, rows: rows)
        case .yaml: return TableWriter.yaml(columns: columns, rows: rows).trimmingCharacters(in: .newlines)
        case .tsv:
            let flowRows = rows.map { $0.map { cell -> TableCell in
                if case .structured(let value) = cell { return .text(YAMLFlowWriter.text(value)) }
                return cell
            } }
            return TableWriter.tsv(columns: columns, rows: flowRows)
        case .pretty, .topology:
            let table = TextTable(columns: Array(columns.dropFirst()),
                                  rows: rows.map { $0.dropFirst().map(\.plainText) },
                                  alignments: Self.alignments, title: title)
            let info = serviceInfo
            return table.rendered + (info.isEmpty ? "" : "\n " + info.joined(separator: "\n "))
        }
    }
}

/// PyYAML's flow style for one value on one line: {clonefrom: true, nofailover: false}.
enum YAMLFlowWriter {
    static func text(_ value: JSONValue) -> String {
        switch value {
        case .object(let fields):
            return "{" + fields.keys.sorted().map { YAMLBlockWriter.scalarText(.string($0)) + ": "
                + text(fields[$0] ?? .null) }.joined(separator: ", ") + "}"
        case .array(let items): return "[" + items.map(text).joined(separator: ", ") + "]"
        default: return YAMLBlockWriter.scalarText(value)
        }
    }
}
