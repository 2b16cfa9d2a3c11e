// WALBenchmarks: what the WAL costs. See ../../docs/performance.md for figures and their limits.
//
//   CRC32C 64 KiB (hardware | software)   one checksum of a 64 KiB buffer
//   WAL insert <size>                     one insert (reported per insert), fsync off so that
//                                         only copying, CRC and buffer write-outs count
//   Commit fsync=on, <n> committers       n threads each insert a small record and flush(upTo:)
//                                         it, i.e. a commit; custom metrics give commits/s and
//                                         fdatasync calls per 256 commits (group commit at work)
//   fdatasync 8 KiB                       the disk's own rate: pwrite 8 KiB + fdatasync, the
//                                         ceiling for a single committer
//
// Files go to $MINIPG_BENCH_DIR, or a folder under the system temp directory (use the disk the
// WAL will live on: fdatasync figures are the disk's, not the code's).

import Benchmark
import Foundation
import WAL

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput, .mallocCountTotal],
                                           maxDuration: .seconds(2))

    let crcBuffer = (0..<(64 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 131) }
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

    for size in [64, 512, 8192] {
        let payload = [UInt8](repeating: 0x5A, count: size)
        let label = size >= 1024 ? "\(size / 1024) KiB" : "\(size) B"
        Benchmark("WAL insert \(label)", configuration: .init(scalingFactor: .kilo)) { benchmark in
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

    for committers in [1, 8, 64] {
        Benchmark("Commit fsync=on, \(committers) committers",
                  configuration: .init(metrics: [.wallClock, Fixtures.commitsPerSecond, Fixtures.fdatasyncsPer256Commits],
                                       maxDuration: .seconds(3))) { benchmark in
            let writer = try Fixtures.shared.commitWriter()
            let gang = CommitterGang(writer: writer, threads: committers,
                                     commitsPerThread: Fixtures.commitsPerIteration / committers)
            let syncsBefore = writer.statistics.syncs
            benchmark.startMeasurement()
            let started = ContinuousClock.now
            try gang.run()
            let elapsed = ContinuousClock.now - started
            benchmark.stopMeasurement()
            let syncs = writer.statistics.syncs - syncsBefore
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            benchmark.measurement(Fixtures.commitsPerSecond, Int(Double(Fixtures.commitsPerIteration) / seconds))
            benchmark.measurement(Fixtures.fdatasyncsPer256Commits, syncs * 256 / Fixtures.commitsPerIteration)
            try writer.removeSegments(endingAtOrBefore: writer.flushedLSN)
        }
    }

    Benchmark("fdatasync 8 KiB (the disk itself)", configuration: .init(metrics: [.wallClock, .throughput],
                                                                      maxDuration: .seconds(2))) { benchmark in
        let file = try Fixtures.shared.syncProbe()
        for _ in benchmark.scaledIterations {
            try file.writeAndSync()
        }
    }

    Benchmark.teardown = {
        Fixtures.shared.removeScratch()
    }
}
