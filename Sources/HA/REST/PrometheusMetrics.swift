// GET /metrics: this node's status in Prometheus' text format, under Patroni's metric names so existing
// dashboards and alerts work unchanged. Every sample carries the labels scope="<scope>",name="<member>".
//
// All of Patroni 3's gauges are emitted. patroni_failsafe_mode_is_active is always 0: minipg has no
// failsafe mode. patroni_master and patroni_primary are both present (Patroni 4 dropped the former).
// The version gauge is the agent's version with each part in two digits: "0.1.0" → 000100.
import Foundation

enum PrometheusMetrics {
    private struct Sample {
        var name: String
        var help: String
        var type: String
        var value: String
    }

    static func render(status: NodeStatus, scope: String, memberName: String) -> String {
        let xlog = status.xlog
        let isPrimary = status.role == "master" || status.role == "primary"
        func flag(_ condition: Bool) -> String { condition ? "1" : "0" }
        func number(_ value: Int64?) -> String { String(value ?? 0) }

        let samples = [
            Sample(name: "patroni_version", help: "Version of the HA agent, two digits per part.",
                   type: "gauge", value: versionNumber(status.patroni?.version)),
            Sample(name: "patroni_postgres_running", help: "1 if the database server is running, else 0.",
                   type: "gauge", value: flag(status.state == "running")),
            Sample(name: "patroni_postmaster_start_time", help: "Epoch seconds at which the server started, 0 if unknown.",
                   type: "gauge", value: epochSeconds(status.postmasterStartTime)),
            Sample(name: "patroni_master", help: "1 if this node is the primary, else 0 (legacy name).",
                   type: "gauge", value: flag(isPrimary)),
            Sample(name: "patroni_primary", help: "1 if this node is the primary, else 0.",
                   type: "gauge", value: flag(isPrimary)),
            Sample(name: "patroni_xlog_location", help: "Flush LSN of the primary in bytes, 0 on a replica.",
                   type: "counter", value: number(xlog?.location)),
            Sample(name: "patroni_standby_leader", help: "1 if this node leads a standby cluster, else 0.",
                   type: "gauge", value: flag(status.role == "standby_leader")),
            Sample(name: "patroni_replica", help: "1 if this node is a replica, else 0.",
                   type: "gauge", value: flag(status.role == "replica")),
            Sample(name: "patroni_sync_standby", help: "1 if this node is a synchronous standby, else 0.",
                   type: "gauge", value: flag(status.syncStandby == true)),
            Sample(name: "patroni_xlog_received_location", help: "Received LSN of a replica in bytes, 0 on the primary.",
                   type: "counter", value: number(xlog?.receivedLocation)),
            Sample(name: "patroni_xlog_replayed_location", help: "Replayed LSN of a replica in bytes, 0 on the primary.",
                   type: "counter", value: number(xlog?.replayedLocation)),
            Sample(name: "patroni_xlog_replayed_timestamp", help: "Epoch seconds of the last replayed commit, 0 if none.",
                   type: "gauge", value: epochSeconds(xlog?.replayedTimestamp)),
            Sample(name: "patroni_xlog_paused", help: "1 if WAL replay is paused, else 0.",
                   type: "gauge", value: flag(xlog?.paused == true)),
            Sample(name: "patroni_postgres_streaming", help: "1 if the replica streams WAL from its upstream, else 0.",
                   type: "gauge", value: flag(status.replicationState == "streaming")),
            Sample(name: "patroni_postgres_in_archive_recovery", help: "1 if the replica restores WAL from an archive, else 0.",
                   type: "gauge", value: flag(status.replicationState == "in archive recovery")),
            Sample(name: "patroni_postgres_server_version", help: "server_version_num of the running server, 0 if not running.",
                   type: "gauge", value: String(status.serverVersion ?? 0)),
            Sample(name: "patroni_cluster_unlocked", help: "1 if no member holds the leader lock, else 0.",
                   type: "gauge", value: flag(status.clusterUnlocked == true)),
            Sample(name: "patroni_failsafe_mode_is_active", help: "Always 0: minipg has no failsafe mode.",
                   type: "gauge", value: "0"),
            Sample(name: "patroni_postgres_timeline", help: "Timeline of the running server, 0 if not running.",
                   type: "counter", value: String(status.timeline ?? 0)),
            Sample(name: "patroni_dcs_last_seen", help: "Epoch seconds of the last successful read of the DCS.",
                   type: "gauge", value: number(status.dcsLastSeen)),
            Sample(name: "patroni_pending_restart", help: "1 if a changed setting waits for a restart, else 0.",
                   type: "gauge", value: flag(status.pendingRestart == true)),
            Sample(name: "patroni_is_paused", help: "1 if the cluster is in maintenance mode (no automatic failover).",
                   type: "gauge", value: flag(status.pause == true)),
        ]
        let labels = "{scope=\"\(escape(scope))\",name=\"\(escape(memberName))\"}"
        var text = ""
        for sample in samples {
            text += "# HELP \(sample.name) \(sample.help)\n# TYPE \(sample.name) \(sample.type)\n"
            text += "\(sample.name)\(labels) \(sample.value)\n"
        }
        return text
    }

    /// "3.0.2" → "030002", as Patroni prints its own version.
    static func versionNumber(_ version: String?) -> String {
        let parts = (version ?? "0").split(separator: ".").prefix(3).map { Int($0.prefix { $0.isNumber }) ?? 0 }
        return (parts + Array(repeating: 0, count: 3 - parts.count)).map { String(format: "%02d", $0) }.joined()
    }

    /// PostgreSQL's timestamptz text ("2026-11-30 01:03:37.966359+00:00") as epoch seconds.
    static func epochSeconds(_ timestamp: String?) -> String {
        guard let timestamp else { return "0" }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        for format in ["yyyy-MM-dd HH:mm:ss.SSSSSSXXXXX", "yyyy-MM-dd HH:mm:ssXXXXX"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: timestamp) {
                return String(format: "%.3f", date.timeIntervalSince1970)
            }
        }
        return "0"
    }

    /// Label values escape backslash, double quote and newline (the text format's rule).
    private static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
