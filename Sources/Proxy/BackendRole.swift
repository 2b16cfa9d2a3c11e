// What a proxy listener routes to: the primary (HAProxy's `option httpchk GET /primary`, port 5000 in the
// lab) or the hot standbys (`GET /replica`, port 5001). The REST path is the agent's answer to "are you
// fit for this role?": 200 yes, 503 no.

public enum BackendRole: String, Sendable, Codable, CaseIterable {
    case primary
    case replica

    /// The agent endpoint whose 200/503 decides health for this role.
    public var healthCheckPath: String {
        switch self {
        case .primary: return "/primary"
        case .replica: return "/replica"
        }
    }
}
