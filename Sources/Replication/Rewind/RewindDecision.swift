// RewindDecision: does a stopped server need a rewind to follow a source, and from where — the
// comparison pg_rewind makes first (and Patroni's _check_timeline_and_lsn), as a pure function.
//
//   source history (its 0000000S.history):   1  0/3000158       timeline 1 ended at 0/3000158
//   target: timeline 1, WAL ends at 0/30001D0
//   → the target wrote past the fork point 0/3000158: rewind from there.
//
//   same timeline                              → no rewind: nothing forked
//   target's timeline not in source history    → impossible: no common ancestor
//   target's WAL ends at or before the fork    → no rewind: it can stream from the source as it is
//   target's WAL goes past the fork            → rewind (the fork is the first byte not shared)

import WAL

public enum RewindDecision: Sendable, Equatable {
    case notNeeded(reason: String)
    case needed(fork: LSN)
    case impossible(reason: String)

    /// `targetEndOfWAL` is where the target's valid WAL on `targetTimeline` ends.
    public static func decide(targetTimeline: TimelineID, targetEndOfWAL: LSN, sourceTimeline: TimelineID,
                              sourceHistory: TimelineHistory) -> RewindDecision {
        if sourceTimeline == targetTimeline {
            return .notNeeded(reason: "source and target cluster are on the same timeline")
        }
        guard sourceHistory.timeline == sourceTimeline, let fork = sourceHistory.switchPoint(ending: targetTimeline) else {
            return .impossible(reason: "could not find common ancestor of the source and target cluster's timelines"
                               + " (target timeline \(targetTimeline.value) is not in the history of source timeline \(sourceTimeline.value))")
        }
        guard targetEndOfWAL > fork else {
            return .notNeeded(reason: "target's WAL ends at \(targetEndOfWAL), not past the fork point \(fork) on timeline \(targetTimeline.value)")
        }
        return .needed(fork: fork)
    }
}
