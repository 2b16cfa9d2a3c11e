// Several HA agents on one in-memory DCS and one manual clock, each with a simulated server, peers that
// answer GET /patroni with the other agents' real `currentStatus()`, and a per-node link to the DCS that a
// test can cut (partition) or make hang. Cycles run only when a test asks: time and order are the test's.
import Logging
import Synchronization
@testable import HA

/// One node's connection to the shared DCS: cut it (every call throws) or make it hang (calls wait).
final class DCSLink: KeyValueStore {
    private let store: InMemoryKeyValueStore
    private let cut = Mutex(false)
    private let hanging = Mutex<[CheckedContinuation<Void, Never>]?>(nil)

    init(_ store: InMemoryKeyValueStore) { self.store = store }

    var isCut: Bool {
        get { cut.withLock { $0 } }
        set { cut.withLock { $0 = newValue } }
    }

    /// From now on every call waits until `release()`.
    func hang() { hanging.withLock { if $0 == nil { $0 = [] } } }
    func release() {
        let waiting = hanging.withLock { waiting in
            defer { waiting = nil }
            return waiting ?? []
        }
        for continuation in waiting { continuation.resume() }
    }

    private func pass() async throws {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = hanging.withLock { waiting -> Bool in
                guard waiting != nil else { return true }
                waiting?.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
        if isCut { throw DCSError("link to the DCS is cut") }
    }

    func range(prefix: String) async throws -> RangeResult { try await pass(); return try await store.range(prefix: prefix) }
    func get(key: String) async throws -> KeyValue? { try await pass(); return try await store.get(key: key) }
    func put(key: String, value: String, lease: LeaseID) async throws -> Int64 {
        try await pass()
        return try await store.put(key: key, value: value, lease: lease)
    }
    func delete(prefix: String) async throws -> Int { try await pass(); return try await store.delete(prefix: prefix) }
    func commit(_ transaction: Transaction) async throws -> Bool { try await pass(); return try await store.commit(transaction) }
    func grantLease(ttl: Int) async throws -> LeaseID { try await pass(); return try await store.grantLease(ttl: ttl) }
    func keepAlive(lease: LeaseID) async throws -> Int? { try await pass(); return try await store.keepAlive(lease: lease) }
    func revokeLease(_ lease: LeaseID) async throws { try await pass(); try await store.revokeLease(lease) }
    func watch(prefix: String, fromRevision: Int64, timeout: Duration) async throws -> [WatchEvent] {
        try await pass()
        return try await store.watch(prefix: prefix, fromRevision: fromRevision, timeout: timeout)
    }
}

/// GET /patroni answered by the other agents themselves; a "down" member refuses.
final class SimulatedPeers: PeerStatusFetching {
    private let agents = Mutex<[String: HAAgent]>([:])
    private let down = Mutex<Set<String>>([])

    func register(_ agent: HAAgent, apiURL: String) { agents.withLock { $0[apiURL] = agent } }
    func setDown(_ apiURL: String, _ isDown: Bool) {
        down.withLock { if isDown { $0.insert(apiURL) } else { $0.remove(apiURL) } }
    }

    func fetchStatus(apiURL: String) async throws(PeerUnreachable) -> NodeStatus {
        guard !down.withLock({ $0.contains(apiURL) }), let agent = agents.withLock({ $0[apiURL] }) else {
            throw PeerUnreachable("connection refused")
        }
        return await agent.currentStatus()
    }
}

final class LoopTestCluster: Sendable {
    let clock = ManualClock()
    let store: InMemoryKeyValueStore
    let fleet = SimulatedFleet()
    let peers = SimulatedPeers()
    let dynamicConfig: DynamicConfig
    private let nodes = Mutex<[String: (agent: HAAgent, link: DCSLink)]>([:])

    static let defaultConfig: JSONValue = .object([
        "ttl": .int(30), "loop_wait": .int(10), "retry_timeout": .int(10),
        "maximum_lag_on_failover": .int(1_048_576),
        "postgresql": .object(["use_pg_rewind": .bool(true)]),
    ])

    init(config: JSONValue = LoopTestCluster.defaultConfig) {
        store = InMemoryKeyValueStore(clock: clock)
        dynamicConfig = DynamicConfig(document: config)
    }

    static func apiURL(_ name: String) -> String { "http://\(name):8008/patroni" }

    @discardableResult
    func addNode(_ name: String, tags: [String: JSONValue] = [:]) -> HAAgent {
        let link = DCSLink(store)
        let number = name.last?.wholeNumberValue ?? 0
        let settings = AgentSettings(scope: "demo", name: name, connURL: "postgres://127.0.0.1:\(5431 + number)/postgres",
                                     apiURL: Self.apiURL(name), tags: tags, bootstrapConfig: dynamicConfig)
        var logger = Logger(label: "test.\(name)")
        logger.logLevel = .critical
        let agent = HAAgent(settings: settings,
                            clusterStore: ClusterStore(store: link, scope: "demo", memberName: name),
                            controller: fleet.server(name), peerFetcher: peers, clock: clock, logger: logger)
        peers.register(agent, apiURL: Self.apiURL(name))
        nodes.withLock { $0[name] = (agent, link) }
        return agent
    }

    func agent(_ name: String) -> HAAgent { nodes.withLock { $0[name]!.agent } }
    func link(_ name: String) -> DCSLink { nodes.withLock { $0[name]!.link } }
    func server(_ name: String) -> SimulatedServer { fleet.server(name) }

    @discardableResult
    func cycle(_ name: String) async -> String { await agent(name).runCycle() }

    /// Runs `name`'s cycle and waits for the long action it started (bootstrap, clone, …).
    @discardableResult
    func cycleAndFinishAction(_ name: String) async -> String {
        let message = await cycle(name)
        _ = await agent(name).waitForAction()
        return message
    }

    /// patroni1 initializes, the others clone it; everyone ends streaming from patroni1.
    func bootstrap(_ names: [String] = ["patroni1", "patroni2", "patroni3"]) async {
        for name in names where nodes.withLock({ $0[name] == nil }) { addNode(name) }
        await cycleAndFinishAction(names[0])
        await cycle(names[0])
        for name in names.dropFirst() {
            await cycleAndFinishAction(name)
            await cycle(name)
        }
        await cycle(names[0])
    }

    /// The node's agent and server die (SIGKILL of both): it stops cycling and refuses GET /patroni.
    func kill(_ name: String) {
        server(name).crash()
        peers.setDown(Self.apiURL(name), true)
    }

    /// Lets `seconds` pass in loop_wait steps, cycling `names` after each step (they stay alive).
    func pass(seconds: Int, cycling names: [String]) async {
        let step = dynamicConfig.loopWait
        var elapsed = 0
        while elapsed < seconds {
            let advance = min(step, seconds - elapsed)
            clock.advance(by: .seconds(advance))
            elapsed += advance
            for name in names { await cycle(name) }
        }
    }

    func view() async throws -> ClusterView {
        try await ClusterStore(store: store, scope: "demo", memberName: "test").load()
    }

    /// What `ctl edit-config -s` does: merge `patch` into /config, compare-and-set on its revision.
    func patchConfig(_ patch: [String: JSONValue]) async throws -> Bool {
        let ctl = ClusterStore(store: store, scope: "demo", memberName: "ctl")
        let view = try await ctl.load()
        var changed = view.effectiveConfig
        changed.document = changed.document.merging(patch: .object(patch))
        return try await ctl.setConfig(changed, expectedRevision: view.configRevision)
    }

    /// Writes WAL on `primary` and lets `standbys` receive all of it.
    func write(bytes: Int64, on primary: String, replicatedTo standbys: [String]) {
        server(primary).update { $0.walPosition += bytes }
        let position = server(primary).state.walPosition
        for standby in standbys { server(standby).update { $0.walPosition = position } }
    }
}
