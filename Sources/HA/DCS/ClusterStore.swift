// Patroni's key layout on a key-value store (patroni.md §4, §10): every read and write the HA agent,
// its REST API and `minipg ctl` make under /<namespace>/<scope>/ goes through here, so the layout and
// the JSON shapes are written once, for etcd and for the in-memory store alike.
//
// Keys: leader (member name, on this node's lease), members/<name> (MemberStatus JSON, on the lease),
// config, initialize, history, failover, sync, status.
//
// Invariants:
// - One lease per agent, TTL = the dynamic config's ttl. The leader key and this node's member key are
//   attached to it, so both vanish when the agent stops refreshing: a dead leader's lock expires by itself.
// - The leader key is only ever created with "create_revision == 0" (nobody holds it) and only ever
//   deleted with "value == my name": two nodes can never both believe they acquired it.
// - config, failover and sync are written with compare-and-set on the revision the caller read, so a
//   concurrent edit is detected instead of overwritten.
import Foundation

public actor ClusterStore {
    public nonisolated let store: any KeyValueStore
    public nonisolated let prefix: String        // "/service/demo/"
    public nonisolated let memberName: String

    private var lease: LeaseID = 0
    private var leaseTTL = 0
    /// The lease the leader key was last written with; a different current lease means rewrite it.
    private var leaderKeyLease: LeaseID = 0
    private var lastMemberValue: String?
    private var lastMemberLease: LeaseID = 0
    private var lastStatusValue: String?

    public init(store: any KeyValueStore, namespace: String = "/service", scope: String, memberName: String) {
        self.store = store
        let base = namespace.hasSuffix("/") ? String(namespace.dropLast()) : namespace
        self.prefix = "\(base)/\(scope)/"
        self.memberName = memberName
    }

    public nonisolated var leaderKey: String { prefix + "leader" }
    public nonisolated var configKey: String { prefix + "config" }
    public nonisolated var initializeKey: String { prefix + "initialize" }
    public nonisolated var historyKey: String { prefix + "history" }
    public nonisolated var failoverKey: String { prefix + "failover" }
    public nonisolated var syncKey: String { prefix + "sync" }
    public nonisolated var statusKey: String { prefix + "status" }
    public nonisolated func memberKey(_ name: String) -> String { prefix + "members/" + name }

    // MARK: Reading

    /// Everything under the prefix, from one range read. Values that do not parse are skipped (a person
    /// may have written junk with etcdctl); they never make the view look leaderless when it is not.
    public func load() async throws -> ClusterView {
        let result = try await store.range(prefix: prefix)
        var view = ClusterView(revision: result.revision)
        for kv in result.keyValues {
            let name = String(kv.key.dropFirst(prefix.count))
            switch name {
            case "leader":
                view.leader = .init(name: kv.value, modRevision: kv.modRevision, lease: kv.lease)
            case "config":
                if let document = try? JSONValue.decode(JSONValue.self, from: kv.value) {
                    view.config = DynamicConfig(document: document)
                    view.configRevision = kv.modRevision
                }
            case "initialize":
                view.initialize = kv.value
            case "history":
                if case .array(let lines)? = try? JSONValue.decode(JSONValue.self, from: kv.value) {
                    view.history = lines.compactMap(HistoryLine.init(json:))
                }
            case "failover":
                view.failover = Self.parseFailover(kv.value)
                view.failoverRevision = kv.modRevision
            case "sync":
                view.sync = try? JSONValue.decode(SyncState.self, from: kv.value)
                view.syncRevision = kv.modRevision
            case "status":
                view.status = try? JSONValue.decode(LeaderStatus.self, from: kv.value)
            default:
                if name.hasPrefix("members/"),
                   let status = try? JSONValue.decode(MemberStatus.self, from: kv.value) {
                    view.members.append(Member(name: String(name.dropFirst("members/".count)),
                                               status: status, modRevision: kv.modRevision))
                }
            }
        }
        view.members.sort { $0.name < $1.name }
        return view
    }

    /// JSON, or Patroni's legacy "leader:candidate" string.
    static func parseFailover(_ text: String) -> FailoverRequest? {
        if let request = try? JSONValue.decode(FailoverRequest.self, from: text) { return request }
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return nil }
        return FailoverRequest(leader: parts[0].isEmpty ? nil : parts[0], member: parts[1].isEmpty ? nil : parts[1])
    }

    /// Blocks until something under the prefix changes after `revision`, or `timeout`. True if it changed.
    public func waitForChange(after revision: Int64, timeout: Duration) async throws -> Bool {
        !(try await store.watch(prefix: prefix, fromRevision: revision + 1, timeout: timeout)).isEmpty
    }

    // MARK: This node's lease and member key

    /// Keeps this node's lease alive (grants a new one if it expired or the ttl changed).
    /// Returns true when the lease is the same one as before (keys attached to it are still there).
    /// On a ttl change the old lease is NOT revoked: that would delete the leader key under a healthy
    /// primary and its member key with it, and the replicas would race without asking it. The keys move to
    /// the new lease on their next write (`updateLeaderLock`, `touchMember`); the old one lapses unused.
    @discardableResult
    public func refreshLease(ttl: Int) async throws -> Bool {
        if lease != 0, ttl == leaseTTL, try await store.keepAlive(lease: lease) != nil { return true }
        if lease != 0, ttl != leaseTTL { _ = try await store.keepAlive(lease: lease) }   // until the keys moved
        lease = try await store.grantLease(ttl: ttl)
        leaseTTL = ttl
        return false
    }

    public var currentLease: LeaseID { lease }

    /// Publishes this node's member JSON on its lease; skips the write when nothing changed.
    public func touchMember(_ status: MemberStatus) async throws {
        let value = try JSONValue.encodeCompact(status)
        if value == lastMemberValue, lease == lastMemberLease { return }
        try await store.put(key: memberKey(memberName), value: value, lease: lease)
        lastMemberValue = value
        lastMemberLease = lease
    }

    public func deleteMember(_ name: String) async throws {
        _ = try await store.commit(Transaction(compares: [], success: [.delete(key: memberKey(name))]))
        if name == memberName { lastMemberValue = nil }
    }

    // MARK: The leader lock

    /// The leader race: create the leader key only if nobody holds it.
    public func attemptToAcquireLeaderLock() async throws -> Bool {
        let won = try await store.commit(Transaction(
            compares: [.createRevision(key: leaderKey, equals: 0)],
            success: [.put(key: leaderKey, value: memberName, lease: lease)]))
        if won { leaderKeyLease = lease }
        return won
    }

    /// Called by the lock holder every cycle after `refreshLease`: the keep-alive already kept the key;
    /// only if the lease changed is the key rewritten (still only if it is ours, or free).
    public func updateLeaderLock() async throws -> Bool {
        if leaderKeyLease == lease {
            return try await store.get(key: leaderKey)?.value == memberName
        }
        let kept = try await store.commit(Transaction(
            compares: [.value(key: leaderKey, equals: memberName)],
            success: [.put(key: leaderKey, value: memberName, lease: lease)]))
        let retaken = kept ? true : try await attemptToAcquireLeaderLock()
        if retaken { leaderKeyLease = lease }
        return retaken
    }

    /// Voluntary release (switchover, shutdown): deletes the key only if it still names this node.
    @discardableResult
    public func releaseLeaderLock() async throws -> Bool {
        try await store.commit(Transaction(compares: [.value(key: leaderKey, equals: memberName)],
                                           success: [.delete(key: leaderKey)]))
    }

    // MARK: Cluster-wide keys

    /// Create-only by default: the node that creates /initialize is the one that runs initdb.
    public func initialize(systemID: String, createOnly: Bool = true) async throws -> Bool {
        if !createOnly {
            try await store.put(key: initializeKey, value: systemID, lease: 0)
            return true
        }
        return try await store.commit(Transaction(
            compares: [.createRevision(key: initializeKey, equals: 0)],
            success: [.put(key: initializeKey, value: systemID, lease: 0)]))
    }

    /// Gives up a bootstrap that failed, so another node may try.
    public func cancelInitialization() async throws {
        _ = try await store.commit(Transaction(compares: [], success: [.delete(key: initializeKey)]))
    }

    /// Writes /config; with `expectedRevision`, only if nobody changed it since (0 = only if absent).
    public func setConfig(_ config: DynamicConfig, expectedRevision: Int64?) async throws -> Bool {
        try await compareAndSet(configKey, value: try JSONValue.encodeCompact(config.document),
                                expectedRevision: expectedRevision)
    }

    public func setFailover(_ request: FailoverRequest, expectedRevision: Int64? = nil) async throws -> Bool {
        try await compareAndSet(failoverKey, value: try JSONValue.encodeCompact(request),
                                expectedRevision: expectedRevision)
    }

    public func deleteFailover(expectedRevision: Int64? = nil) async throws -> Bool {
        try await compareAndDelete(failoverKey, expectedRevision: expectedRevision)
    }

    public func setSync(_ state: SyncState, expectedRevision: Int64?) async throws -> Bool {
        try await compareAndSet(syncKey, value: try JSONValue.encodeCompact(state),
                                expectedRevision: expectedRevision)
    }

    public func deleteSync(expectedRevision: Int64? = nil) async throws -> Bool {
        try await compareAndDelete(syncKey, expectedRevision: expectedRevision)
    }

    public func setHistory(_ lines: [HistoryLine]) async throws {
        try await store.put(key: historyKey, value: JSONValue.array(lines.map(\.json)).description, lease: 0)
    }

    /// The leader's optime (flush LSN in bytes) and slots; written only when it changed.
    public func setStatus(_ status: LeaderStatus) async throws {
        let value = try JSONValue.encodeCompact(status)
        if value == lastStatusValue { return }
        try await store.put(key: statusKey, value: value, lease: 0)
        lastStatusValue = value
    }

    /// `ctl remove`: the whole cluster's keys.
    public func deleteCluster() async throws {
        try await store.delete(prefix: prefix)
    }

    private func compareAndSet(_ key: String, value: String, expectedRevision: Int64?) async throws -> Bool {
        guard let expectedRevision else {
            try await store.put(key: key, value: value, lease: 0)
            return true
        }
        return try await store.commit(Transaction(compares: [.modRevision(key: key, equals: expectedRevision)],
                                                  success: [.put(key: key, value: value, lease: 0)]))
    }

    private func compareAndDelete(_ key: String, expectedRevision: Int64?) async throws -> Bool {
        guard let expectedRevision else {
            // Exactly this key (a prefix delete of members/patroni1 would also take members/patroni10).
            return try await store.commit(Transaction(compares: [.createRevision(key: key, equals: 0)],
                                                      success: [], failure: [.delete(key: key)])) == false
        }
        return try await store.commit(Transaction(compares: [.modRevision(key: key, equals: expectedRevision)],
                                                  success: [.delete(key: key)]))
    }
}
