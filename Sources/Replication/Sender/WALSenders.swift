// WALSenders: the registry of running WAL senders (PostgreSQL's WalSndCtl): one entry per
// replication connection, with what pg_stat_replication shows and what synchronous replication
// waits for. Each WAL sender updates its own entry; readers take snapshots. Every update of a
// standby's reported positions wakes the committers waiting in SyncRep (waitForChange).

import PGWire
import WAL

/// pg_stat_replication.state.
public enum WALSenderState: String, Sendable {
    case startup, catchup, streaming, backup, stopping
}

/// One WAL sender as pg_stat_replication shows it. Times are microseconds since 2000-01-01 UTC.
public struct WALSenderStatus: Sendable, Equatable {
    public var pid: Int32
    public var userOID: UInt32
    public var userName: String
    public var applicationName: String
    public var clientAddress: String?
    public var clientPort: Int?
    public var backendStart: Int64
    public var state: WALSenderState = .startup
    /// Hot standby feedback's xmin (nil = none).
    public var backendXmin: UInt32?
    public var sent: LSN?
    public var write: LSN?
    public var flush: LSN?
    public var replay: LSN?
    /// Microseconds between the local flush of WAL and the standby reporting it written/flushed/applied.
    public var writeLag: Int64?
    public var flushLag: Int64?
    public var replayLag: Int64?
    /// The standby's clock in its last status update.
    public var replyTime: Int64?
    /// True while START_REPLICATION streams (only streaming senders count for synchronous replication).
    public var isStreaming: Bool { state == .catchup || state == .streaming }

    public init(pid: Int32, userOID: UInt32, userName: String, applicationName: String, clientAddress: String?,
                clientPort: Int?, backendStart: Int64) {
        self.pid = pid
        self.userOID = userOID
        self.userName = userName
        self.applicationName = applicationName
        self.clientAddress = clientAddress
        self.clientPort = clientPort
        self.backendStart = backendStart
    }
}

public final class WALSenders: @unchecked Sendable {
    /// max_wal_senders' default.
    public static let defaultMaximum = 10

    private let lock = ConditionLock()
    private var entries: [Int32: WALSenderStatus] = [:]   // guarded by lock
    private var generation: UInt64 = 0                    // bumped on every update; guarded by lock
    public let maximum: Int

    public init(maximum: Int = WALSenders.defaultMaximum) {
        self.maximum = maximum
    }

    /// A replication connection starts; FATAL 53300 beyond max_wal_senders.
    func register(_ status: WALSenderStatus) throws(PGError) {
        lock.lock()
        defer { lock.unlock() }
        guard entries.count < maximum else {
            throw PGError(severity: .fatal, sqlState: "53300",
                          message: "number of requested standby connections exceeds max_wal_senders (currently \(maximum))")
        }
        entries[status.pid] = status
        changed()
    }

    func unregister(_ pid: Int32) {
        lock.withLock {
            entries[pid] = nil
            changed()
        }
    }

    func update(_ pid: Int32, _ change: (inout WALSenderStatus) -> Void) {
        lock.withLock {
            guard var status = entries[pid] else { return }
            change(&status)
            entries[pid] = status
            changed()
        }
    }

    /// Every WAL sender, by pid.
    public var all: [WALSenderStatus] {
        lock.withLock { entries.values.sorted { $0.pid < $1.pid } }
    }

    /// Runs `ready` on the senders under the registry lock until it returns true, sleeping between
    /// updates; false when `shouldStop` says so first (cancel) — it is polled at least every
    /// `pollInterval`.
    public func wait(pollInterval: Duration, shouldStop: () -> Bool,
                     until ready: ([WALSenderStatus]) -> Bool) -> Bool {
        lock.withLock {
            while true {
                if ready(Array(entries.values)) { return true }
                if shouldStop() { return false }
                let seen = generation
                let deadline = ConditionLock.Deadline.after(pollInterval)
                while generation == seen {
                    if !lock.wait(until: deadline) { break }
                }
            }
        }
    }

    /// Wakes waiters (e.g. after synchronous_standby_names changed, or a cancel).
    public func poke() {
        lock.withLock { changed() }
    }

    private func changed() {
        generation &+= 1
        lock.broadcast()
    }
}
