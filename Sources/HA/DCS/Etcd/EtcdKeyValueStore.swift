// `KeyValueStore` on real etcd (3.4 and later) through its v3 JSON gateway: every call is one HTTP POST
// under /v3/ (../shared/reference/etcd3-http.md), so no gRPC stack is needed. The shapes are in
// EtcdJSON.swift, endpoint choice and the stale-member guard in EtcdEndpoints.swift, retrying on the
// next member in EtcdKeyValueStore+Failover.swift, the watch stream in EtcdKeyValueStore+Watch.swift.
//
// Invariants:
// - Reads are linearizable (no "serializable" flag): an answer is never older than a write that was
//   acknowledged before the read started, whichever member answers.
// - Every failure to get an answer within `retryTimeout` is thrown as DCSError — never an empty result,
//   which would read as "there is no leader".
// - The store owns one HTTPClient; whoever creates the store calls `shutdown()` once it is done with it.
import AsyncHTTPClient
import Foundation
import Logging
import Synchronization

public final class EtcdKeyValueStore: KeyValueStore {
    /// How long one member may take to answer one request before the next member is tried.
    public let requestTimeout: Duration
    /// How long one call may take in all, over every member and retry (Patroni's retry_timeout).
    public let retryTimeout: Duration
    let endpoints: Mutex<EtcdEndpoints>
    let client: HTTPClient
    let logger: Logger

    /// - Parameters:
    ///   - hosts: Patroni's `etcd3.hosts`, as a list or comma-separated: "127.0.0.1:2379,127.0.0.1:2380".
    ///   - requestTimeout: per member and request; `patroniRequestTimeout` derives Patroni's value.
    ///   - retryTimeout: per call, over all members.
    public init(hosts: [String], requestTimeout: Duration = .seconds(3), retryTimeout: Duration = .seconds(10),
                logger: Logger = Logger(label: "minipg.ha.etcd")) throws {
        guard requestTimeout > .zero, retryTimeout > .zero else {
            throw DCSError("etcd: request and retry timeouts must be positive")
        }
        self.endpoints = Mutex(try EtcdEndpoints(hosts: hosts))
        self.requestTimeout = requestTimeout
        self.retryTimeout = retryTimeout
        self.logger = logger
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: Self.timeAmount(requestTimeout))
        configuration.redirectConfiguration = .disallow
        // A refused connection fails at once, so the next member is tried at once; the store does its
        // own retrying, over all members.
        configuration.connectionPool.retryConnectionEstablishment = false
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Patroni's split of retry_timeout over the members (etcd3.py `_calculate_timeouts`): each member
    /// gets an equal share, at least one second, so that every member can be tried within one call.
    public static func patroniRequestTimeout(retryTimeout: Duration, hostCount: Int) -> Duration {
        max(.seconds(1), retryTimeout / max(hostCount, 1))
    }

    /// Closes the connections. Call once, after the last request.
    public func shutdown() async throws { try await client.shutdown() }

    /// The client URLs, as parsed from `hosts`.
    public var endpointURLs: [String] { endpoints.withLock { $0.urls } }

    /// The member in use: the one that answered last.
    public var currentEndpoint: String { endpoints.withLock { $0.urls[$0.current] } }

    /// Asks the cluster for its members (POST /v3/cluster/member/list) and adds their client URLs to the
    /// endpoints, as Patroni does, so that a configuration naming one member still fails over to the others.
    /// Returns every endpoint now known.
    @discardableResult
    public func discoverMembers() async throws -> [String] {
        let answer = try await call("/v3/cluster/member/list", .object([:]), "member list")
        let clientURLs = EtcdJSON.clientURLs(ofMemberList: answer)
        let added = endpoints.withLock { $0.learn(clientURLs) }
        if added > 0 { logger.info("etcd: learned \(added) more member(s) from the member list: \(clientURLs)") }
        return endpointURLs
    }

    // MARK: KeyValueStore

    public func range(prefix: String) async throws -> RangeResult {
        let answer = try await call("/v3/kv/range", EtcdJSON.rangeRequest(prefix: prefix), "range \(prefix)")
        return RangeResult(revision: EtcdJSON.integer(answer["header"]?["revision"]),
                           keyValues: try EtcdJSON.keyValues(ofRange: answer))
    }

    public func get(key: String) async throws -> KeyValue? {
        let answer = try await call("/v3/kv/range", EtcdJSON.rangeRequest(key: key), "get \(key)")
        return try EtcdJSON.keyValues(ofRange: answer).first
    }

    @discardableResult
    public func put(key: String, value: String, lease: LeaseID) async throws -> Int64 {
        let answer = try await call("/v3/kv/put", EtcdJSON.putRequest(key: key, value: value, lease: lease),
                                    "put \(key)")
        return EtcdJSON.integer(answer["header"]?["revision"])
    }

    @discardableResult
    public func delete(prefix: String) async throws -> Int {
        let answer = try await call("/v3/kv/deleterange", EtcdJSON.deleteRangeRequest(prefix: prefix),
                                    "delete \(prefix)")
        return EtcdJSON.deletedCount(ofDeleteRange: answer)
    }

    public func commit(_ transaction: Transaction) async throws -> Bool {
        let answer = try await call("/v3/kv/txn", EtcdJSON.transactionRequest(transaction), "transaction")
        return EtcdJSON.succeeded(ofTransaction: answer)
    }

    public func grantLease(ttl: Int) async throws -> LeaseID {
        let answer = try await call("/v3/lease/grant", EtcdJSON.leaseGrantRequest(ttl: ttl), "lease grant")
        let lease = EtcdJSON.integer(answer["ID"])
        guard lease != 0 else { throw DCSError("etcd: lease grant answered without a lease ID: \(answer)") }
        return lease
    }

    public func keepAlive(lease: LeaseID) async throws -> Int? {
        let answer = try await call("/v3/lease/keepalive", EtcdJSON.leaseRequest(lease), "lease keepalive")
        return EtcdJSON.remainingTTL(ofKeepAlive: answer)
    }

    /// Revoking a lease that has already expired is not an error: the keys are gone either way.
    public func revokeLease(_ lease: LeaseID) async throws {
        _ = try await call("/v3/lease/revoke", EtcdJSON.leaseRequest(lease), "lease revoke",
                           tolerating: EtcdJSON.ServerError.notFound)
    }
}
