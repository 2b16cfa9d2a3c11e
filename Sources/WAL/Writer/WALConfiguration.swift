// WALConfiguration: the WAL settings of postgresql.conf that the writer obeys.

/// wal_compression: how full-page images are stored.
public enum WALCompression: String, Sendable {
    case off
    case zstd
}

public struct WALConfiguration: Sendable {
    /// fsync: when false, never fdatasync (fast and unsafe: a crash can lose acknowledged commits,
    /// exactly as with PostgreSQL's fsync = off).
    public var fsync: Bool = true
    /// wal_compression.
    public var compression: WALCompression = .off
    /// wal_segment_size: a power of two from 1 MiB to 1 GiB; PostgreSQL's default is 16 MiB.
    public var segmentSize: Int = 16 * 1024 * 1024
    /// wal_buffers: bytes of inserted-but-unwritten WAL kept in memory before the inserter that
    /// fills them writes them out itself.
    public var walBuffers: Int = 4 * 1024 * 1024
    /// Segment files kept for reuse (renamed to a future name) instead of deleted by
    /// removeSegments, so that a commit rarely has to create and zero-fill a new 16 MiB file.
    public var recycledSegmentsMaximum: Int = 4

    public init(fsync: Bool = true, compression: WALCompression = .off,
                segmentSize: Int = 16 * 1024 * 1024) {
        self.fsync = fsync
        self.compression = compression
        self.segmentSize = segmentSize
    }
}
