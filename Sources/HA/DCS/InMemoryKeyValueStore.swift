// A key-value store in one process's memory with etcd's semantics (revisions, leases, transactions,
// watches) — for unit tests of the HA state machine only. Time comes from a `MonotonicClock`, so a test
// expires a leader's lease by advancing a `ManualClock`, not by sleeping. Integration tests use real etcd.
//
// `isReachable = false` makes every call throw `DCSError`, as when the agent loses its etcd quorum.
import Foundation

public final class InMemoryKeyValueStore: KeyValueStore, @unchecked Sendable {
    private let clock: any MonotonicClock
    private let lock = NSLock()
    private var keys: [String: KeyValue] = [:]
    private var leases: [LeaseID: (ttl: Int, expiresAt: Duration)] = [:]
    private var revision: Int64 = 1
    private var nextLease: LeaseID = 0x1000
    private var history: [WatchEvent] = []
    private var reachable = true

    public init(clock: any MonotonicClock) { self.clock = clock }

    /// Simulates losing (false) or regaining (true) the connection to the store.
    public var isReachable: Bool {
        get { lock.withLock { reachable } }
        set { lock.withLock { reachable = newValue } }
    }

    public func range(prefix: String) async throws -> RangeResult {
        try locked {
            RangeResult(revision: revision,
                        keyValues: keys.values.filter { $0.key.hasPrefix(prefix) }.sorted { $0.key < $1.key })
        }
    }

    public func get(key: String) async throws -> KeyValue? { try locked { keys[key] } }

    @discardableResult
    public func put(key: String, value: String, lease: LeaseID) async throws -> Int64 {
        try locked {
            try applyPut(key: key, value: value, lease: lease)
            return revision
        }
    }

    @discardableResult
    public func delete(prefix: String) async throws -> Int {
        try locked { applyDelete(keys.keys.filter { $0.hasPrefix(prefix) }) }
    }

    public func commit(_ transaction: Transaction) async throws -> Bool {
        try locked {
            let holds = transaction.compares.allSatisfy { compare in
                switch compare {
                case .createRevision(let key, let expected): return (keys[key]?.createRevision ?? 0) == expected
                case .modRevision(let key, let expected): return (keys[key]?.modRevision ?? 0) == expected
                case .value(let key, let expected): return keys[key]?.value == expected
                }
            }
            for operation in holds ? transaction.success : transaction.failure {
                switch operation {
                case .put(let key, let value, let lease): try applyPut(key: key, value: value, lease: lease)
                case .delete(let key): applyDelete([key])
                }
            }
            return holds
        }
    }

    public func grantLease(ttl: Int) async throws -> LeaseID {
        try locked {
            nextLease += 1
            leases[nextLease] = (ttl, clock.now() + .seconds(ttl))
            return nextLease
        }
    }

    public func keepAlive(lease: LeaseID) async throws -> Int? {
        try locked {
            guard let entry = leases[lease] else { return nil }
            leases[lease] = (entry.ttl, clock.now() + .seconds(entry.ttl))
            return entry.ttl
        }
    }

    public func revokeLease(_ lease: LeaseID) async throws {
        try locked { expire(lease) }
    }

    public func watch(prefix: String, fromRevision: Int64, timeout: Duration) async throws -> [WatchEvent] {
        let deadline = clock.now() + timeout
        while true {
            let events = try locked {
                history.filter { $0.keyValue.modRevision >= fromRevision && $0.keyValue.key.hasPrefix(prefix) }
            }
            if !events.isEmpty || clock.now() >= deadline { return events }
            try await clock.sleep(for: min(.milliseconds(100), deadline - clock.now()))
        }
    }

    // MARK: Internals (called with the lock held)

    private func locked<T>(_ body: () throws -> T) throws -> T {
        try lock.withLock {
            guard reachable else { throw DCSError("in-memory store: unreachable") }
            let now = clock.now()
            for (id, entry) in leases where entry.expiresAt <= now { expire(id) }
            return try body()
        }
    }

    private func applyPut(key: String, value: String, lease: LeaseID) throws {
        if lease != 0, leases[lease] == nil { throw DCSError("etcdserver: requested lease not found") }
        revision += 1
        let created = keys[key]?.createRevision ?? revision
        let entry = KeyValue(key: key, value: value, createRevision: created, modRevision: revision, lease: lease)
        keys[key] = entry
        history.append(WatchEvent(kind: .put, keyValue: entry))
    }

    @discardableResult
    private func applyDelete(_ names: [String]) -> Int {
        var count = 0
        for name in names.sorted() {
            guard var entry = keys.removeValue(forKey: name) else { continue }
            revision += 1
            entry.modRevision = revision
            history.append(WatchEvent(kind: .delete, keyValue: entry))
            count += 1
        }
        return count
    }

    private func expire(_ lease: LeaseID) {
        leases[lease] = nil
        applyDelete(keys.values.filter { $0.lease == lease }.map(\.key))
    }
}
