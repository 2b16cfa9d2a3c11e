// The watch: one POST /v3/watch with a create_request for the prefix, whose answer is a chunked body that
// never ends — first a "created" message, then one message per revision with changes. The HA loop only
// needs "wake me when something changed", so the stream is read until the first events or the timeout and
// then closed (closing the connection is the only way to cancel a watch over the gateway).
//
// Compaction: if `fromRevision` is older than etcd's compacted history, the server cancels the watch with
// compact_revision set, and the changes in between are gone. The caller reloads the view on any event, so
// the store re-reads the prefix and reports every key there as a put: a spurious wake-up at worst, never a
// missed one for a key that exists now.
//
// A member that dies mid-watch is left like any failed member: the watch resumes on the next one from the
// same revision, so no change is missed. A member that hangs mid-watch looks like a quiet one: the watch
// returns nothing at its timeout, and the caller's next request moves to another member.
import AsyncHTTPClient
import Foundation
import NIOCore

extension EtcdKeyValueStore {
    enum WatchOutcome: Sendable {
        case events([WatchEvent])
        case quiet
        case compacted(revision: Int64)
    }

    public func watch(prefix: String, fromRevision: Int64, timeout: Duration) async throws -> [WatchEvent] {
        let deadline = ContinuousClock.now + timeout
        let body = Array(EtcdJSON.watchRequest(prefix: prefix, startRevision: fromRevision).description.utf8)
        // Even a zero timeout gets one attempt: an unreachable store must still throw.
        let outcome = try await withFailover("watch \(prefix)", deadline: max(deadline, .now + requestTimeout)) {
            url, timeout in
            try await watchStream(url: url + "/v3/watch", body: body, headTimeout: timeout, deadline: deadline)
        }
        switch outcome {
        case .events(let events):
            return events
        case .quiet:
            return []
        case .compacted(let revision):
            logger.info("""
                etcd: watch from revision \(fromRevision) on \(prefix) is older than the compacted revision \
                \(revision); re-reading
                """)
            return try await range(prefix: prefix).keyValues.map { WatchEvent(kind: .put, keyValue: $0) }
        }
    }

    /// One watch on one member: waits `headTimeout` for the answer to begin, then reads until events or
    /// `deadline`.
    private func watchStream(url: String, body: [UInt8], headTimeout: Duration,
                             deadline: ContinuousClock.Instant) async throws -> WatchOutcome {
        let request = Self.jsonRequest(url: url, body: body)
        let response: HTTPClientResponse
        do {
            response = try await withTimeout(headTimeout) {
                try await self.client.execute(request, timeout: Self.timeAmount(headTimeout))
            }
        } catch let error where error is EtcdTimeout || (error as? HTTPClientError) == .deadlineExceeded {
            throw EtcdEndpointFailure(reason: "no answer within \(headTimeout)")
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw EtcdEndpointFailure(reason: Self.reason(error))
        }
        guard response.status == .ok else {
            throw EtcdEndpointFailure(reason: "watch answered HTTP \(response.status.code)")
        }
        do {
            return try await withTimeout(max(deadline - .now, .zero)) { try await self.readWatch(response.body) }
        } catch is EtcdTimeout {
            return .quiet
        } catch let failure as EtcdEndpointFailure {
            throw failure
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw EtcdEndpointFailure(reason: "watch stream: \(error)")
        }
    }

    /// Reads watch messages until one carries events; anything else that ends the stream is a failure of
    /// this member.
    private func readWatch(_ body: HTTPClientResponse.Body) async throws -> WatchOutcome {
        var stream = EtcdJSONStream()
        for try await chunk in body {
            for message in try stream.append(chunk.readableBytesView) {
                let json = try JSONDecoder().decode(JSONValue.self, from: Data(message))
                switch try EtcdJSON.watchMessage(json) {
                case .created(let header), .progress(let header):
                    try admit(header)
                case .events(let header, let events):
                    try admit(header)
                    return .events(events)
                case .canceled(let header, let compactRevision, let reason):
                    try admit(header)
                    if compactRevision > 0 { return .compacted(revision: compactRevision) }
                    throw EtcdEndpointFailure(reason: "watch canceled by the server: \(reason)")
                case .failed(let error):
                    throw EtcdEndpointFailure(reason: error.message)
                }
            }
        }
        throw EtcdEndpointFailure(reason: "watch stream ended")
    }
}
