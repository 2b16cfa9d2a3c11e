// The real `MemberAPIClient`: one AsyncHTTPClient request per call, JSON body, basic auth with the ctl
// credentials of the YAML file (ctl.authentication, else restapi.authentication) — the mutating endpoints
// of the agents' REST API refuse requests without them.
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

public struct HTTPMemberAPIClient: MemberAPIClient {
    /// Answers of this API are small; a larger one is not an agent's.
    static let maximumResponseBytes = 4 << 20

    let client: HTTPClient
    let authorization: String?

    public init(client: HTTPClient = .shared, authentication: Credentials?) {
        self.client = client
        self.authorization = authentication.map { credentials in
            "Basic " + Data("\(credentials.username):\(credentials.password ?? "")".utf8).base64EncodedString()
        }
    }

    public func send(_ method: String, url: String, body: JSONValue?,
                     timeout: Duration) async throws -> MemberAPIResponse {
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method)
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: try JSONValue.encodeCompact(body)))
        }
        let response = try await client.execute(request, timeout: .nanoseconds(Int64(timeout.components.seconds)
            * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000))
        let bytes = try await response.body.collect(upTo: Self.maximumResponseBytes)
        return MemberAPIResponse(status: Int(response.status.code), body: String(buffer: bytes))
    }
}
