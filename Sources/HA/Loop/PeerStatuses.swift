// How the leader race learns where the other members really are: GET <api_url> of each of them, all in
// parallel, through the REST module's `PeerStatusFetching` (one short deadline, no retries; patroni.md
// §2.2). A member that does not answer is "unreachable" — it cannot block a failover, so a dead primary's
// agent is simply left out, and the race costs one round trip, not one per member.
//
// Invariant: one entry per member asked, whatever the peers do.

public enum PeerStatus: Sendable, Equatable {
    case status(NodeStatus)
    case unreachable(reason: String)
}

extension PeerStatusFetching {
    /// Each member's answer to GET its api_url, keyed by member name.
    func statuses(of members: [Member]) async -> [String: PeerStatus] {
        await withTaskGroup(of: (String, PeerStatus).self) { group in
            for member in members {
                group.addTask {
                    do {
                        return (member.name, .status(try await fetchStatus(apiURL: member.status.apiURL)))
                    } catch {
                        return (member.name, .unreachable(reason: "\(error)"))
                    }
                }
            }
            var result: [String: PeerStatus] = [:]
            for await (name, status) in group { result[name] = status }
            return result
        }
    }
}
