// The proxy's shared state: for each listener (role) and backend, the health state machine fed by the
// checkers, the sessions currently routed there and the traffic counters; plus, for the primary
// listener, the result of the cross-check (PrimaryElection). Listeners ask it for a backend per new
// session, checkers report results to it, the stats page copies it.
//
// Invariants:
// - A session is registered under the same lock that reads the backend's state, so a backend marked
//   DOWN after a session was routed to it always sees (and cuts) that session.
// - Sessions are cut outside the lock (closing a channel runs handlers that call back in here).
// - The primary listener routes only to `election.target`: exactly one backend UP for /primary.

import Foundation
import Logging
import Synchronization

public final class RoutingTable: Sendable {
    public let configuration: ProxyConfiguration
    private let logger: Logger
    private let state: Mutex<State>

    struct BackendEntry {
        var health: CheckStateMachine
        var lastChange: Date?
        var lastCheckDuration: Duration?
        var sessions: [ObjectIdentifier: ProxySession] = [:]
        var totalSessions = 0
        /// Bytes of sessions that have ended (live sessions are added when a snapshot is taken).
        var endedBytesIn: UInt64 = 0
        var endedBytesOut: UInt64 = 0
    }

    struct ListenerEntry {
        var backends: [BackendEntry]
        var balance: BalancePolicy
        var election = PrimaryElection.noPrimary
        var totalSessions = 0
        var refusedSessions = 0
    }

    struct State {
        var listeners: [BackendRole: ListenerEntry] = [:]
    }

    public init(configuration: ProxyConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        var initial = State()
        for (role, _) in configuration.listeners {
            let backends = configuration.backends.map { _ in BackendEntry(health: CheckStateMachine(settings: configuration.check)) }
            initial.listeners[role] = ListenerEntry(backends: backends, balance: BalancePolicy(algorithm: configuration.balance))
        }
        state = Mutex(initial)
    }

    /// The roles that have a listener, hence need checks.
    public var roles: [BackendRole] { configuration.listeners.map(\.role) }

    // MARK: Health checks

    /// Applies one check result; logs and acts on state changes (cuts the sessions of a backend marked
    /// DOWN). Returns the delay until this backend's next check for this role.
    @discardableResult
    public func record(_ result: CheckResult, role: BackendRole, backend index: Int, duration: Duration = .zero) -> Duration {
        let backend = configuration.backends[index]
        let outcome = state.withLock { state -> RecordOutcome? in
            guard var listener = state.listeners[role] else { return nil }
            let before = listener.backends[index].health
            let transition = listener.backends[index].health.record(result)
            listener.backends[index].lastCheckDuration = duration
            var cut: [ProxySession] = []
            if transition != nil { listener.backends[index].lastChange = Date() }
            if transition == .markedDown {
                cut = Array(listener.backends[index].sessions.values)
            }
            let electionBefore = listener.election
            if role == .primary {
                let up = listener.backends.indices.filter { listener.backends[$0].health.isUp }
                listener.election = PrimaryElection(upBackends: up)
            }
            state.listeners[role] = listener
            return RecordOutcome(before: before, after: listener.backends[index].health, transition: transition,
                                 cut: cut, electionBefore: electionBefore, electionAfter: listener.election)
        }
        guard let outcome else { return configuration.check.interval }
        log(outcome, result: result, role: role, backend: backend)
        for session in outcome.cut { session.cut() }
        return outcome.after.nextCheckDelay
    }

    private struct RecordOutcome {
        var before: CheckStateMachine
        var after: CheckStateMachine
        var transition: CheckStateMachine.Transition?
        var cut: [ProxySession]
        var electionBefore: PrimaryElection
        var electionAfter: PrimaryElection
    }

    private func log(_ outcome: RecordOutcome, result: CheckResult, role: BackendRole, backend: ProxyConfiguration.Backend) {
        let metadata: Logger.Metadata = [
            "listener": "\(role.listenerName)", "backend": "\(backend.name)", "check": "\(result)",
        ]
        switch outcome.transition {
        case .markedUp:
            logger.info("backend \(backend.name) is UP for the \(role.listenerName) listener", metadata: metadata)
        case .markedDown:
            var message = "backend \(backend.name) is DOWN for the \(role.listenerName) listener, reason: \(outcome.after.lastResultText ?? "\(result)")"
            if outcome.before.state == .unknown { message += " (first check)" }
            if !outcome.cut.isEmpty { message += "; cutting \(outcome.cut.count) session(s)" }
            logger.warning("\(message)", metadata: metadata)
        case nil:
            if outcome.after.stateText != outcome.before.stateText {
                logger.info("backend \(backend.name) check for the \(role.listenerName) listener: \(result), now \(outcome.after.stateText)",
                            metadata: metadata)
            }
        }
        guard outcome.electionAfter != outcome.electionBefore else { return }
        switch outcome.electionAfter {
        case .routeTo(let index):
            logger.notice("primary listener now routes to \(configuration.backends[index].name)")
        case .noPrimary:
            logger.warning("primary listener routes nowhere: no backend passes GET /primary")
        case .splitBrain(let indexes):
            let names = indexes.map { configuration.backends[$0].name }.joined(separator: ", ")
            logger.critical("SPLIT BRAIN: \(names) all answer 200 to GET /primary; the primary listener routes new sessions to none of them until only one does")
        }
    }

    // MARK: Sessions

    /// Picks a backend for a new session on `role`'s listener and registers the session there. Nil when
    /// no backend is in rotation (the caller closes the client connection, or waits and asks again:
    /// `countRefusal` false keeps those retries out of the refused-sessions count).
    public func openSession(role: BackendRole, cut: @escaping @Sendable () -> Void,
                            countRefusal: Bool = true) -> (ProxySession, ProxyConfiguration.Backend)? {
        let session: ProxySession? = state.withLock { state in
            guard var listener = state.listeners[role] else { return nil }
            defer { state.listeners[role] = listener }
            let chosen: Int?
            switch role {
            case .primary:
                chosen = listener.election.target
            case .replica:
                let candidates = listener.backends.indices.filter { listener.backends[$0].health.isUp }
                    .map { (index: $0, sessions: listener.backends[$0].sessions.count) }
                chosen = listener.balance.pick(from: candidates)
            }
            guard let chosen else {
                if countRefusal { listener.refusedSessions += 1 }
                return nil
            }
            let session = ProxySession(role: role, backendIndex: chosen, cut: cut)
            listener.backends[chosen].sessions[ObjectIdentifier(session)] = session
            listener.backends[chosen].totalSessions += 1
            listener.totalSessions += 1
            return session
        }
        guard let session else { return nil }
        return (session, configuration.backends[session.backendIndex])
    }

    /// Forgets an ended session, keeping its bytes in the backend's totals.
    public func closeSession(_ session: ProxySession) {
        let bytes = session.bytes
        state.withLock { state in
            guard state.listeners[session.role]?.backends[session.backendIndex]
                .sessions.removeValue(forKey: ObjectIdentifier(session)) != nil else { return }
            state.listeners[session.role]?.backends[session.backendIndex].endedBytesIn &+= bytes.in
            state.listeners[session.role]?.backends[session.backendIndex].endedBytesOut &+= bytes.out
        }
    }

    // MARK: Stats

    public func snapshot(now: Date = Date()) -> StatsSnapshot {
        let listeners = state.withLock { state in
            configuration.listeners.compactMap { role, endpoint -> ListenerStats? in
                guard let listener = state.listeners[role] else { return nil }
                return listenerStats(listener, role: role, endpoint: endpoint, now: now)
            }
        }
        return StatsSnapshot(generatedAt: ISO8601DateFormatter().string(from: now), listeners: listeners)
    }

    private func listenerStats(_ listener: ListenerEntry, role: BackendRole, endpoint: ProxyConfiguration.Endpoint,
                               now: Date) -> ListenerStats {
        var note: String?
        var splitBrain: Set<Int> = []
        if role == .primary {
            switch listener.election {
            case .routeTo: break
            case .noPrimary: note = "no backend passes GET /primary"
            case .splitBrain(let indexes):
                splitBrain = Set(indexes)
                note = "split brain: " + indexes.map { configuration.backends[$0].name }.joined(separator: ", ")
                    + " all pass GET /primary; routing to none"
            }
        }
        if role == .replica, !listener.backends.contains(where: { $0.health.isUp }) {
            note = "no backend passes GET /replica"
        }
        let backends = listener.backends.enumerated().map { index, entry -> BackendStats in
            let backend = configuration.backends[index]
            var reason: String?
            switch entry.health.state {
            case .unknown: reason = "not checked yet"
            case .down: reason = "check failed: \(entry.health.lastResultText ?? "?")"
            case .up: if splitBrain.contains(index) { reason = "split brain: another backend also passes GET /primary" }
            }
            let live = entry.sessions.values.reduce((in: UInt64(0), out: UInt64(0))) { sum, session in
                let bytes = session.bytes
                return (sum.in &+ bytes.in, sum.out &+ bytes.out)
            }
            return BackendStats(
                name: backend.name, address: backend.address.description,
                healthCheck: backend.checkURL + role.healthCheckPath, state: entry.health.stateText,
                inRotation: reason == nil, outOfRotationReason: reason,
                lastCheck: entry.health.lastResultText,
                lastCheckMilliseconds: entry.lastCheckDuration.map { Int($0 / .milliseconds(1)) },
                lastChange: entry.lastChange.map { ISO8601DateFormatter().string(from: $0) },
                secondsSinceLastChange: entry.lastChange.map { Int(now.timeIntervalSince($0)) },
                currentSessions: entry.sessions.count, totalSessions: entry.totalSessions,
                bytesIn: entry.endedBytesIn &+ live.in, bytesOut: entry.endedBytesOut &+ live.out)
        }
        return ListenerStats(
            name: role.listenerName, bind: endpoint.description, checkPath: role.healthCheckPath,
            balance: role == .primary ? "first" : configuration.balance.rawValue,
            routesTo: listener.election.target.map { configuration.backends[$0].name },
            note: note, currentSessions: listener.backends.reduce(0) { $0 + $1.sessions.count },
            totalSessions: listener.totalSessions, refusedSessions: listener.refusedSessions, backends: backends)
    }
}

extension BackendRole {
    /// The listener's name in the lab's haproxy.cfg.
    public var listenerName: String {
        switch self {
        case .primary: return "primary"
        case .replica: return "replicas"
        }
    }
}
