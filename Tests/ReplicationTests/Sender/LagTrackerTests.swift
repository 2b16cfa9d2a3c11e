// LagTracker: lag is "report time − local flush time of the newest WAL position the report covers".
import Testing
@testable import Replication

@Suite struct LagTrackerTests {
    @Test func lagIsMeasuredFromTheFlushTimeOfTheReportedPosition() {
        var tracker = LagTracker()
        tracker.sent(upTo: 100, at: 1_000)
        tracker.sent(upTo: 200, at: 2_000)
        tracker.reported(write: 200, flush: 100, replay: 0, sent: 200, now: 2_500)
        #expect(tracker.lag == [500, 1_500, nil])
        // A report that covers no new sample keeps the previous lag.
        tracker.reported(write: 200, flush: 100, replay: 0, sent: 200, now: 9_000)
        #expect(tracker.lag == [500, 1_500, nil])
        tracker.reported(write: 200, flush: 200, replay: 200, sent: 200, now: 3_000)
        #expect(tracker.lag == [500, 1_000, 1_000])
    }

    @Test func lagIsForgottenAfterTwoFullyCaughtUpReports() {
        var tracker = LagTracker()
        tracker.sent(upTo: 100, at: 1_000)
        tracker.reported(write: 100, flush: 100, replay: 100, sent: 100, now: 1_200)
        #expect(tracker.lag == [200, 200, 200])
        tracker.reported(write: 100, flush: 100, replay: 100, sent: 100, now: 5_000)
        #expect(tracker.lag == [nil, nil, nil])
    }
}
