// Long actions — bootstrap, clone, restart, reinitialize — run as background tasks so the HA loop keeps
// the lease and the member key alive meanwhile, and the REST API's actions (`AgentControl`): restart
// (now or scheduled), reload, reinitialize, with Patroni's status codes and messages.
//
// Invariants: one long action at a time (`action`); its state ("restarting", "creating replica", …) is
// the member state while it runs; nothing here changes the server in pause mode except what an operator
// explicitly asks for (restart, reinitialize), as in Patroni.
import Foundation

struct RunningAction: Sendable {
    var name: String
    var state: String
    var task: Task<Result<String, any Error>, Never>
}

/// A long action that failed: the loop waits `ttl` before trying anything that could repeat it.
struct FailedAction: Sendable {
    var name: String
    var reason: String
    var at: Duration
}

/// A restart asked for a later time (POST /restart with "schedule").
struct ScheduledRestart: Sendable, Equatable {
    var at: Date
    var text: String
    var request: RestartRequest

    var json: JSONValue {
        var fields: [String: JSONValue] = ["schedule": .string(text)]
        if let role = request.role { fields["role"] = .string(role) }
        if let version = request.postgresVersion { fields["postgres_version"] = .int(Int64(version)) }
        if request.restartPending { fields["restart_pending"] = .bool(true) }
        return .object(fields)
    }
}

extension HAAgent {
    /// Starts `body` in the background unless another action runs; false if one does.
    @discardableResult
    func startAction(name: String, state: String,
                     _ body: @escaping @Sendable (HAAgent) async throws -> String) -> Bool {
        guard action == nil else { return false }
        let task = Task<Result<String, any Error>, Never> {
            let result: Result<String, any Error>
            do { result = .success(try await body(self)) } catch { result = .failure(error) }
            self.finishAction(name: name, result: result)
            return result
        }
        action = RunningAction(name: name, state: state, task: task)
        return true
    }

    private func finishAction(name: String, result: Result<String, any Error>) {
        action = nil
        switch result {
        case .success(let message): logger.info("\(name) finished: \(message)")
        case .failure(let error):
            stoppedState = "start failed"
            lastFailure = FailedAction(name: name, reason: "\(error)", at: clock.now())
            logger.error("\(name) failed: \(error)")
        }
        wakeup.signal(.requested("\(name) finished"))
    }

    /// Waits for the running long action, if any (tests; the REST restart waits for its own).
    func waitForAction() async -> Result<String, any Error>? {
        guard let action else { return nil }
        return await action.task.value
    }

    // MARK: AgentControl — actions

    public func restart(_ request: RestartRequest) async -> ActionResult {
        if let role = request.role, !["primary", "master", "replica", "any"].contains(role) {
            return ActionResult(400, "PostgreSQL role should be either primary or replica")
        }
        if let text = request.scheduleAt {
            guard let date = Self.parseTimestamp(text) else { return ActionResult(400, "Unable to parse scheduled timestamp") }
            if config.isPaused { return ActionResult(500, "Can't schedule restart in the paused state") }
            guard scheduledRestart == nil else { return ActionResult(409, "Cannot schedule restart: another restart is already scheduled") }
            scheduledRestart = ScheduledRestart(at: date, text: text, request: request)
            return ActionResult(202, "Restart scheduled")
        }
        if let refusal = restartRefusal(request) { return ActionResult(503, refusal) }
        let started = startRestart(standbyOf: restartUpstream(view))
        guard started, let running = action else {
            return ActionResult(503, "\(action?.name ?? "another action") already in progress")
        }
        switch await running.task.value {
        case .success: return ActionResult(200, "restarted successfully")
        case .failure(let error): return ActionResult(503, "restart failed: \(error)")
        }
    }

    /// Stop fast, start again with the current parameters (as a standby of the leader unless I hold the lock).
    @discardableResult
    private func startRestart(standbyOf upstreamLeader: UpstreamConnection?) -> Bool {
        startAction(name: "restart", state: "restarting") { agent in
            try await agent.controller.stop(mode: .fast)
            let parameters = await agent.serverParameters(agent.config)
            try await agent.controller.start(standbyOf: upstreamLeader, parameters: parameters)
            await agent.restarted(parameters)
            return "restarted successfully"
        }
    }

    /// A restarted server comes back as the primary if this node holds the lock, else following the leader.
    private func restartUpstream(_ view: ClusterView?) -> UpstreamConnection? {
        guard !holdsLock, let view, let leader = view.leader?.name else { return nil }
        return upstream(leader, in: view)
    }

    private func restarted(_ parameters: [String: String]) {
        appliedParameters = parameters
        stoppedState = "stopped"
    }

    /// Why a restart's conditions are not met (role, version, pending), or nil.
    private func restartRefusal(_ request: RestartRequest) -> String? {
        if !holdsLock, restartUpstream(view) == nil {
            return "restart refused: I do not hold the leader lock and there is no leader to follow afterwards"
        }
        let role = observation.role == .primary ? "primary" : "replica"
        if let wanted = request.role, wanted != "any", (wanted == "master" ? "primary" : wanted) != role {
            return "restart conditions are not satisfied: I am a \(role), not a \(wanted)"
        }
        if let version = request.postgresVersion, let running = observation.serverVersion, running >= version {
            return "restart conditions are not satisfied: server version \(running) is not lower than \(version)"
        }
        if request.restartPending, observation.pendingRestart.isEmpty {
            return "restart conditions are not satisfied: no restart is pending"
        }
        return nil
    }

    public func cancelScheduledRestart() -> ActionResult {
        guard scheduledRestart != nil else { return ActionResult(404, "no restarts are scheduled") }
        scheduledRestart = nil
        return ActionResult(200, "scheduled restart deleted")
    }

    /// Runs a scheduled restart once its time has come (checked every cycle).
    func runScheduledRestartIfDue(_ view: ClusterView) async throws -> String? {
        guard let scheduled = scheduledRestart, scheduled.at <= Date() else { return nil }
        scheduledRestart = nil
        var request = scheduled.request
        request.scheduleAt = nil
        if let refusal = restartRefusal(request) { return "scheduled restart skipped: \(refusal)" }
        startRestart(standbyOf: restartUpstream(view))
        return "running the restart scheduled at \(scheduled.text)"
    }

    public func reload() async -> ActionResult {
        let parameters = serverParameters(config)
        do {
            try await controller.reload(parameters: parameters)
            appliedParameters = parameters
            return ActionResult(202, "reload scheduled")
        } catch {
            return ActionResult(503, "reload failed: \(error)")
        }
    }

    public func reinitialize(force: Bool) async -> ActionResult {
        if holdsLock { return ActionResult(503, "I am the leader, can not reinitialize") }
        guard let view, let leader = view.leader?.name, let upstream = upstream(leader, in: view) else {
            return ActionResult(503, "Cluster has no leader, can not reinitialize")
        }
        if let running = action {
            guard force else { return ActionResult(503, "\(running.name) already in progress") }
            running.task.cancel()
            _ = await running.task.value
        }
        let started = startAction(name: "reinitialize", state: "creating replica") { agent in
            try await agent.controller.stop(mode: .immediate)
            try await agent.controller.removeDataDirectory()
            try await agent.controller.cloneFrom(upstream)
            try await agent.startCloned(standbyOf: upstream)
            return "reinitialized from \(leader)"
        }
        return started ? ActionResult(200, "reinitialize started")
                       : ActionResult(503, "\(action?.name ?? "another action") already in progress")
    }

    /// ISO 8601 with or without fractional seconds (what ctl and Patroni write).
    static func parseTimestamp(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}
