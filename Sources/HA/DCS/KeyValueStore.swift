// The distributed configuration store (DCS) as the HA agent sees it: a linearizable key-value store with
// revisions, leases and transactions — exactly the primitives etcd v3 offers (../shared/reference/etcd3-http.md).
//
// Two implementations: `EtcdKeyValueStore` (real etcd over its v3 JSON API, several endpoints) and
// `InMemoryKeyValueStore` (unit tests only, driven by a fake clock). Everything Patroni-specific — the key
// layout under /service/<scope>/ and the JSON shapes of the values — lives one layer up, in `ClusterStore`,
// written once for both.
//
// Invariants every implementation keeps:
// - Revisions are store-wide and strictly increasing; every put or delete bumps the revision by one and
//   stamps the key's `modRevision`; `createRevision` is the revision of the put that created the key.
// - A key attached to a lease disappears (as a delete, visible to watchers) when the lease expires or is
//   revoked. A lease expires `ttl` seconds after its grant or its last keep-alive.
// - A transaction evaluates all compares against one state and applies the chosen branch atomically.
// - Any failure to reach the store — refused connection, timeout, a 5xx — is thrown as `DCSError`, never
//   turned into an empty answer: an empty answer would look like "no leader" and start a leader race.

/// An etcd lease id; 0 means "no lease".
public typealias LeaseID = Int64

/// One key and its value, with etcd's bookkeeping.
public struct KeyValue: Sendable, Equatable {
    public var key: String
    public var value: String
    public var createRevision: Int64
    public var modRevision: Int64
    public var lease: LeaseID

    public init(key: String, value: String, createRevision: Int64, modRevision: Int64, lease: LeaseID = 0) {
        self.key = key
        self.value = value
        self.createRevision = createRevision
        self.modRevision = modRevision
        self.lease = lease
    }
}

/// The answer to a prefix read: the keys and the store revision they were read at.
public struct RangeResult: Sendable, Equatable {
    public var revision: Int64
    public var keyValues: [KeyValue]

    public init(revision: Int64, keyValues: [KeyValue]) {
        self.revision = revision
        self.keyValues = keyValues
    }
}

/// A condition of a transaction, on one key. A missing key has createRevision = modRevision = 0 and no value
/// (so `.value(key, equals: x)` is false for it).
public enum TransactionCompare: Sendable, Equatable {
    case createRevision(key: String, equals: Int64)
    case modRevision(key: String, equals: Int64)
    case value(key: String, equals: String)
}

/// A write inside a transaction.
public enum TransactionOperation: Sendable, Equatable {
    case put(key: String, value: String, lease: LeaseID)
    case delete(key: String)
}

/// etcd's `Txn`: if every compare holds, apply `success`, else `failure`.
public struct Transaction: Sendable, Equatable {
    public var compares: [TransactionCompare]
    public var success: [TransactionOperation]
    public var failure: [TransactionOperation]

    public init(compares: [TransactionCompare], success: [TransactionOperation],
                failure: [TransactionOperation] = []) {
        self.compares = compares
        self.success = success
        self.failure = failure
    }
}

/// One change seen by a watch.
public struct WatchEvent: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case put, delete }
    public var kind: Kind
    public var keyValue: KeyValue   // for a delete: the key and the delete's revision as modRevision

    public init(kind: Kind, keyValue: KeyValue) {
        self.kind = kind
        self.keyValue = keyValue
    }
}

/// The store could not be reached or answered with an error. `description` says which endpoint and why.
public struct DCSError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

public protocol KeyValueStore: Sendable {
    /// Every key starting with `prefix`, sorted by key.
    func range(prefix: String) async throws -> RangeResult
    /// One key, or nil if absent.
    func get(key: String) async throws -> KeyValue?
    /// Unconditional put; returns the new revision.
    @discardableResult
    func put(key: String, value: String, lease: LeaseID) async throws -> Int64
    /// Deletes every key starting with `prefix`; returns how many were deleted.
    @discardableResult
    func delete(prefix: String) async throws -> Int
    /// Runs `transaction`; returns true when the compares held (the success branch ran).
    func commit(_ transaction: Transaction) async throws -> Bool

    /// A new lease of `ttl` seconds.
    func grantLease(ttl: Int) async throws -> LeaseID
    /// Refreshes `lease`; returns its remaining TTL in seconds, or nil when it has already expired.
    func keepAlive(lease: LeaseID) async throws -> Int?
    func revokeLease(_ lease: LeaseID) async throws

    /// Waits until a key under `prefix` changes at a revision ≥ `fromRevision`, or until `timeout` passes.
    /// Returns the events seen (empty on timeout). Lets the HA loop react at once instead of on its next turn.
    func watch(prefix: String, fromRevision: Int64, timeout: Duration) async throws -> [WatchEvent]
}
