// Fixtures: the scratch folder, long-lived WAL writers, a gang of committer threads and the raw
// fdatasync probe used by WALBenchmarks.swift.

import Benchmark
import Foundation
import Logging
import WAL

final class Fixtures: @unchecked Sendable {
    static let shared = Fixtures()
    static let resourceManager = ResourceManagerID(rawValue: 1)
    /// Commits per measured iteration of the commit benchmarks (divisible by 1, 8 and 64).
    static let commitsPerIteration = 256
    static let commitPayloadBytes = 64
    static let commitsPerSecond = BenchmarkMetric.custom("commits/s", polarity: .prefersLarger, useScalingFactor: false)
    static let fdatasyncsPer256Commits = BenchmarkMetric.custom("fdatasyncs per 256 commits", useScalingFactor: false)

    private let lock = NSLock()
    private let scratch: String
    private var inserts: WALWriter?
    private var commits: WALWriter?
    private var probe: SyncProbe?

    private init() {
        let base = ProcessInfo.processInfo.environment["MINIPG_BENCH_DIR"]
            ?? FileManager.default.temporaryDirectory.path
        scratch = base + "/minipg-wal-bench-\(getpid())"
    }

    /// fsync off: inserts and buffer write-outs, never an fdatasync.
    func insertWriter() throws -> WALWriter {
        try lock.withLock {
            if let inserts { return inserts }
            let writer = try makeWriter(folder: "inserts", fsync: false)
            inserts = writer
            return writer
        }
    }

    func commitWriter() throws -> WALWriter {
        try lock.withLock {
            if let commits { return commits }
            let writer = try makeWriter(folder: "commits", fsync: true)
            commits = writer
            return writer
        }
    }

    func syncProbe() throws -> SyncProbe {
        try lock.withLock {
            if let probe { return probe }
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            let made = try SyncProbe(path: scratch + "/fdatasync-probe")
            probe = made
            return made
        }
    }

    func removeScratch() {
        lock.withLock {
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

/// `threads` committer threads, started before measuring and released together; each commits
/// `commitsPerThread` times (insert + flush(upTo:) of its own record).
final class CommitterGang: @unchecked Sendable {
    private let writer: WALWriter
    private let threads: Int
    private let commitsPerThread: Int
    private let gate = DispatchSemaphore(value: 0)
    private let finished = DispatchGroup()
    private let lock = NSLock()
    private var failure: Error?

    init(writer: WALWriter, threads: Int, commitsPerThread: Int) {
        self.writer = writer
        self.threads = threads
        self.commitsPerThread = commitsPerThread
        for _ in 0..<threads {
            finished.enter()
            Thread { [self] in
                gate.wait()
                commitLoop()
                finished.leave()
            }.start()
        }
    }

    func run() throws {
        for _ in 0..<threads { gate.signal() }
        finished.wait()
        if let failure = lock.withLock({ failure }) { throw failure }
    }

    private func commitLoop() {
        let payload = [UInt8](repeating: 0xC0, count: Fixtures.commitPayloadBytes)
        do {
            for _ in 0..<commitsPerThread {
                let (_, end) = try writer.insert(Fixtures.resourceManager, info: 0, xid: .firstNormal, payload: payload)
                try writer.flush(upTo: end)
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
