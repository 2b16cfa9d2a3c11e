// Storage: the WAL resource managers Storage writes and redoes, with their record kinds (`info`).
// Numbers follow PostgreSQL's rmgrlist.h where a counterpart exists (XLOG 0, Transaction 1,
// Storage 2, Generic 20). Heap, B-tree and sequence pages have no resource manager of their own:
// every page change is a generic page-change record (PageLog/PageChangeRecord.swift).
import WAL

extension ResourceManagerID {
    /// Checkpoints and the xid/OID counters.
    static let xlog = ResourceManagerID(rawValue: 0)
    /// Commit and abort.
    static let transaction = ResourceManagerID(rawValue: 1)
    /// Relation file create and truncate (drops happen at commit/abort).
    static let storage = ResourceManagerID(rawValue: 2)
    /// Physiological page changes: full-page images or changed byte ranges.
    static let generic = ResourceManagerID(rawValue: 20)
}

enum XLOGInfo {
    static let checkpointShutdown: UInt8 = 0x00
    static let checkpointOnline: UInt8 = 0x10
    /// OIDs up to the logged value may have been handed out (PostgreSQL's XLOG_NEXTOID).
    static let nextOID: UInt8 = 0x30
    /// Xids below the logged value may have been assigned.
    static let nextXID: UInt8 = 0x40
}

enum TransactionInfo {
    static let commit: UInt8 = 0x00
    static let abort: UInt8 = 0x20
}

enum StorageInfo {
    static let create: UInt8 = 0x10
    static let truncate: UInt8 = 0x20
}

enum GenericInfo {
    static let pageChanges: UInt8 = 0x00
    /// Page changes that remove row versions, prefixed by the newest xid whose versions they
    /// remove (PostgreSQL's snapshotConflictHorizon): `conflictHorizon u32 | page changes`.
    static let pageChangesRemovingVersions: UInt8 = 0x10
}

/// What Storage needs from the WAL writer (WALWriter conforms; tests may substitute).
protocol WALAppending: WALFlushing {
    func insert(_ rmid: ResourceManagerID, info: UInt8, xid: TransactionID, payload: [UInt8]) throws -> (start: LSN, end: LSN)
    var insertLSN: LSN { get }
}
