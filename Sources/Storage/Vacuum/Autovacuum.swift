// Storage: the autovacuum launcher and worker in one background thread (PostgreSQL's
// autovacuum.c, one worker, one database).
//
// Every `naptime` it looks at each table the caller's `targets` lists and VACUUMs those whose dead
// row versions passed  threshold + scaleFactor × live tuples  (PostgreSQL's
// autovacuum_vacuum_threshold and autovacuum_vacuum_scale_factor over pg_class.reltuples), using
// the counters of HeapStatistics. The counters live in memory: after a restart a table is vacuumed
// once its new dead versions pass the threshold, and that VACUUM counts its live tuples again.
// Nothing runs while the engine is a standby in recovery (it starts after a promotion).
// A vacuum taking at least `logMinDuration` is logged (log_autovacuum_min_duration); every one
// is logged at debug level.
import Foundation
import Logging
import WAL

public struct AutovacuumConfiguration: Sendable {
    public var naptime: Duration
    public var threshold: Int
    public var scaleFactor: Double
    /// log_autovacuum_min_duration; nil: only debug lines.
    public var logMinDuration: Duration?

    public init(naptime: Duration = .seconds(5), threshold: Int = 50, scaleFactor: Double = 0.2,
                logMinDuration: Duration? = nil) {
        self.naptime = naptime
        self.threshold = threshold
        self.scaleFactor = scaleFactor
        self.logMinDuration = logMinDuration
    }

    /// Does a table with these counters need a VACUUM?
    func needsVacuum(_ statistics: HeapStatistics) -> Bool {
        Double(statistics.deadTuples) > Double(threshold) + scaleFactor * Double(max(0, statistics.liveTuples))
    }
}

final class Autovacuum: @unchecked Sendable {
    private weak var engine: StorageEngine?
    private let configuration: AutovacuumConfiguration
    private let targets: @Sendable () -> [VacuumTarget]
    private let monitor = ConditionLock()
    private var stopping = false
    private var stopped = false

    init(engine: StorageEngine, configuration: AutovacuumConfiguration, targets: @escaping @Sendable () -> [VacuumTarget]) {
        self.engine = engine
        self.configuration = configuration
        self.targets = targets
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "autovacuum"
        thread.start()
    }

    func stop() {
        monitor.withLock {
            stopping = true
            monitor.broadcast()
            while !stopped { monitor.wait(timeout: .milliseconds(100)) }
        }
    }

    private func run() {
        while true {
            let stop = monitor.withLock { () -> Bool in
                if !stopping { monitor.wait(timeout: configuration.naptime) }
                return stopping
            }
            guard !stop, let engine else { break }
            if engine.isInRecovery { continue }      // a standby replays its primary's VACUUMs
            for target in targets() {
                if monitor.withLock({ stopping }) { break }
                vacuumIfNeeded(target, engine: engine)
            }
        }
        monitor.withLock {
            stopped = true
            monitor.broadcast()
        }
    }

    private func vacuumIfNeeded(_ target: VacuumTarget, engine: StorageEngine) {
        let statistics = engine.heap(target.heap).currentStatistics
        guard configuration.needsVacuum(statistics) else { return }
        let started = ContinuousClock.now
        do {
            let result = try engine.vacuum(heap: target.heap, indexes: target.indexes, automatic: true)
            let elapsed = ContinuousClock.now - started
            let message: Logger.Message = "automatic vacuum of table \"\(target.name)\": pages: \(result.pagesScanned) scanned, tuples: \(result.tuplesRemoved) removed, \(result.liveTuples) remain, \(result.recentlyDeadTuples) are dead but not yet removable, index entries: \(result.indexEntriesRemoved) removed"
            if let minimum = configuration.logMinDuration, elapsed >= minimum {
                engine.logger.info(message)
            } else {
                engine.logger.debug(message)
            }
        } catch {
            // A table dropped since the target list was made has no file any more: not worth a word.
            if (try? engine.bufferPool.pageCount(target.heap)) == nil { return }
            engine.logger.error("automatic vacuum of table \"\(target.name)\" failed: \(error)")
        }
    }
}

extension StorageEngine {
    /// Starts autovacuum over the tables `targets` lists each round (the SQL layer knows which
    /// indexes belong to which table). Stopped by shutdown().
    public func startAutovacuum(_ configuration: AutovacuumConfiguration, targets: @escaping @Sendable () -> [VacuumTarget]) {
        let worker = Autovacuum(engine: self, configuration: configuration, targets: targets)
        let previous = autovacuum.withLock { current -> Autovacuum? in
            defer { current = worker }
            return current
        }
        previous?.stop()
        worker.start()
    }

    func stopAutovacuum() {
        autovacuum.withLock { current -> Autovacuum? in
            defer { current = nil }
            return current
        }?.stop()
    }
}
