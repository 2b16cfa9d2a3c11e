// WALReceiverStatus: one row of pg_stat_wal_receiver (PostgreSQL 13+ column names), as the WAL
// receiver last published it. Times are PostgreSQL TimestampTz values (microseconds since
// 2000-01-01 UTC, PostgresTimestamp); nil is SQL NULL.

import WAL

public struct WALReceiverStatus: Sendable, Equatable {
    /// pg_stat_wal_receiver.status.
    public enum State: String, Sendable {
        case stopped, starting, streaming, waiting, restarting, stopping
    }

    public var pid: Int32
    public var status: State
    /// Where the current streaming started (START_REPLICATION's position) and on which timeline.
    public var receiveStartLSN: LSN?
    public var receiveStartTimeline: TimelineID?
    public var writtenLSN: LSN?
    public var flushedLSN: LSN?
    public var receivedTimeline: TimelineID?
    /// The sender's clock in the last message, and our clock when it arrived.
    public var lastMessageSendTime: Int64?
    public var lastMessageReceiptTime: Int64?
    /// The end of WAL the primary reported last (XLogData / keepalive walEnd), and when.
    public var latestEndLSN: LSN?
    public var latestEndTime: Int64?
    public var slotName: String?
    public var senderHost: String?
    public var senderPort: Int?
    /// primary_conninfo with the password replaced by asterisks.
    public var conninfo: String?

    public init(pid: Int32, status: State) {
        self.pid = pid
        self.status = status
    }
}
