// LagTracker: write/flush/replay lag for pg_stat_replication, PostgreSQL's LagTracker idea.
//
// When the WAL sender sends WAL up to an LSN it records (LSN, time the WAL was flushed locally).
// When the standby reports it has written / flushed / applied up to some LSN, every sample at or
// below that LSN is consumed for that report kind, and the lag is "now − time of the newest
// consumed sample": how long the standby took to get there. A report that consumes no sample
// keeps the previous lag. As in PostgreSQL, when the standby reports everything sent as applied
// twice in a row, the lags are forgotten (NULL) rather than showing a stale value while idle.
// Pure value type: time is passed in (microseconds), nothing here reads a clock.

struct LagTracker {
    enum Kind: Int, CaseIterable { case write = 0, flush = 1, replay = 2 }

    /// Samples kept at most; beyond it the oldest is dropped (lag then reads a little high).
    static let capacity = 8192

    private var samples: [(lsn: UInt64, time: Int64)] = []
    /// Per kind: index in `samples` of the first sample not yet consumed.
    private var next = [0, 0, 0]
    private(set) var lag: [Int64?] = [nil, nil, nil]
    private var caughtUpReports = 0

    /// WAL up to `lsn` was sent; it was flushed locally at `time`.
    mutating func sent(upTo lsn: UInt64, at time: Int64) {
        if let last = samples.last, last.lsn >= lsn { return }
        if samples.count == Self.capacity { dropFirst(1) }
        samples.append((lsn, time))
    }

    /// The standby reported its positions at `now`; `sent` is the end of what was sent.
    mutating func reported(write: UInt64, flush: UInt64, replay: UInt64, sent: UInt64, now: Int64) {
        for (kind, position) in [(Kind.write, write), (.flush, flush), (.replay, replay)] {
            var newest: Int64?
            while next[kind.rawValue] < samples.count, samples[next[kind.rawValue]].lsn <= position {
                newest = samples[next[kind.rawValue]].time
                next[kind.rawValue] += 1
            }
            if let newest { lag[kind.rawValue] = max(0, now - newest) }
        }
        let consumedByAll = next.min() ?? 0
        if consumedByAll > 0 { dropFirst(consumedByAll) }
        if write == sent && flush == sent && replay == sent {
            caughtUpReports += 1
            if caughtUpReports >= 2 { lag = [nil, nil, nil] }
        } else {
            caughtUpReports = 0
        }
    }

    private mutating func dropFirst(_ count: Int) {
        samples.removeFirst(count)
        next = next.map { max(0, $0 - count) }
    }
}
