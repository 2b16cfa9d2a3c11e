// The REST API's reads: health checks, /liveness and /readiness, /metrics from this node's snapshots, and
// /cluster and /history from the DCS. Snapshots come from the agent without waiting for its HA loop; the DCS
// reads go to the store directly (a fresh view, falling back to the agent's cached one if the store fails),
// so `ctl list` right after a change sees the change.

extension RESTRouter {
    func healthCheck(_ endpoint: HealthCheckEndpoint, query: [String: String]) async -> RESTResponse {
        let snapshot = await self.snapshot()
        do {
            let verdict = try HealthCheck.verdict(endpoint, query: query, snapshot: snapshot)
            var response = RESTResponse.json(verdict.code, snapshot.status)
            if let reason = verdict.reason {
                // Tag values come from the query string: no line breaks may reach a header.
                let value = reason.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
                response.extraHeaders.append((name: "X-Health-Reason", value: value))
            }
            return response
        } catch {
            return .text(400, error.message)
        }
    }

    /// 200 while the HA loop keeps its schedule: its next run is due less than ttl ago (2×ttl on a replica,
    /// which can afford a slower loop), or the cluster is paused. Status only, no body.
    func liveness() async -> RESTResponse {
        let status = await agent.currentStatus()
        let cluster = await agent.cachedCluster()
        let ttl = cluster?.effectiveConfig.ttl ?? DynamicConfig.defaultTTL
        let isRunningPrimary = (status.role == "master" || status.role == "primary") && status.state == "running"
        let threshold = Duration.seconds(ttl * (isRunningPrimary ? 1 : 2))
        let paused = status.pause ?? cluster?.effectiveConfig.isPaused ?? false
        let nextRun = await agent.nextRunDeadline()
        let live = paused || nextRun + threshold > agent.clock.now()
        return RESTResponse(status: live ? 200 : 503)
    }

    /// 200 when this node can serve: it holds the leader lock, or its server runs and it has a DCS view.
    func readiness() async -> RESTResponse {
        let ready: Bool
        if await agent.holdsLeaderLock() {
            ready = true
        } else {
            let running = await agent.currentStatus().state == "running"
            let hasView = await agent.cachedCluster() != nil
            ready = running && hasView
        }
        return RESTResponse(status: ready ? 200 : 503)
    }

    func metrics() async -> RESTResponse {
        let text = PrometheusMetrics.render(status: await agent.currentStatus(), scope: agent.scope,
                                            memberName: agent.memberName)
        return RESTResponse(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: Array(text.utf8))
    }

    func cluster() async -> RESTResponse {
        switch await loadCluster() {
        case .success(let view): return .json(200, ClusterDocument.make(view, scope: agent.scope))
        case .failure(let error): return .text(503, "DCS is not accessible: \(error)")
        }
    }

    func history() async -> RESTResponse {
        switch await loadCluster() {
        case .success(let view): return .json(200, JSONValue.array(view.history.map(\.json)))
        case .failure(let error): return .text(503, "DCS is not accessible: \(error)")
        }
    }

    /// The cluster as the store has it now; the agent's cached view when the store cannot be read.
    func loadCluster() async -> Result<ClusterView, DCSError> {
        do {
            return .success(try await agent.clusterStore.load())
        } catch {
            if let cached = await agent.cachedCluster() { return .success(cached) }
            return .failure(error as? DCSError ?? DCSError("\(error)"))
        }
    }

    private func snapshot() async -> HealthCheckSnapshot {
        HealthCheckSnapshot(memberName: agent.memberName, status: await agent.currentStatus(),
                            cluster: await agent.cachedCluster(), holdsLeaderLock: await agent.holdsLeaderLock())
    }
}
