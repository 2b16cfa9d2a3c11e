// The lock holder's path (patroni.md §2.1): keep the lock, publish the primary's position in /status, act
// on a switchover request, and make sure this node really is the primary — promoting it if it still runs
// as a replica, writing the /history line of the timeline it left. Also the demotions, in Patroni's modes.
//
// Invariants:
// - Losing the lock for certain (the key names someone else) demotes at once: stop immediately, keep no
//   claim; the follower's path then rewinds or re-clones before following.
// - /sync is written before a promotion in synchronous mode (only this node in it), so no standby can be
//   believed synchronous for a primary it never streamed from.
import Foundation
import WAL

extension HAAgent {
    func processAsLockHolder(_ view: ClusterView) async throws -> String {
        let paused = view.effectiveConfig.isPaused
        guard try await updateLeaderLock() else {
            if observation.role == .primary {
                if paused { return "PAUSE: continue to run as primary after failing to update leader lock in DCS" }
                await demote(.immediateNoLock)
                return "demoted self because failed to update leader lock in DCS"
            }
            return "lost the leader lock while running as a replica"
        }
        if observation.role == .primary, let flush = observation.flushLSN {
            try await clusterStore.setStatus(LeaderStatus(optime: flush))
        }
        if paused, observation.role != .primary {
            try await releaseLeaderLock()
            return "PAUSE: released the leader lock: postgres does not run as primary and I may not promote it"
        }
        if let request = view.failover, let message = try await processManualFailover(request, view: view) {
            return message
        }
        return try await enforcePrimaryRole(view, acquired: false)
    }

    /// Makes the lock holder the primary. `acquired`: the lock was won in this very cycle.
    func enforcePrimaryRole(_ view: ClusterView, acquired: Bool) async throws -> String {
        if observation.role == .primary {
            try await processSyncReplication(view)
            return acquired ? "acquired session lock as a leader"
                            : "no action. I am (\(memberName)), the leader with the lock"
        }
        if view.effectiveConfig.isPaused {
            return "PAUSE: I hold the leader lock but postgres runs as a replica; would have promoted it"
        }
        if view.effectiveConfig.synchronousMode {
            guard try await clusterStore.setSync(SyncState(leader: memberName, syncStandby: nil),
                                                 expectedRevision: view.sync == nil ? 0 : view.syncRevision) else {
                return "postponing promotion because the synchronous replication state was updated by somebody else"
            }
            syncStandbyNames = view.effectiveConfig.synchronousModeStrict ? "*" : ""
        }
        let leftTimeline = observation.timeline ?? view.timeline
        let switchPoint = observation.walPosition
        try await controller.promote()
        rejoinCheck = .none
        lastRole = "master"
        try await recordHistory(view, leftTimeline: leftTimeline, switchPoint: switchPoint)
        return acquired ? "promoted self to leader by acquiring session lock"
                        : "promoted self to leader because I had the session lock"
    }

    /// Appends the line for the timeline this node just left to /history (`ctl history` shows it).
    private func recordHistory(_ view: ClusterView, leftTimeline: Int, switchPoint: Int64) async throws {
        guard !view.history.contains(where: { $0.timeline == leftTimeline }) else { return }
        let timestamp = HistoryLine.timestamp(Date())
        let line = HistoryLine(timeline: leftTimeline, lsn: switchPoint, reason: "no recovery target specified",
                               timestamp: timestamp, newLeader: memberName)
        try await clusterStore.setHistory(view.history + [line])
    }

    /// Voluntary release of the leader key (only if it still names this node).
    func releaseLeaderLock() async throws {
        leaseGuard.disarm()
        holdsLock = false
        try await clusterStore.releaseLeaderLock()
    }

    /// Patroni's demote modes (patroni.md §2.1).
    enum DemoteMode: Sendable {
        case offline           // DCS unreachable: stop fast, keep (what is left of) the lock
        case graceful          // switchover: checkpoint, stop fast, release the lock
        case immediateNoLock   // lost the lock: stop immediately, the lock is someone else's
    }

    func demote(_ mode: DemoteMode) async {
        switch mode {
        case .offline:
            try? await controller.stop(mode: .fast)
            rejoinCheck = .required       // the others may have promoted meanwhile without its last WAL
        case .graceful:
            try? await controller.checkpoint()
            try? await controller.stop(mode: .fast)
            rejoinCheck = .ifRewindEnabled
            try? await releaseLeaderLock()
        case .immediateNoLock:
            try? await controller.stop(mode: .immediate)
            rejoinCheck = .required
        }
        leaseGuard.disarm()
        holdsLock = false
        stoppedState = "stopped"
        lastRole = "demoted"
    }
}
