// HTTP basic authentication for the REST API's mutating requests (Patroni's `restapi.authentication`):
// every POST, PUT, PATCH and DELETE must carry `Authorization: Basic base64(username:password)` when a
// username is configured; reads (health checks, /patroni, /cluster, /metrics) stay open, as in Patroni.
//
// Invariant: the credentials are compared in time independent of where they first differ.
import Foundation
import NIOHTTP1

public struct RESTAuthentication: Sendable, Equatable {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// Why `headers` do not authenticate, or nil when they do.
    func rejection(of headers: HTTPHeaders) -> String? {
        guard let header = headers.first(name: "authorization") else { return "no auth header received" }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic",
              let decoded = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces))
        else { return "not authenticated" }
        let expected = Array("\(username):\(password)".utf8)
        return Self.constantTimeEqual(Array(decoded), expected) ? nil : "not authenticated"
    }

    /// The 401 answer, with the challenge a client needs to retry with credentials.
    static func challenge(_ reason: String) -> RESTResponse {
        var response = RESTResponse.text(401, reason)
        response.extraHeaders.append((name: "WWW-Authenticate", value: "Basic realm=\"minipg\""))
        return response
    }

    private static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        var difference: UInt8 = lhs.count == rhs.count ? 0 : 1
        for index in 0..<max(lhs.count, rhs.count) {
            let left = index < lhs.count ? lhs[index] : 0
            let right = index < rhs.count ? rhs[index] : 0
            difference |= left ^ right
        }
        return difference == 0
    }
}
