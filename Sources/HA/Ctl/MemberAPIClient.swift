// How ctl talks to an agent: one HTTP request to a member's REST API, whose base is taken from the
// api_url the member publishes in its DCS key (http://127.0.0.1:8008/patroni → http://127.0.0.1:8008/restart).
// The real client (HTTPMemberAPIClient, AsyncHTTPClient with basic auth) lives in Ctl/Clients/.
//
// Invariant: a transport failure (refused, timed out) is thrown; any HTTP answer, 4xx/5xx included, is
// returned — ctl shows the agent's own words for a refusal.

public struct MemberAPIResponse: Sendable, Equatable {
    public var status: Int
    public var body: String

    public init(status: Int, body: String) {
        self.status = status
        self.body = body
    }
}

public protocol MemberAPIClient: Sendable {
    /// `method` is GET, POST, PATCH or DELETE; `body` is sent as JSON.
    func send(_ method: String, url: String, body: JSONValue?, timeout: Duration) async throws -> MemberAPIResponse
}

extension Member {
    /// The URL of `endpoint` ("restart", "switchover", …) on this member's REST API.
    public func apiEndpoint(_ endpoint: String) -> String {
        var base = Substring(status.apiURL)
        let schemeEnd = base.range(of: "://")?.upperBound ?? base.startIndex
        if let slash = base[schemeEnd...].firstIndex(of: "/") { base = base[..<slash] }
        return base + "/" + endpoint
    }
}
