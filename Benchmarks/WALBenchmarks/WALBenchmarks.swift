// WALBenchmarks: what the write path costs. See ../../docs/performance.md for figures and limits.
//
//   CRC32C 64 KiB (hardware | software)   one checksum of a 64 KiB buffer
//   crc32q instruction alone              the instruction's own throughput (CRC32CProbe), the
//                                         ceiling of the hardware CRC32C
//   WAL insert <size>                     one insert (reported per insert), fsync off so that
//                                         only copying, CRC and buffer write-outs count
//   WAL insert <size>, <n> threads        n threads inserting at once: inserts/s of all of them
//   Commit fsync=on, <n> committers       n threads each insert a small record and flush(upTo:)
//                                         it, i.e. a commit; custom metrics give commits/s and
//                                         commits per fdatasync (group commit at work)
//   fdatasync 8 KiB                       the disk's own rate: pwrite 8 KiB + fdatasync, the
//                                         ceiling for a single committer
//   FPI zstd compress|decompress <kind>   full-page images of real heap / B-tree pages
//                                         (StorageFixture), minus their hole, as the WAL logs them
//   Redo, standby replay                  StorageEngine opened as a standby on a crash image:
//                                         reads and applies 64 MiB of WAL (MB/s of WAL replayed)
//   Crash recovery                        the same WAL through crash recovery, which ends with
//                                         the end-of-recovery checkpoint (writes every page)
//   Buffer pool hit, heap fetch           HeapRelation.fetchLatest of random rows, all cached
//   Streaming 128 MiB (fsync off|on)      WAL sender → loopback TCP → WAL receiver → pg_wal
//
// Files go to $MINIPG_BENCH_DIR, or a folder under the system temp directory (use the disk the
// WAL will live on: fdatasync figures are the disk's, not the code's).

import Benchmark
import CRC32CProbe
import Foundation
import Logging
import Storage
import WAL

/// Regression thresholds for `baseline check` (scripts/bench-check), for the metrics a benchmark
/// reports: CPU-bound figures may move 25 % at the median on this shared machine; disk-bound ones
/// (`tolerance` 150) follow the other tenants' writes. Compression ratios hardly move at all.
func thresholds(_ metrics: [BenchmarkMetric], tolerance: Double = 25) -> [BenchmarkMetric: BenchmarkThresholds] {
    var result: [BenchmarkMetric: BenchmarkThresholds] = [:]
    for metric in metrics {
        switch metric {
        case Fixtures.compressedPercent: result[metric] = .init(relative: [.p50: 5.0])
        case Fixtures.commitsPerFdatasync: result[metric] = .init(relative: [.p50: 50.0])
        case .mallocCountTotal: result[metric] = .init(relative: [.p50: tolerance], absolute: [.p50: 2])
        default: result[metric] = .init(relative: [.p50: tolerance])
        }
    }
    return result
}

/// A configuration whose thresholds cover exactly its metrics.
func configuration(_ metrics: [BenchmarkMetric], diskBound: Bool = false, scalingFactor: BenchmarkScalingFactor = .one,
                   warmupIterations: Int = 1, maxDuration: Duration = .seconds(2),
                   maxIterations: Int = 10_000) -> Benchmark.Configuration {
    .init(metrics: metrics, warmupIterations: warmupIterations, scalingFactor: scalingFactor, maxDuration: maxDuration,
          maxIterations: maxIterations, thresholds: thresholds(metrics, tolerance: diskBound ? 150 : 25))
}

let benchmarks: @Sendable () -> Void = {
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = .warning
        return handler
    }
    Benchmark.defaultConfiguration = configuration([.wallClock, .throughput, .mallocCountTotal])
    checksumBenchmarks()
    insertBenchmarks()
    commitBenchmarks()
    fullPageImageBenchmarks()
    recoveryBenchmarks()
    bufferPoolBenchmarks()
    streamingBenchmarks()
    Benchmark.teardown = {
        Fixtures.shared.removeScratch()
    }
}

func checksumBenchmarks() {
    let crcBuffer = (0..<(64 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 131) }
    if crc32c_probe_available() != 0 {
        // 65,520 bytes: the largest multiple of the probe's 24-byte stride in 64 KiB.
        Benchmark("crc32q instruction alone, 64 KiB (3 chains, no merge)") { benchmark in
            crcBuffer.withUnsafeBytes { bytes in
                for _ in benchmark.scaledIterations {
                    blackHole(crc32c_probe_instruction(bytes.baseAddress, 65_520))
                }
            }
        }
    }
    if CRC32C.hardwareAvailable {
        Benchmark("CRC32C 64 KiB (hardware)") { benchmark in
            crcBuffer.withUnsafeBytes { bytes in
                for _ in benchmark.scaledIterations {
                    blackHole(CRC32C.hardwareChecksum(bytes))
                }
            }
        }
    }
    Benchmark("CRC32C 64 KiB (software)") { benchmark in
        crcBuffer.withUnsafeBytes { bytes in
            for _ in benchmark.scaledIterations {
                blackHole(CRC32C.softwareChecksum(bytes))
            }
        }
    }
}

func sizeLabel(_ size: Int) -> String { size >= 1024 ? "\(size / 1024) KiB" : "\(size) B" }

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func insertBenchmarks() {
    for size in [64, 512, 2048, 8192] {
        let payload = [UInt8](repeating: 0x5A, count: size)
        Benchmark("WAL insert \(sizeLabel(size))",
                  configuration: configuration([.wallClock, .throughput, .mallocCountTotal], scalingFactor: .kilo)) { benchmark in
            let writer = try Fixtures.shared.insertWriter()
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(try writer.insert(Fixtures.resourceManager, info: 0, xid: .firstNormal, payload: payload))
            }
            benchmark.stopMeasurement()
            // A checkpoint's worth of cleanup, unmeasured: old segments are recycled.
            try writer.removeSegments(endingAtOrBefore: writer.writtenLSN)
        }
    }
    // Several inserters on one writer: its lock is the point where they meet.
    for size in [64, 8192] {
        let records = size > 1024 ? 2048 : 16384
        for threads in [2, 4, 8] {
            Benchmark("WAL insert \(sizeLabel(size)), \(threads) threads",
                      configuration: configuration([.wallClock, Fixtures.insertsPerSecond])) { benchmark in
                let writer = try Fixtures.shared.insertWriter()
                let gang = WriterGang(writer: writer, threads: threads, recordsPerThread: records / threads,
                                      payloadBytes: size, commit: false)
                benchmark.startMeasurement()
                let started = ContinuousClock.now
                try gang.run()
                let elapsed = ContinuousClock.now - started
                benchmark.stopMeasurement()
                benchmark.measurement(Fixtures.insertsPerSecond, Int(Double(records) / seconds(elapsed)))
                try writer.removeSegments(endingAtOrBefore: writer.writtenLSN)
            }
        }
    }
}

func commitBenchmarks() {
    for committers in [1, 8, 64, 256] {
        // At least 4 commits per committer and iteration, so that groups can form.
        let commits = max(256, 4 * committers)
        Benchmark("Commit fsync=on, \(committers) committers",
                  configuration: configuration([.wallClock, Fixtures.commitsPerSecond, Fixtures.commitsPerFdatasync],
                                               diskBound: true, maxDuration: .seconds(3))) { benchmark in
            let writer = try Fixtures.shared.commitWriter()
            let gang = WriterGang(writer: writer, threads: committers, recordsPerThread: commits / committers,
                                  payloadBytes: Fixtures.commitPayloadBytes, commit: true)
            let syncsBefore = writer.statistics.syncs
            benchmark.startMeasurement()
            let started = ContinuousClock.now
            try gang.run()
            let elapsed = ContinuousClock.now - started
            benchmark.stopMeasurement()
            let syncs = max(1, writer.statistics.syncs - syncsBefore)
            benchmark.measurement(Fixtures.commitsPerSecond, Int(Double(commits) / seconds(elapsed)))
            benchmark.measurement(Fixtures.commitsPerFdatasync, Int((Double(commits) / Double(syncs)).rounded()))
            try writer.removeSegments(endingAtOrBefore: writer.flushedLSN)
        }
    }

    Benchmark("fdatasync 8 KiB (the disk itself)",
              configuration: configuration([.wallClock, .throughput], diskBound: true)) { benchmark in
        let file = try Fixtures.shared.syncProbe()
        for _ in benchmark.scaledIterations {
            try file.writeAndSync()
        }
    }
}

func fullPageImageBenchmarks() {
    let kinds: [(name: String, relation: RelationID)] = [("heap", StorageFixture.heapID), ("B-tree", StorageFixture.indexID)]
    let metrics: [BenchmarkMetric] = [.wallClock, Fixtures.megabytesPerSecond, Fixtures.compressedPercent]
    for kind in kinds {
        // One iteration compresses every page of the relation.
        Benchmark("FPI zstd compress, \(kind.name) pages", configuration: configuration(metrics)) { benchmark in
            let images = try Fixtures.shared.storageFixture().pages(of: kind.relation).map(FullPageImage.withoutHole)
            var input = 0, output = 0
            benchmark.startMeasurement()
            let started = ContinuousClock.now
            for image in images {
                let compressed = try FullPageImageCodec.compress(image)
                input += image.count
                output += compressed.count
                blackHole(compressed)
            }
            let elapsed = ContinuousClock.now - started
            benchmark.stopMeasurement()
            benchmark.measurement(Fixtures.megabytesPerSecond, Int(Double(input) / 1e6 / seconds(elapsed)))
            benchmark.measurement(Fixtures.compressedPercent, output * 100 / max(1, input))
        }
    }
    Benchmark("FPI zstd decompress, heap pages",
              configuration: configuration([.wallClock, Fixtures.megabytesPerSecond])) { benchmark in
        let images = try Fixtures.shared.storageFixture().pages(of: StorageFixture.heapID).map(FullPageImage.withoutHole)
        let compressed = try images.map { (try FullPageImageCodec.compress($0), $0.count) }
        var output = 0
        benchmark.startMeasurement()
        let started = ContinuousClock.now
        for (bytes, size) in compressed {
            blackHole(try FullPageImageCodec.decompress(bytes, pageSize: size))
            output += size
        }
        let elapsed = ContinuousClock.now - started
        benchmark.stopMeasurement()
        benchmark.measurement(Fixtures.megabytesPerSecond, Int(Double(output) / 1e6 / seconds(elapsed)))
    }
}

func recoveryBenchmarks() {
    let metrics: [BenchmarkMetric] = [.wallClock, Fixtures.megabytesPerSecond]
    Benchmark("Redo, standby replay of 64 MiB of WAL",
              configuration: configuration(metrics, warmupIterations: 0, maxDuration: .seconds(30), maxIterations: 5)) {
        try recoverCrashImage($0, standby: true)
    }
    Benchmark("Crash recovery of 64 MiB of WAL (redo + checkpoint)",
              configuration: configuration(metrics, diskBound: true, warmupIterations: 0, maxDuration: .seconds(30),
                                           maxIterations: 5)) {
        try recoverCrashImage($0, standby: false)
    }
}

/// Copies the crash image (unmeasured), opens it — as a standby, which replays all of pg_wal and
/// stays in recovery, or after a crash, which replays and then writes the end-of-recovery
/// checkpoint — and shuts the engine down again (unmeasured).
func recoverCrashImage(_ benchmark: Benchmark, standby: Bool) throws {
    let fixture = try Fixtures.shared.storageFixture()
    let directory = Fixtures.shared.scratchFolder("recovery")
    try fixture.copyCrashImage(to: directory)
    benchmark.startMeasurement()
    let started = ContinuousClock.now
    let engine = try StorageEngine(dataDirectory: directory, configuration: StorageFixture.configuration,
                                   logger: StorageFixture.logger, standby: standby)
    let elapsed = ContinuousClock.now - started
    benchmark.stopMeasurement()
    benchmark.measurement(Fixtures.megabytesPerSecond, Int(Double(fixture.redoBytes) / 1e6 / seconds(elapsed)))
    try engine.shutdown()
    try FileManager.default.removeItem(atPath: directory)
}

func bufferPoolBenchmarks() {
    // The clean directory's table (~50 MB) fits in shared_buffers: after one pass every fetch hits.
    Benchmark("Buffer pool hit, heap fetch",
              configuration: configuration([.wallClock, .throughput, .mallocCountTotal], scalingFactor: .kilo)) { benchmark in
        let (engine, rows) = try Fixtures.shared.cachedTable()
        let heap = engine.heap(StorageFixture.heapID)
        var generator = SystemRandomNumberGenerator()
        let probes = (0..<benchmark.scaledIterations.count).map { _ in
            rows[Int.random(in: 0..<rows.count, using: &generator)]
        }
        benchmark.startMeasurement()
        for tid in probes {
            blackHole(try heap.fetchLatest(tid))
        }
        benchmark.stopMeasurement()
    }
}

func streamingBenchmarks() {
    for fsync in [false, true] {
        Benchmark("Streaming 128 MiB over loopback (receiver fsync \(fsync ? "on" : "off"))",
                  configuration: configuration([.wallClock, Fixtures.megabytesPerSecond], diskBound: fsync,
                                               maxDuration: .seconds(10), maxIterations: 10)) { benchmark in
            let fixture = try Fixtures.shared.streamingFixture()
            let (bytes, elapsed) = try fixture.streamBacklog(fsync: fsync, measuring: benchmark)
            benchmark.measurement(Fixtures.megabytesPerSecond, Int(Double(bytes) / 1e6 / seconds(elapsed)))
        }
    }
}
