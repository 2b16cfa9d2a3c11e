// WALReceiverConfiguration: what a standby's WAL receiver needs to know — whom to stream from
// (primary_conninfo, primary_slot_name), where to start, where pg_wal/ is, and the settings that
// pace it (PostgreSQL's GUC names in the comments).

import WAL

public struct WALReceiverConfiguration: Sendable {
    /// primary_conninfo (libpq syntax).
    public var primaryConninfo: String
    /// primary_slot_name; nil or empty: no slot.
    public var slotName: String?
    /// The data directory's pg_wal/.
    public var walDirectory: String
    /// The local pg_control's system identifier: the primary's must match.
    public var systemIdentifier: UInt64
    /// Where replay needs WAL from, and on which timeline (rounded down to a segment start when sent).
    public var startLSN: LSN
    public var startTimeline: TimelineID
    /// cluster_name, used as application_name when the conninfo has none (else "walreceiver").
    public var clusterName: String?
    /// wal_receiver_status_interval.
    public var statusInterval: Duration = .seconds(10)
    /// wal_receiver_timeout.
    public var receiverTimeout: Duration = .seconds(60)
    /// wal_retrieve_retry_interval: how long to wait before connecting again.
    public var retryInterval: Duration = .seconds(5)
    /// fsync = off skips fdatasync (unsafe, as in PostgreSQL).
    public var fsync: Bool = true
    public var segmentSize: Int = 16 * 1024 * 1024
    /// hot_standby_feedback: the oldest xmin of the standby's snapshots, or nil (feedback off).
    public var feedbackXmin: (@Sendable () -> UInt32?)?
    /// Environment for libpq defaults (PGPASSWORD, …); the process environment by default.
    public var environment: [String: String] = [:]

    public init(primaryConninfo: String, slotName: String?, walDirectory: String, systemIdentifier: UInt64,
                startLSN: LSN, startTimeline: TimelineID) {
        self.primaryConninfo = primaryConninfo
        self.slotName = slotName
        self.walDirectory = walDirectory
        self.systemIdentifier = systemIdentifier
        self.startLSN = startLSN
        self.startTimeline = startTimeline
    }
}
