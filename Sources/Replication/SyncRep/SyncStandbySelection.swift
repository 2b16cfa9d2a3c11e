// SyncStandbySelection: which standbys are synchronous right now, and how far all of them
// together have got — pure functions over the WAL senders (PostgreSQL's SyncRepGetCandidateStandbys
// and SyncRepGetSyncRecPtr).
//
// Candidates are streaming standbys with a listed name (priority > 0) that have reported a flush
// position. Priority (FIRST N): the N candidates with the lowest priority (ties: lower pid) are
// `sync`, other listed ones `potential`; the commit may return once every one of the N has
// reached it — the minimum of their positions; fewer than N candidates: not yet. Quorum (ANY N):
// every listed one is `quorum`; the commit may return once N of them have reached it — the N-th
// highest position.

import WAL

public enum SyncStandbySelection {
    /// Which position a commit waits for (synchronous_commit).
    public enum Position: Sendable { case write, flush, apply }

    /// sync_state and sync_priority for each WAL sender, by pid.
    public static func states(_ senders: [WALSenderStatus], names: SyncStandbyNames?) -> [Int32: (priority: Int, state: String)] {
        var result: [Int32: (Int, String)] = [:]
        guard let names else {
            for sender in senders { result[sender.pid] = (0, "async") }
            return result
        }
        let chosen = Set(synchronous(senders, names: names).map(\.pid))
        for sender in senders {
            let priority = names.priority(of: sender.applicationName)
            let state: String
            if priority == 0 { state = "async" }
            else if names.method == .quorum { state = "quorum" }
            else { state = chosen.contains(sender.pid) ? "sync" : "potential" }
            result[sender.pid] = (priority, state)
        }
        return result
    }

    /// The position up to which the synchronous standbys have all (priority) or in enough number
    /// (quorum) confirmed `position`; nil while too few synchronous standbys are connected.
    public static func confirmedPosition(_ senders: [WALSenderStatus], names: SyncStandbyNames,
                                         position: Position) -> LSN? {
        func reported(_ sender: WALSenderStatus) -> LSN {
            switch position {
            case .write: sender.write ?? .invalid
            case .flush: sender.flush ?? .invalid
            case .apply: sender.replay ?? .invalid
            }
        }
        switch names.method {
        case .priority:
            let chosen = synchronous(senders, names: names)
            guard chosen.count >= names.count else { return nil }
            return chosen.map(reported).min()
        case .quorum:
            let positions = candidates(senders, names: names).map(reported).sorted(by: >)
            guard positions.count >= names.count else { return nil }
            return positions[names.count - 1]
        }
    }

    private static func candidates(_ senders: [WALSenderStatus], names: SyncStandbyNames) -> [WALSenderStatus] {
        senders.filter { $0.isStreaming && names.priority(of: $0.applicationName) > 0 && ($0.flush ?? .invalid).isValid }
    }

    /// Priority mode: the standbys that are synchronous now (at most `count`).
    private static func synchronous(_ senders: [WALSenderStatus], names: SyncStandbyNames) -> [WALSenderStatus] {
        guard names.method == .priority else { return [] }
        let sorted = candidates(senders, names: names).sorted {
            (names.priority(of: $0.applicationName), $0.pid) < (names.priority(of: $1.applicationName), $1.pid)
        }
        return Array(sorted.prefix(names.count))
    }
}
