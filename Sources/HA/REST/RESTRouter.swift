// The REST API's dispatcher: which endpoint answers which method and path, the basic-auth gate in front of
// every mutating request, and one log line per mutating request with its outcome. Endpoints live in
// extensions by subject: StatusEndpoints, ConfigEndpoints, ActionEndpoints, SwitchoverEndpoints.
//
// Status codes for what no endpoint answers: an unknown path is 404; a known path with a method it does
// not take is 405 with `Allow`; a method this API never takes (TRACE, CONNECT, …) is 501.
import Logging
import NIOHTTP1

struct RESTRouter: Sendable {
    let agent: any AgentControl
    let authentication: RESTAuthentication?
    let peers: any PeerStatusFetching
    let logger: Logger

    private enum Route {
        case status, cluster, history, config, metrics, liveness, readiness
        case healthCheck(HealthCheckEndpoint)
        case switchover, failover, restart, reload, reinitialize

        init?(path: String) {
            switch path {
            case "/patroni": self = .status
            case "/cluster": self = .cluster
            case "/history": self = .history
            case "/config": self = .config
            case "/metrics": self = .metrics
            case "/liveness": self = .liveness
            case "/readiness": self = .readiness
            case "/switchover": self = .switchover
            case "/failover": self = .failover
            case "/restart": self = .restart
            case "/reload": self = .reload
            case "/reinitialize": self = .reinitialize
            default:
                guard let endpoint = HealthCheckEndpoint(path: path) else { return nil }
                self = .healthCheck(endpoint)
            }
        }

        /// The methods besides GET (and its HEAD and OPTIONS forms) this path takes.
        var writeMethods: [HTTPMethod] {
            switch self {
            case .config: return [.PATCH, .PUT]
            case .switchover, .restart: return [.POST, .DELETE]
            case .failover, .reload, .reinitialize: return [.POST]
            default: return []
            }
        }

        var isReadable: Bool {
            switch self {
            case .switchover, .failover, .restart, .reload, .reinitialize: return false
            default: return true
            }
        }
    }

    private static let knownMethods: [HTTPMethod] = [.GET, .HEAD, .OPTIONS, .POST, .PUT, .PATCH, .DELETE]

    func handle(_ request: RESTRequest) async -> RESTResponse {
        guard Self.knownMethods.contains(request.method) else {
            return .text(501, "Unsupported method (\(request.method.rawValue))")
        }
        guard let route = Route(path: request.path) else { return .text(404, "Not found: \(request.path)") }
        if request.isReadOnly {
            guard route.isReadable else { return methodNotAllowed(route) }
            return await read(route, request)
        }
        guard route.writeMethods.contains(request.method) else { return methodNotAllowed(route) }
        if let authentication, let reason = authentication.rejection(of: request.headers) {
            logger.warning("REST API: \(request.method.rawValue) \(request.path) refused: \(reason)")
            return RESTAuthentication.challenge(reason)
        }
        let response = await write(route, request)
        log(request, response)
        return response
    }

    private func read(_ route: Route, _ request: RESTRequest) async -> RESTResponse {
        switch route {
        case .status: return .json(200, await agent.currentStatus())
        case .healthCheck(let endpoint): return await healthCheck(endpoint, query: request.query)
        case .liveness: return await liveness()
        case .readiness: return await readiness()
        case .cluster: return await cluster()
        case .history: return await history()
        case .config: return await getConfig()
        case .metrics: return await metrics()
        case .switchover, .failover, .restart, .reload, .reinitialize:
            preconditionFailure("read() called for a write-only route; handle() checks isReadable first")
        }
    }

    private func write(_ route: Route, _ request: RESTRequest) async -> RESTResponse {
        do {
            switch (route, request.method) {
            case (.config, .PATCH): return try await patchConfig(request.jsonObject())
            case (.config, .PUT): return try await putConfig(request.jsonObject())
            case (.restart, .POST): return try await restart(request.jsonObject(optional: true))
            case (.restart, .DELETE): return await agent.cancelScheduledRestart().response
            case (.reload, _): return await agent.reload().response
            case (.reinitialize, _): return try await reinitialize(request.jsonObject(optional: true))
            case (.switchover, .POST): return try await manualFailover(.switchover, request.jsonObject())
            case (.failover, _): return try await manualFailover(.failover, request.jsonObject())
            case (.switchover, .DELETE): return await cancelScheduledSwitchover()
            default: return methodNotAllowed(route)
            }
        } catch {
            return .text(400, error.message)
        }
    }

    private func methodNotAllowed(_ route: Route) -> RESTResponse {
        let allowed = (route.isReadable ? ["GET", "HEAD", "OPTIONS"] : []) + route.writeMethods.map(\.rawValue)
        var response = RESTResponse.text(405, "Method not allowed; this path takes \(allowed.joined(separator: ", "))")
        response.extraHeaders.append((name: "Allow", value: allowed.joined(separator: ", ")))
        return response
    }

    private func log(_ request: RESTRequest, _ response: RESTResponse) {
        let outcome = response.contentType == "application/json" ? "" : ": \(response.bodyText)"
        let line: Logger.Message = "REST API: \(request.method.rawValue) \(request.path) → \(response.status)\(outcome)"
        if response.status < 300 { logger.info(line) } else { logger.warning(line) }
    }
}

extension ActionResult {
    var response: RESTResponse { .text(httpStatus, message) }
}
