// Storage: the settings Storage reads (postgresql.conf names in the comments).
import WAL

public struct StorageConfiguration: Sendable {
    /// shared_buffers, in pages of `pageSize` bytes.
    public var sharedBuffers: Int
    public var wal: WALConfiguration
    /// synchronous_commit: when off, commit does not wait for its WAL flush.
    public var synchronousCommit: Bool
    /// checkpoint_timeout.
    public var checkpointTimeout: Duration
    /// max_wal_size, in bytes: a checkpoint starts when this much WAL was written since the last.
    public var maxWALSize: Int
    /// max_standby_streaming_delay: how long standby replay waits for queries whose snapshots need
    /// row versions a record removes before cancelling them (nil: -1, wait forever).
    public var maxStandbyStreamingDelay: Duration?

    public init(sharedBuffers: Int = 16384, wal: WALConfiguration = WALConfiguration(),
                synchronousCommit: Bool = true, checkpointTimeout: Duration = .seconds(300),
                maxWALSize: Int = 1024 * 1024 * 1024, maxStandbyStreamingDelay: Duration? = .seconds(30)) {
        self.sharedBuffers = sharedBuffers
        self.wal = wal
        self.synchronousCommit = synchronousCommit
        self.checkpointTimeout = checkpointTimeout
        self.maxWALSize = maxWALSize
        self.maxStandbyStreamingDelay = maxStandbyStreamingDelay
    }
}
