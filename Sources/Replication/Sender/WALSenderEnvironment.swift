// WALSenderEnvironment: what a replication connection needs from the server it runs in. The
// Server module builds one per instance and hands it to every WALSenderBackend; nothing here
// reaches into SQL (settings come as a lookup function, the WAL as a small protocol).

import PGWire
import WAL

/// The primary's WAL as a WAL sender sees it: only flushed WAL may be sent.
public protocol FlushedWAL: AnyObject, Sendable {
    var timeline: TimelineID { get }
    var flushedLSN: LSN { get }
    /// Blocks until flushedLSN > lsn or the timeout passes; returns flushedLSN.
    func waitForFlush(beyond lsn: LSN, timeout: Duration) -> LSN
}

extension WALWriter: FlushedWAL {}

public struct WALSenderEnvironment: Sendable {
    public var dataDirectory: String
    public var systemIdentifier: UInt64
    public var segmentSize: Int
    /// The WAL being written; nil while the server is a standby (cascading replication is not
    /// supported, so START_REPLICATION is refused there).
    public var wal: @Sendable () -> FlushedWAL?
    /// SHOW name: the value as SHOW prints it ("16MB", "0700"), nil for an unknown setting.
    public var show: @Sendable (String) -> String?
    /// The redo point of the last checkpoint (where a slot created with RESERVE_WAL starts).
    public var lastCheckpointRedo: @Sendable () -> LSN
    /// wal_sender_timeout: a keepalive asking for a reply goes out after half of it without a
    /// message from the standby; the connection ends after all of it. Zero disables both.
    public var walSenderTimeout: Duration
    public var slots: ReplicationSlots
    public var senders: WALSenders
    /// BASE_BACKUP's start: a forced checkpoint, and pg_control as it was written by it.
    public var startBackup: @Sendable () throws -> BackupStart
    /// Called when a standby's hot-standby feedback xmin (or a slot's) may have changed, or a WAL
    /// sender went away: the server recomputes the xmin that holds VACUUM back for its standbys.
    public var feedbackXminChanged: @Sendable () -> Void = {}

    public init(dataDirectory: String, systemIdentifier: UInt64, segmentSize: Int,
                wal: @escaping @Sendable () -> FlushedWAL?, show: @escaping @Sendable (String) -> String?,
                lastCheckpointRedo: @escaping @Sendable () -> LSN, walSenderTimeout: Duration,
                slots: ReplicationSlots, senders: WALSenders, startBackup: @escaping @Sendable () throws -> BackupStart) {
        self.startBackup = startBackup
        self.dataDirectory = dataDirectory
        self.systemIdentifier = systemIdentifier
        self.segmentSize = segmentSize
        self.wal = wal
        self.show = show
        self.lastCheckpointRedo = lastCheckpointRedo
        self.walSenderTimeout = walSenderTimeout
        self.slots = slots
        self.senders = senders
    }

    var walDirectory: String { dataDirectory + "/pg_wal" }
}

/// Where a base backup starts: its checkpoint, and the control file pointing at it (sent as the
/// backup's global/pg_control, so that recovery of the copy starts at this checkpoint's redo point).
public struct BackupStart: Sendable {
    public var redo: LSN
    public var checkpoint: LSN
    public var timeline: TimelineID
    public var controlFile: [UInt8]

    public init(redo: LSN, checkpoint: LSN, timeline: TimelineID, controlFile: [UInt8]) {
        self.redo = redo
        self.checkpoint = checkpoint
        self.timeline = timeline
        self.controlFile = controlFile
    }
}
