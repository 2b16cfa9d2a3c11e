// Fixtures: the scratch folder, long-lived WAL writers, a gang of inserting or committing threads,
// the raw fdatasync probe, and the Storage and streaming fixtures (StorageFixture.swift,
// StreamingFixture.swift), each built at most once per benchmark process.

import Benchmark
import Foundation
import Logging
import Storage
import WAL

final class Fixtures: @unchecked Sendable {
    static let shared = Fixtures()
    static let resourceManager = ResourceManagerID(rawValue: 1)
    static let commitPayloadBytes = 64
    static let commitsPerSecond = BenchmarkMetric.custom("commits/s", polarity: .prefersLarger, useScalingFactor: false)
    static let commitsPerFdatasync = BenchmarkMetric.custom("commits per fdatasync", polarity: .prefersLarger,
                                                            useScalingFactor: false)
    static let insertsPerSecond = BenchmarkMetric.custom("inserts/s", polarity: .prefersLarger, useScalingFactor: false)
    static let megabytesPerSecond = BenchmarkMetric.custom("MB/s", polarity: .prefersLarger, useScalingFactor: false)
    static let compressedPercent = BenchmarkMetric.custom("compressed size, % of image", useScalingFactor: false)

    private let lock = NSLock()
    private let scratch: String
    private var inserts: WALWriter?
    private var commits: WALWriter?
    private var probe: SyncProbe?
    private var storage: StorageFixture?
    private var streaming: StreamingFixture?
    private var cached: (engine: StorageEngine, rows: [TupleID])?

    private init() {
        let base = ProcessInfo.processInfo.environment["MINIPG_BENCH_DIR"]
            ?? FileManager.default.temporaryDirectory.path
        scratch = base + "/minipg-wal-bench-\(getpid())"
    }

    /// fsync off: inserts and buffer write-outs, never an fdatasync.
    func insertWriter() throws -> WALWriter {
        try once(\.inserts) { try makeWriter(folder: "inserts", fsync: false) }
    }

    func commitWriter() throws -> WALWriter {
        try once(\.commits) { try makeWriter(folder: "commits", fsync: true) }
    }

    func syncProbe() throws -> SyncProbe {
        try once(\.probe) {
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            return try SyncProbe(path: scratch + "/fdatasync-probe")
        }
    }

    func storageFixture() throws -> StorageFixture {
        try once(\.storage) { try StorageFixture(folder: scratch + "/storage") }
    }

    func streamingFixture() throws -> StreamingFixture {
        try once(\.streaming) { try StreamingFixture(folder: scratch + "/streaming") }
    }

    /// The storage fixture's clean directory opened, every row fetched once (all pages cached).
    func cachedTable() throws -> (engine: StorageEngine, rows: [TupleID]) {
        let fixture = try storageFixture()
        return try once(\.cached) {
            let engine = try StorageEngine(dataDirectory: fixture.cleanDirectory,
                                           configuration: StorageFixture.configuration, logger: StorageFixture.logger)
            let heap = engine.heap(StorageFixture.heapID)
            for tid in fixture.rowTIDs { _ = try heap.fetchLatest(tid) }
            return (engine, fixture.rowTIDs)
        }
    }

    /// What `slot` holds, made by `make` the first time it is asked for.
    private func once<Value>(_ slot: ReferenceWritableKeyPath<Fixtures, Value?>, _ make: () throws -> Value) throws -> Value {
        try lock.withLock {
            if let made = self[keyPath: slot] { return made }
            let made = try make()
            self[keyPath: slot] = made
            return made
        }
    }

    /// A folder for one benchmark's throw-away copies.
    func scratchFolder(_ name: String) -> String { scratch + "/" + name }

    func removeScratch() {
        lock.withLock {
            streaming?.stop()
            streaming = nil
            try? cached?.engine.shutdown()
            cached = nil
            storage = nil
            try? inserts?.close()
            try? commits?.close()
            inserts = nil
            commits = nil
            probe = nil
            try? FileManager.default.removeItem(atPath: scratch)
        }
    }

    private func makeWriter(folder: String, fsync: Bool) throws -> WALWriter {
        let directory = scratch + "/" + folder
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let configuration = WALConfiguration(fsync: fsync)
        return try WALWriter(directory: directory, timeline: .first,
                             end: WALFileName.startLSN(ofSegment: 1, segmentSize: configuration.segmentSize),
                             previousRecord: .invalid, configuration: configuration,
                             logger: Logger(label: "wal-benchmark"))
    }
}

/// `threads` threads, started before measuring and released together; each inserts
/// `recordsPerThread` records, and with `commit` flushes each one (flush(upTo:) of its own
/// record's end: a commit).
final class WriterGang: @unchecked Sendable {
    private let writer: WALWriter
    private let threads: Int
    private let recordsPerThread: Int
    private let payloadBytes: Int
    private let commit: Bool
    private let gate = DispatchSemaphore(value: 0)
    private let finished = DispatchGroup()
    private let lock = NSLock()
    private var failure: Error?

    init(writer: WALWriter, threads: Int, recordsPerThread: Int, payloadBytes: Int, commit: Bool) {
        self.writer = writer
        self.threads = threads
        self.recordsPerThread = recordsPerThread
        self.payloadBytes = payloadBytes
        self.commit = commit
        for _ in 0..<threads {
            finished.enter()
            Thread { [self] in
                gate.wait()
                insertLoop()
                finished.leave()
            }.start()
        }
    }

    func run() throws {
        for _ in 0..<threads { gate.signal() }
        finished.wait()
        if let failure = lock.withLock({ failure }) { throw failure }
    }

    private func insertLoop() {
        let payload = [UInt8](repeating: 0xC0, count: payloadBytes)
        do {
            for _ in 0..<recordsPerThread {
                let (_, end) = try writer.insert(Fixtures.resourceManager, info: 0, xid: .firstNormal, payload: payload)
                if commit { try writer.flush(upTo: end) }
            }
        } catch {
            lock.withLock { failure = error }
        }
    }
}

/// A file in the same folder, for the disk's own write + fdatasync rate (like pg_test_fsync).
final class SyncProbe: @unchecked Sendable {
    private let descriptor: Int32
    private let page = [UInt8](repeating: 0x42, count: 8192)

    init(path: String) throws {
        descriptor = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    deinit {
        close(descriptor)
    }

    func writeAndSync() throws {
        let wrote = page.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        guard wrote == page.count, fdatasync(descriptor) == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
    }
}
