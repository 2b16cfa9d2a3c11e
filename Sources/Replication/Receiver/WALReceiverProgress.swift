// WALReceiverProgress: how far a standby has received WAL, shared between the WAL receiver (which
// writes and fsyncs what the primary streams) and the startup process's replay loop (which must
// never read past what is durably in pg_wal/). PostgreSQL keeps the same in shared memory
// (WalRcvData.flushedUpto / receivedTLI) and wakes the startup process with a latch.
//
//   receiver thread:  write XLogData → fdatasync → publishFlushed(upTo:timeline:) ──┐
//   replay thread:    waitForFlush(beyond: replayed, timeout:) ◄────────────────────┘ wakes
//                     … replay records below flushedLSN …  reportReplayed(lsn) ──► receiver sends 'r'
//
// Invariants: `flushedLSN` only grows within a timeline; bytes below it, in the segment files of
// `flushedTimeline` (and of earlier timelines before their switch points), are on disk.
// Thread-safe; the waits are bounded.

import Glibc
import WAL

public final class WALReceiverProgress: @unchecked Sendable {
    /// A self-pipe the receiver polls next to its socket (the read end): a byte is written when
    /// replay moves, so that the apply position reaches the primary at once (remote_apply).
    let replayWakeDescriptor: Int32
    private let replayWakeWriter: Int32
    private let lock = ConditionLock()
    private var flushed = LSN.invalid
    private var timeline = TimelineID.first
    private var replayed = LSN.invalid
    private var replayReported = true
    private var stopped = false

    public init() {
        var ends: [Int32] = [-1, -1]
        if pipe(&ends) == 0 {
            for end in ends {
                _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
                _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            }
        }
        replayWakeDescriptor = ends[0]
        replayWakeWriter = ends[1]
    }

    deinit {
        for end in [replayWakeDescriptor, replayWakeWriter] where end >= 0 { close(end) }
    }

    /// Received, written and fsynced up to here (the next byte to arrive goes at this LSN).
    public var flushedLSN: LSN { lock.withLock { flushed } }
    /// The timeline the last flushed bytes belong to.
    public var flushedTimeline: TimelineID { lock.withLock { timeline } }
    /// What replay reported last (sent to the primary as the apply position).
    public var replayedLSN: LSN { lock.withLock { replayed } }

    /// Receiver: everything below `lsn` on `timeline` is durable. Wakes waiting replay.
    public func publishFlushed(upTo lsn: LSN, timeline newTimeline: TimelineID) {
        lock.withLock {
            if newTimeline != timeline || lsn > flushed {
                flushed = lsn
                timeline = newTimeline
            }
            lock.broadcast()
        }
    }

    /// Replay: blocks until flushedLSN > lsn, the timeout passes, or the receiver stopped for
    /// good (promotion, shutdown); returns the flushed position then.
    public func waitForFlush(beyond lsn: LSN, timeout: Duration) -> LSN {
        let deadline = ConditionLock.Deadline.after(timeout)
        return lock.withLock {
            while flushed <= lsn && !stopped {
                if !lock.wait(until: deadline) { break }
            }
            return flushed
        }
    }

    /// Replay: records below `lsn` are applied; the receiver reports it to the primary
    /// (synchronous_commit = remote_apply waits for this).
    public func reportReplayed(_ lsn: LSN) {
        lock.withLock {
            guard lsn > replayed else { return }
            replayed = lsn
            replayReported = false
            lock.broadcast()
        }
        var one: UInt8 = 1
        _ = write(replayWakeWriter, &one, 1)   // when the pipe is full, the reader is awake anyway
    }

    /// Receiver: true once per new replay position, so that it sends a status update.
    func takeUnreportedReplay() -> Bool {
        var drained = [UInt8](repeating: 0, count: 256)
        while read(replayWakeDescriptor, &drained, drained.count) > 0 {}
        return lock.withLock {
            defer { replayReported = true }
            return !replayReported
        }
    }

    /// Receiver: a receiver (again) streams into this progress — after primary_conninfo changed on a
    /// reload, a new receiver continues where the stopped one flushed.
    func markStarted() {
        lock.withLock { stopped = false }
    }

    /// Receiver: streaming has ended (promotion, shutdown, or a new upstream); wakes every waiter.
    func markStopped() {
        lock.withLock {
            stopped = true
            lock.broadcast()
        }
    }
}
