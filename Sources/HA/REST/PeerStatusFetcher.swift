// How the REST API asks another member for its status before accepting a switchover or failover: GET its
// api_url (…/patroni) with a short deadline, as Patroni's `fetch_nodes_statuses` does. A member that does
// not answer in time, answers non-200 or answers something that is not a status is unreachable — and the
// refusal says which of these it was.
import AsyncHTTPClient
import Foundation
import NIOCore

public protocol PeerStatusFetching: Sendable {
    /// The member's status JSON, or a thrown `PeerUnreachable` saying why not.
    func fetchStatus(apiURL: String) async throws(PeerUnreachable) -> NodeStatus
}

public struct PeerUnreachable: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The real fetcher: AsyncHTTPClient on the REST server's event loops.
public struct HTTPPeerStatusFetcher: PeerStatusFetching {
    /// A peer that takes longer than this is treated as down; a switchover pre-check must not hang on it.
    public static let defaultTimeout = TimeAmount.seconds(2)
    /// A status is a few hundred bytes; anything much larger is not one.
    static let maximumResponseBytes = 1 << 20

    let client: HTTPClient
    let timeout: TimeAmount

    /// How the client passed to `init` should be configured: a peer that refuses the connection is down
    /// now, so no reconnect attempts until the deadline (AsyncHTTPClient's default) — a dead member then
    /// costs the leader race and a switchover pre-check nothing instead of the whole timeout.
    public static var clientConfiguration: HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout = .init(connect: defaultTimeout, read: defaultTimeout)
        return configuration
    }

    public init(client: HTTPClient, timeout: TimeAmount = Self.defaultTimeout) {
        self.client = client
        self.timeout = timeout
    }

    public func fetchStatus(apiURL: String) async throws(PeerUnreachable) -> NodeStatus {
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await client.execute(HTTPClientRequest(url: apiURL), timeout: timeout)
            body = try await response.body.collect(upTo: Self.maximumResponseBytes)
        } catch {
            throw PeerUnreachable("its REST API at \(apiURL) did not answer (\(explain(error)))")
        }
        guard response.status.code == 200 else {
            throw PeerUnreachable("its REST API at \(apiURL) answered \(response.status.code)")
        }
        guard let status = try? JSONDecoder().decode(NodeStatus.self, from: Data(body.readableBytesView)) else {
            throw PeerUnreachable("its REST API at \(apiURL) did not answer with a member status")
        }
        return status
    }

    /// "connection refused" rather than NIO's "connection reset (error set): Connection refused (errno: 111)".
    private func explain(_ error: any Error) -> String {
        if let ioError = error as? IOError { return String(cString: strerror(ioError.errnoCode)).lowercased() }
        if let clientError = error as? HTTPClientError,
           [.deadlineExceeded, .connectTimeout, .readTimeout].contains(clientError) {
            return "no answer within \(timeout.nanoseconds / 1_000_000) ms"
        }
        return "\(error)"
    }
}
