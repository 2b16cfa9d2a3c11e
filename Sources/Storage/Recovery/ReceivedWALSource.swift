// ReceivedWALSource: what a standby's replay needs from its WAL receiver — how far received WAL
// is durable in pg_wal/, a bounded wait for more, and where to report replay (the receiver sends
// it to the primary as the apply position). The Replication module's WALReceiverProgress has
// exactly this shape; the server, which links both, declares the conformance.
//
// Replay applies only records that end at or before `flushedLSN`; 0/0 means "no receiver has
// flushed anything yet", and replay then applies what pg_wal holds (WAL copied in by hand, or
// received before a restart).
import WAL

public protocol ReceivedWALSource: AnyObject, Sendable {
    var flushedLSN: LSN { get }
    /// Blocks until flushedLSN > lsn or `timeout` passes; returns flushedLSN.
    func waitForFlush(beyond lsn: LSN, timeout: Duration) -> LSN
    func reportReplayed(_ lsn: LSN)
}
