// The follower's path: a node without the lock streams from the one that has it. Also the recovery of a
// stopped server (Patroni's "crashed" handling), which decides whether it comes back as the primary (it
// holds the lock), as a standby of the leader, or waits.
//
// Invariants:
// - A server runs as primary only while this node holds the lock: a primary that finds someone else's
//   name in the leader key is stopped immediately, and a stopped node takes the lock BEFORE it starts as
//   a primary, never after.
// - A former primary follows only after the divergence check its way of stopping requires
//   (`RejoinCheck`): a rewind, or a re-clone when rewinding is impossible or not allowed (DESIGN.md
//   invariant 4: never stream from a primary whose history does not contain your WAL).

extension HAAgent {
    func follow(_ view: ClusterView, leader: String) async throws -> String {
        let paused = view.effectiveConfig.isPaused
        if observation.role == .primary {
            if paused { return "PAUSE: running as primary without the leader lock (\(leader) holds it); would have demoted" }
            await demote(.immediateNoLock)
            return "demoted self because \(leader) holds the leader lock and I was a primary"
        }
        guard let upstream = upstream(leader, in: view) else {
            return "no action. \(leader) holds the leader lock but has no member key to follow yet"
        }
        if rejoinCheck == .required {
            if paused { return "PAUSE: my WAL may have diverged from \(leader)'s; would have rewound" }
            try await controller.stop(mode: .fast)
            stoppedState = "stopped"
            return try await rejoin(view, upstream: upstream)
        }
        rejoinCheck = .none
        if observation.upstream != leader {
            if paused { return "PAUSE: would have followed the new leader \(leader)" }
            let parameters = serverParameters(view.effectiveConfig)
            try await controller.follow(upstream, parameters: parameters)
            appliedParameters = parameters
            return "following new leader \(leader)" + (observation.upstream.map { " (was \($0))" } ?? "")
        }
        return "no action. I am (\(memberName)), a secondary, and following a leader (\(leader))"
    }

    /// The server is not running (crashed, stopped by us, or fenced).
    func recoverStoppedServer(_ view: ClusterView) async throws -> String {
        let config = view.effectiveConfig
        if config.isPaused {
            if view.leader?.name == memberName {
                try await releaseLeaderLock()
                return "PAUSE: released the leader lock: postgres is not running; would not start it"
            }
            return "PAUSE: postgres is not running; would have started it"
        }
        if view.leader?.name == memberName {
            guard try await updateLeaderLock() else { return "lost the leader lock while postgres was not running" }
            return try await startAsPrimary(view, reason: "I hold the leader lock")
        }
        if let leader = view.leader?.name {
            guard let upstream = upstream(leader, in: view) else {
                return "postgres is not running; waiting for the member key of the leader \(leader)"
            }
            return try await rejoin(view, upstream: upstream)
        }
        return try await recoverWithoutLeader(view)
    }

    /// No leader and a stopped server: its WAL position is unknown, so it may not race against running
    /// members. It takes the lock only when no other member runs and it is the one to come back first:
    /// the last known leader, or anyone once that leader's member key has gone.
    private func recoverWithoutLeader(_ view: ClusterView) async throws -> String {
        if let request = view.failover {
            return "postgres is not running; waiting for the manual failover to "
                + (request.member ?? "the healthiest member") + " to complete"
        }
        let running = view.members.filter { $0.name != memberName && $0.status.state == "running" }
        if !running.isEmpty {
            return "postgres is not running and the cluster has no leader; waiting for one of the running "
                + "members (\(running.map(\.name).joined(separator: ", "))) to take the lock"
        }
        let lastLeader = formerLeader ?? view.history.last?.newLeader
        if let lastLeader, lastLeader != memberName, view.member(named: lastLeader) != nil {
            return "postgres is not running and the cluster has no leader; the last leader \(lastLeader) "
                + "is registered and comes back first"
        }
        guard try await acquireLeaderLock() else { return "another member acquired the leader lock first" }
        return try await startAsPrimary(view, reason: "no other member is running and the cluster had no leader")
    }

    private func startAsPrimary(_ view: ClusterView, reason: String) async throws -> String {
        let parameters = serverParameters(view.effectiveConfig)
        try await controller.start(standbyOf: nil, parameters: parameters)
        appliedParameters = parameters
        lastRole = "master"
        rejoinCheck = .none
        return "started postgres as primary: \(reason)"
    }

    /// Starts the stopped server as a standby of `upstream`, after the check `rejoinCheck` demands.
    func rejoin(_ view: ClusterView, upstream: UpstreamConnection) async throws -> String {
        let config = view.effectiveConfig
        var done = ""
        switch rejoinCheck {
        case .none:
            break
        case .ifRewindEnabled where !config.usePgRewind:
            break
        case .ifRewindEnabled, .required:
            if config.usePgRewind {
                switch try await controller.rewind(from: upstream) {
                case .notNeeded: done = "my WAL had not diverged; "
                case .rewound: done = "rewound from \(upstream.memberName); "
                case .impossible(let reason):
                    return reclone(from: upstream, why: "rewind from \(upstream.memberName) impossible: \(reason)")
                }
            } else {
                return reclone(from: upstream, why: "my WAL may have diverged and use_pg_rewind is off")
            }
        }
        let parameters = serverParameters(config)
        try await controller.start(standbyOf: upstream, parameters: parameters)
        appliedParameters = parameters
        rejoinCheck = .none
        lastRole = "replica"
        return done + "started postgres as a standby of \(upstream.memberName)"
    }

    private func reclone(from upstream: UpstreamConnection, why: String) -> String {
        let started = startAction(name: "reinitialize", state: "creating replica") { agent in
            try await agent.controller.removeDataDirectory()
            try await agent.controller.cloneFrom(upstream)
            try await agent.startCloned(standbyOf: upstream)
            return "re-cloned from \(upstream.memberName)"
        }
        return (started ? "re-cloning from \(upstream.memberName): " : "cannot re-clone now: ") + why
    }

    /// The first start of a fresh copy.
    func startCloned(standbyOf upstream: UpstreamConnection) async throws {
        let parameters = serverParameters(config)
        try await controller.start(standbyOf: upstream, parameters: parameters)
        appliedParameters = parameters
        rejoinCheck = .none
        lastRole = "replica"
    }

    /// Where `leader`'s server listens, from its member key.
    func upstream(_ leader: String, in view: ClusterView) -> UpstreamConnection? {
        guard let member = view.member(named: leader) else { return nil }
        let address = member.hostAndPort
        return UpstreamConnection(memberName: leader, host: address.host, port: address.port)
    }
}
