// WALStatistics: counters of the WAL writer, named after PostgreSQL's pg_stat_wal columns.
//
// `syncs` against commits is how group commit is seen working: with many concurrent committers
// one fdatasync covers several commits.

public struct WALStatistics: Sendable, Equatable {
    /// wal_records: records inserted.
    public var records: Int = 0
    /// wal_bytes: bytes of WAL inserted, padding included.
    public var bytes: Int = 0
    /// wal_buffers_full: times an inserter found wal_buffers full and wrote them out itself.
    public var buffersFull: Int = 0
    /// wal_write: write batches handed to the kernel (one batch may be several pwrite calls).
    public var writes: Int = 0
    /// wal_sync: fdatasync calls on segment files.
    public var syncs: Int = 0
    /// Segment files created zero-filled, and segment files reused by renaming an old one.
    public var segmentsCreated: Int = 0
    public var segmentsRecycled: Int = 0

    public init() {}
}
