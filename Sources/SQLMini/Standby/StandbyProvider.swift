// StandbyProvider: what SQLMini asks the server about replication on a standby — the WAL
// receiver's state (pg_stat_wal_receiver, pg_last_wal_receive_lsn) and promotion (pg_promote).
//
// The server injects it into the Database (`Database.standbyProvider`); SQLMini does not import
// the Replication module, and a primary, or a standby without a WAL receiver, simply has none.
// Replay itself (pg_last_wal_replay_lsn, pg_is_in_recovery) is Storage's and is read from there.

import WAL

public protocol StandbyProvider: AnyObject, Sendable {
    /// One row of pg_stat_wal_receiver; nil when no WAL receiver runs.
    var walReceiverStatus: WALReceiverStatus? { get }
    /// End of the WAL received and flushed by streaming (pg_last_wal_receive_lsn); nil if none.
    var receivedLSN: LSN? { get }
    /// pg_promote(wait, wait_seconds): asks the server to promote; with `wait`, returns whether
    /// promotion finished within `timeout`.
    func promote(wait: Bool, timeout: Duration) throws -> Bool
}

/// pg_stat_wal_receiver's columns (PostgreSQL 15), as the receiver reports them.
public struct WALReceiverStatus: Sendable {
    public var pid: Int32
    /// stopped, starting, streaming, waiting, restarting, stopping
    public var status: String
    public var receiveStartLSN: LSN
    public var receiveStartTimeline: TimelineID
    public var writtenLSN: LSN
    public var flushedLSN: LSN
    public var receivedTimeline: TimelineID
    /// Microseconds since 2000-01-01 (timestamptz), nil before the first message.
    public var lastMessageSendTime: Int64?
    public var lastMessageReceiptTime: Int64?
    public var latestEndLSN: LSN?
    public var latestEndTime: Int64?
    public var slotName: String?
    public var senderHost: String?
    public var senderPort: Int?
    /// primary_conninfo with the password replaced, as PostgreSQL shows it.
    public var conninfo: String

    public init(pid: Int32, status: String, receiveStartLSN: LSN, receiveStartTimeline: TimelineID,
                writtenLSN: LSN, flushedLSN: LSN, receivedTimeline: TimelineID, lastMessageSendTime: Int64?,
                lastMessageReceiptTime: Int64?, latestEndLSN: LSN?, latestEndTime: Int64?, slotName: String?,
                senderHost: String?, senderPort: Int?, conninfo: String) {
        self.pid = pid
        self.status = status
        self.receiveStartLSN = receiveStartLSN
        self.receiveStartTimeline = receiveStartTimeline
        self.writtenLSN = writtenLSN
        self.flushedLSN = flushedLSN
        self.receivedTimeline = receivedTimeline
        self.lastMessageSendTime = lastMessageSendTime
        self.lastMessageReceiptTime = lastMessageReceiptTime
        self.latestEndLSN = latestEndLSN
        self.latestEndTime = latestEndTime
        self.slotName = slotName
        self.senderHost = senderHost
        self.senderPort = senderPort
        self.conninfo = conninfo
    }
}
