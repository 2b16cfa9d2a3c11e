// SessionRegistry: the server-wide table of live sessions, keyed by backend process id.
//
// It serves pg_stat_activity (each session publishes what it is doing), cancel requests (the
// server finds the session by pid and calls cancel()), and the live session count. Sessions
// register in Database.makeSession and leave in Session.terminate. Guarded by one Mutex; each
// update is a small struct copy, never I/O.

import Storage

/// One row of pg_stat_activity, as the session last published it.
public struct SessionActivity: Sendable {
    public var processID: Int32
    public var databaseOID: UInt32
    public var databaseName: String
    public var userOID: UInt32
    public var userName: String
    public var applicationName: String
    /// Microseconds since 2000-01-01 UTC (PostgreSQL's timestamptz representation).
    public var backendStart: Int64
    public var transactionStart: Int64?
    public var queryStart: Int64?
    public var stateChange: Int64?
    /// "active", "idle", "idle in transaction", "idle in transaction (aborted)".
    public var state: String
    public var query: String
    public var backendXID: UInt32?
}

final class SessionRegistry: Sendable {
    private struct Entry {
        var activity: SessionActivity
        weak var session: Session?
    }
    private let entries = PThreadMutex<[Int32: Entry]>([:])

    func register(_ session: Session, activity: SessionActivity) {
        entries.withLock { $0[activity.processID] = Entry(activity: activity, session: session) }
    }

    func unregister(processID: Int32) {
        _ = entries.withLock { $0.removeValue(forKey: processID) }
    }

    func update(processID: Int32, _ change: (inout SessionActivity) -> Void) {
        entries.withLock { table in
            guard var entry = table[processID] else { return }
            change(&entry.activity)
            table[processID] = entry
        }
    }

    var activities: [SessionActivity] {
        entries.withLock { table in table.values.map(\.activity).sorted { $0.processID < $1.processID } }
    }

    var count: Int { entries.withLock { $0.count } }

    /// The live session with this pid, if any (for cancel requests).
    func session(processID: Int32) -> Session? {
        entries.withLock { $0[processID]?.session }
    }
}
