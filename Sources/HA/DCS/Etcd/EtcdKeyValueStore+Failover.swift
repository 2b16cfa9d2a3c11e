// How one etcd call survives a failing member: try the remembered endpoint with a per-request timeout,
// then each other endpoint, round after round, until the call's overall deadline (retry_timeout); then
// give up with a DCSError that names every endpoint and how it failed.
//
// What counts as "this member failed, try another": no connection, no answer in time (a SIGSTOPped or
// partitioned member accepts TCP connections and then says nothing), an answer that is not JSON, a gRPC
// code meaning "cannot answer now" (14 Unavailable: no leader, leader changed, request timed out), and
// a member whose raft_term is behind one already seen (stale). Any other error from etcd is the answer
// itself (e.g. "requested lease not found") and is thrown at once.
//
// A write whose answer was lost may have been applied before the store moved on and retried it: the
// retry of a compare-and-set then reports "compare failed". Callers re-read before acting on that, as
// ClusterStore's leader update does (it checks the leader key's value).
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore

/// The member at one endpoint could not answer; the reason goes into the final error if all fail.
struct EtcdEndpointFailure: Error {
    var reason: String
}

/// `withTimeout` ran out of time.
struct EtcdTimeout: Error {}

extension EtcdKeyValueStore {
    /// Pause between two rounds over all endpoints, so that a cluster without a leader for a moment
    /// (an election takes about one election timeout) is not hammered.
    static let pauseBetweenRounds = Duration.milliseconds(200)
    /// No etcd answer to a unary call is this large; a bigger one is not etcd.
    static let maximumResponseBytes = 64 << 20

    /// Runs `attempt` against the endpoints in order until one succeeds or `deadline` passes.
    /// `attempt` gets the endpoint's URL and the time it may take; it throws `EtcdEndpointFailure` to move on.
    func withFailover<T: Sendable>(_ what: String, deadline: ContinuousClock.Instant,
                                   _ attempt: (_ url: String, _ timeout: Duration) async throws -> T)
        async throws -> T {
        var failures: [(url: String, reason: String)] = []
        while true {
            for index in endpoints.withLock({ $0.order() }) {
                let url = endpoints.withLock { $0.urls[index] }
                let remaining = deadline - .now
                guard remaining > .zero else { break }
                try Task.checkCancellation()
                do {
                    let value = try await attempt(url, min(requestTimeout, remaining))
                    let previous = endpoints.withLock { endpoints in
                        defer { endpoints.remember(index) }
                        return endpoints.urls[endpoints.current]
                    }
                    if previous != url { logger.notice("etcd: switched to \(url) (after \(previous) failed)") }
                    return value
                } catch let failure as EtcdEndpointFailure {
                    try Task.checkCancellation()
                    // Each member's first failure in a call is worth a warning; its repeats in later rounds are not.
                    let level: Logger.Level = failures.contains { $0.url == url } ? .debug : .warning
                    logger.log(level: level, "etcd: \(what) on \(url) failed: \(failure.reason)")
                    failures.removeAll { $0.url == url }
                    failures.append((url, failure.reason))
                }
            }
            let remaining = deadline - .now
            guard remaining > .zero else { break }
            try await Task.sleep(for: min(Self.pauseBetweenRounds, remaining))
        }
        let detail = failures.isEmpty ? "no time to try any endpoint"
            : failures.map { "\($0.url): \($0.reason)" }.joined(separator: "; ")
        throw DCSError("etcd: \(what) failed on every endpoint within \(retryTimeout) (\(detail))")
    }

    /// One unary RPC (`path` under /v3) with failover; returns the decoded answer. An etcd error with the
    /// gRPC code `tolerating` is returned as the answer instead of thrown.
    func call(_ path: String, _ request: JSONValue, _ what: String, tolerating: Int64? = nil)
        async throws -> JSONValue {
        let body = Array(request.description.utf8)
        return try await withFailover(what, deadline: .now + retryTimeout) { url, timeout in
            let (status, bytes) = try await post(url + path, body: body, timeout: timeout)
            guard let answer = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)) else {
                throw EtcdEndpointFailure(reason: "HTTP \(status) with a body that is not JSON")
            }
            if let error = EtcdJSON.ServerError(answer), error.code != tolerating {
                if error.isRetriable { throw EtcdEndpointFailure(reason: error.message) }
                throw DCSError("etcd \(url): \(error.message) (code \(error.code))")
            }
            guard (200..<300).contains(status) || EtcdJSON.ServerError(answer) != nil else {
                throw EtcdEndpointFailure(reason: "HTTP \(status)")
            }
            try admit(EtcdJSON.ResponseHeader(answer["header"] ?? answer["result"]?["header"]))
            return answer
        }
    }

    /// The stale-member guard, applied to every header that comes back.
    func admit(_ header: EtcdJSON.ResponseHeader?) throws {
        guard let header else { return }
        if let stale = endpoints.withLock({ $0.admit(header) }) { throw EtcdEndpointFailure(reason: stale) }
    }

    /// POST `body` to `url`; the whole exchange, connect to last byte, must finish within `timeout`.
    private func post(_ url: String, body: [UInt8], timeout: Duration) async throws -> (status: UInt, body: [UInt8]) {
        let request = Self.jsonRequest(url: url, body: body)
        do {
            return try await withTimeout(timeout) {
                let response = try await self.client.execute(request, timeout: Self.timeAmount(timeout))
                var buffer = try await response.body.collect(upTo: Self.maximumResponseBytes)
                return (response.status.code, buffer.readBytes(length: buffer.readableBytes) ?? [])
            }
        } catch let error where error is EtcdTimeout || (error as? HTTPClientError) == .deadlineExceeded {
            throw EtcdEndpointFailure(reason: "no answer within \(timeout)")
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw EtcdEndpointFailure(reason: Self.reason(error))
        }
    }

    /// A short reason for the error list: "Connection refused" rather than NIO's full description.
    static func reason(_ error: any Error) -> String {
        if let error = error as? IOError { return String(cString: strerror(error.errnoCode)) }
        return String(describing: error)
    }

    static func jsonRequest(url: String, body: [UInt8]) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
        return request
    }

    /// Runs `operation`, cancelling it and throwing `EtcdTimeout` if it has not finished after `timeout`.
    func withTimeout<T: Sendable>(_ timeout: Duration, _ operation: @escaping @Sendable () async throws -> T)
        async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard case let value?? = try await group.next() else { throw EtcdTimeout() }
            return value
        }
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
