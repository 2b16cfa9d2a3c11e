// ReplicationLog: the swift-log loggers of the Replication module, one label per role, so that a
// server's log says which side of streaming replication a line comes from ("walsender",
// "walreceiver", "basebackup"), as PostgreSQL's process titles do.
import Logging

public enum ReplicationLog {
    /// The label of every logger in this module: `minipg.replication.<role>`.
    public static func label(_ role: String) -> String { "minipg.replication." + role }

    public static func logger(_ role: String) -> Logger { Logger(label: label(role)) }
}
