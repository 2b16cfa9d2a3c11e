// The outcome of one HTTP health check against an agent's REST API (`GET <check_url>/primary` or
// `/replica`). Only `passed` counts as a success; every other outcome is a failure, and its text is
// what the stats page shows as the reason a backend is out of rotation — "HTTP 503", "timeout",
// "connection refused" — so a person can tell "the node says no" from "the agent is unreachable".

public enum CheckResult: Sendable, Equatable, CustomStringConvertible {
    /// HTTP 200: the agent says the node is fit for the role.
    case passed
    /// Any other HTTP status (the agent answers 503 for "not the leader" / "not a healthy replica").
    case httpStatus(Int)
    /// No complete answer within the check timeout.
    case timeout
    /// Nobody listens on the agent's port.
    case connectionRefused
    /// Anything else that stopped the request (DNS, reset, malformed answer), with its text.
    case failed(String)

    public var isSuccess: Bool { self == .passed }

    public var description: String {
        switch self {
        case .passed: return "HTTP 200"
        case .httpStatus(let status): return "HTTP \(status)"
        case .timeout: return "timeout"
        case .connectionRefused: return "connection refused"
        case .failed(let reason): return reason
        }
    }
}
