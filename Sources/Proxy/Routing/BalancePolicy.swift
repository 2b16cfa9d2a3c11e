// How the replica listener picks among the backends that are UP for it (HAProxy's `balance`):
// round robin walks the backends in configuration order, one step per new session; least connections
// takes the backend with the fewest current sessions, round robin among equals.

struct BalancePolicy {
    let algorithm: ProxyConfiguration.Balance
    /// The index of the backend that received the previous session (round robin resumes after it).
    private(set) var cursor = -1

    init(algorithm: ProxyConfiguration.Balance) {
        self.algorithm = algorithm
    }

    /// `candidates` are (backend index, current sessions) of the eligible backends in configuration
    /// order. Returns the chosen backend index, nil when there is no candidate.
    mutating func pick(from candidates: [(index: Int, sessions: Int)]) -> Int? {
        guard !candidates.isEmpty else { return nil }
        var pool = candidates
        if algorithm == .leastConnections, let fewest = candidates.map(\.sessions).min() {
            pool = candidates.filter { $0.sessions == fewest }
        }
        let next = pool.first { $0.index > cursor } ?? pool[0]
        cursor = next.index
        return next.index
    }
}
