// StorageFixture: a real data directory written through the Storage API, for the benchmarks that
// need real pages and real WAL (redo, full-page image compression, buffer pool hits).
//
// Built once per run, in three steps, with a pgbench-like table (pgbench_accounts' row: aid, bid,
// abalance, 84 bytes of filler) and a B-tree on aid:
//   1. load `rows` rows (one transaction per 1000), then a checkpoint: pages on disk, redo point moved;
//   2. transactions of TPC-B's shape on it: update a random row (a new heap version and a new index
//      entry, no HOT) and insert a history-like row, until `redoWALBytes` of WAL follow the
//      checkpoint. The first change of each page after the checkpoint logs a full-page image, as
//      PostgreSQL's full_page_writes does;
//   3. with the WAL flushed and the dirty pages still only in shared buffers, the folder is copied:
//      that copy is what a kill -9 leaves on disk (`crashImage`). Then the engine shuts down
//      cleanly (a checkpoint writes every page) and the original stays as `cleanDirectory`.

import Foundation
import Logging
import Storage
import WAL

final class StorageFixture: @unchecked Sendable {
    static let heapID = RelationID(StorageEngine.firstNormalOID)
    static let indexID = RelationID(StorageEngine.firstNormalOID + 1)
    static let rows = 100_000
    static let redoWALBytes: UInt64 = 64 << 20

    /// shared_buffers 128 MB (PostgreSQL's default), fsync off: the fixture measures code, and the
    /// recovery benchmarks must not be dominated by evicting pages.
    static let configuration = StorageConfiguration(
        sharedBuffers: 16384, wal: WALConfiguration(fsync: false), synchronousCommit: false,
        checkpointTimeout: .seconds(3600), maxWALSize: 4 << 30)

    static let logger: Logger = {
        var logger = Logger(label: "storage-benchmark")
        logger.logLevel = .warning
        return logger
    }()

    let cleanDirectory: String
    let crashImage: String
    /// WAL from the crash image's redo point to its end: what recovery of the image replays.
    let redoBytes: UInt64
    /// The tuple id of each row's newest version.
    let rowTIDs: [TupleID]

    init(folder: String) throws {
        cleanDirectory = folder + "/clean"
        crashImage = folder + "/crash-image"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try StorageEngine.create(dataDirectory: cleanDirectory, configuration: Self.configuration, logger: Self.logger)
        let engine = try StorageEngine(dataDirectory: cleanDirectory, configuration: Self.configuration,
                                       logger: Self.logger)
        var generator = SystemRandomNumberGenerator()
        var tids = try Self.load(engine)
        try engine.checkpoint(reason: .manual)
        let redoPoint = engine.control.redoLSN
        while engine.wal.insertLSN.value - redoPoint.value < Self.redoWALBytes {
            try Self.tpcbLikeTransaction(engine, tids: &tids, using: &generator)
        }
        let end = engine.wal.insertLSN
        try engine.wal.flush(upTo: end)
        try FileManager.default.copyItem(atPath: cleanDirectory, toPath: crashImage)
        try engine.shutdown()
        redoBytes = end.value - redoPoint.value
        rowTIDs = tids
    }

    /// Copies the crash image to `path` (a fresh folder) for one recovery.
    func copyCrashImage(to path: String) throws {
        try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.copyItem(atPath: crashImage, toPath: path)
    }

    /// Every page of a relation of the clean directory, as the checkpoint wrote it.
    func pages(of relation: RelationID) throws -> [[UInt8]] {
        let path = cleanDirectory + "/base/\(databaseOID)/\(relation.value)"
        let file = try Data(contentsOf: URL(fileURLWithPath: path))
        return stride(from: 0, to: file.count - pageSize + 1, by: pageSize).map { [UInt8](file[$0..<$0 + pageSize]) }
    }

    static func row(aid: Int, balance: Int) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(96)
        for value in [UInt32(aid), UInt32(aid / 100_000 + 1), UInt32(bitPattern: Int32(balance))] {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 84))
        return bytes
    }

    /// The index key of a row: aid big-endian, so that memcmp orders keys as integers.
    static func key(aid: Int) -> [UInt8] {
        withUnsafeBytes(of: UInt32(aid).bigEndian) { [UInt8]($0) }
    }

    private static func load(_ engine: StorageEngine) throws -> [TupleID] {
        let ddl = try engine.transactions.assignTransactionID()
        try engine.createRelation(heapID, kind: .heap, xid: ddl)
        try engine.createRelation(indexID, kind: .btree, xid: ddl)
        try engine.transactions.commit(ddl)
        let heap = engine.heap(heapID), index = engine.btree(indexID)
        var tids: [TupleID] = []
        tids.reserveCapacity(rows)
        for first in stride(from: 0, to: rows, by: 1000) {
            let xid = try engine.transactions.assignTransactionID()
            for aid in first..<min(first + 1000, rows) {
                let tid = try heap.insert(row(aid: aid, balance: 0), xid: xid, command: .first)
                try index.insert(key: key(aid: aid), tid: tid, xid: xid)
                tids.append(tid)
            }
            try engine.transactions.commit(xid)
        }
        return tids
    }

    /// UPDATE of a random row's balance (new version + new index entry) and an INSERT, one commit.
    private static func tpcbLikeTransaction(_ engine: StorageEngine, tids: inout [TupleID],
                                            using generator: inout SystemRandomNumberGenerator) throws {
        let heap = engine.heap(heapID), index = engine.btree(indexID)
        let xid = try engine.transactions.assignTransactionID()
        let aid = Int.random(in: 0..<rows, using: &generator)
        let snapshot = engine.transactions.snapshot(for: xid, command: .first)
        let balance = Int.random(in: -5000...5000, using: &generator)
        if case .ok(let newVersion?) = try heap.update(tids[aid], newData: row(aid: aid, balance: balance), xid: xid,
                                                        command: .first, snapshot: snapshot) {
            try index.insert(key: key(aid: aid), tid: newVersion, xid: xid, heap: heap)
            tids[aid] = newVersion
        }
        _ = try heap.insert(row(aid: rows + aid, balance: balance), xid: xid, command: CommandID(1))
        try engine.transactions.commit(xid)
    }
}

/// What a full-page image compresses: the page without its free hole [pd_lower, pd_upper), as
/// PageChangeRecord logs it (PageHeader: pd_lower at byte 14, pd_upper at 16, little-endian).
enum FullPageImage {
    static func withoutHole(_ page: [UInt8]) -> [UInt8] {
        let lower = Int(page[14]) | Int(page[15]) << 8
        let upper = Int(page[16]) | Int(page[17]) << 8
        guard pageHeaderSize <= lower, lower <= upper, upper <= page.count else { return page }
        return Array(page[..<lower]) + Array(page[upper...])
    }
}
