// HAProxy's inter/fall/rise semantics, fed result by result: the first check decides, `fall`
// consecutive failures from full health mark DOWN, `rise` consecutive successes mark UP, a failure
// while going up starts over, a success while going down steps back; inter applies while UP, fastinter
// while in transition, downinter while DOWN. A connection refused (the agent is dead) marks DOWN at once
// unless `refusedMarksDown` is off.
import Testing
@testable import Proxy

@Suite struct CheckStateMachineTests {
    let settings = CheckSettings(interval: .seconds(3), fastInterval: .seconds(1), fall: 3, rise: 2, timeout: .seconds(2),
                                 downInterval: .seconds(2))

    @Test func theFirstCheckDecidesTheInitialState() {
        var passing = CheckStateMachine(settings: settings)
        #expect(passing.stateText == "unknown")
        #expect(passing.nextCheckDelay == .seconds(1))
        #expect(passing.record(.passed) == .markedUp)
        #expect(passing.stateText == "UP")
        #expect(passing.nextCheckDelay == .seconds(3))

        var failing = CheckStateMachine(settings: settings)
        #expect(failing.record(.httpStatus(503)) == .markedDown)
        #expect(failing.stateText == "DOWN")
        #expect(failing.nextCheckDelay == .seconds(2))     // downinter
    }

    @Test func fallConsecutiveFailuresMarkDownAndEachStepIsShown() {
        var machine = CheckStateMachine(settings: settings)
        _ = machine.record(.passed)
        #expect(machine.record(.timeout) == nil)
        #expect(machine.stateText == "UP 1/3")
        #expect(machine.nextCheckDelay == .seconds(1))     // fastinter while going down
        #expect(machine.record(.failed("connection reset by peer")) == nil)
        #expect(machine.stateText == "UP 2/3")
        #expect(machine.record(.httpStatus(503)) == .markedDown)
        #expect(machine.stateText == "DOWN")
        #expect(machine.lastResult == .httpStatus(503))
        #expect(machine.record(.httpStatus(503)) == nil)   // already down: no second transition
    }

    @Test func aSuccessWhileGoingDownStepsBackUpOneStep() {
        var machine = CheckStateMachine(settings: settings)
        _ = machine.record(.passed)
        _ = machine.record(.timeout)
        _ = machine.record(.timeout)
        #expect(machine.stateText == "UP 2/3")
        #expect(machine.record(.passed) == nil)
        #expect(machine.stateText == "UP 1/3")             // HAProxy's health counter, not a reset
        #expect(machine.record(.timeout) == nil)
        #expect(machine.record(.timeout) == .markedDown)
    }

    @Test func riseConsecutiveSuccessesMarkUpAndAFailureStartsOver() {
        var machine = CheckStateMachine(settings: settings)
        _ = machine.record(.httpStatus(503))
        #expect(machine.record(.passed) == nil)
        #expect(machine.stateText == "DOWN 1/2")
        #expect(machine.nextCheckDelay == .seconds(1))     // fastinter while going up
        #expect(machine.record(.httpStatus(503)) == nil)
        #expect(machine.stateText == "DOWN")
        #expect(machine.nextCheckDelay == .seconds(2))
        #expect(machine.record(.passed) == nil)
        #expect(machine.record(.passed) == .markedUp)
        #expect(machine.stateText == "UP")
        #expect(machine.isUp)
    }

    @Test func fallAndRiseOfOneFlipOnEveryResult() {
        var machine = CheckStateMachine(settings: CheckSettings(interval: .seconds(1), fastInterval: .seconds(1),
                                                                fall: 1, rise: 1, timeout: .seconds(1)))
        #expect(machine.record(.passed) == .markedUp)
        #expect(machine.record(.failed("reset")) == .markedDown)
        #expect(machine.record(.passed) == .markedUp)
        #expect(!machine.isInTransition)
    }

    @Test func aConnectionRefusedMarksDownAtOnce() {
        var machine = CheckStateMachine(settings: settings)
        _ = machine.record(.passed)
        #expect(machine.record(.connectionRefused) == .markedDown)
        #expect(machine.stateText == "DOWN")
        #expect(machine.lastResultText == "connection refused (marked down at once)")
        #expect(machine.record(.connectionRefused) == nil)  // already down: no second transition
        #expect(machine.lastResultText == "connection refused")

        var goingDown = CheckStateMachine(settings: settings)
        _ = goingDown.record(.passed)
        _ = goingDown.record(.timeout)
        #expect(goingDown.stateText == "UP 1/3")
        #expect(goingDown.record(.connectionRefused) == .markedDown)
    }

    @Test func aTimeoutOrA503StillNeedsFall() {
        for failure in [CheckResult.timeout, .httpStatus(503)] {
            var machine = CheckStateMachine(settings: settings)
            _ = machine.record(.passed)
            #expect(machine.record(failure) == nil)
            #expect(machine.record(failure) == nil)
            #expect(machine.record(failure) == .markedDown)
            #expect(machine.lastResultText == failure.description)
        }
    }

    @Test func withRefusedMarksDownOffARefusalCountsTowardsFall() {
        var off = settings
        off.refusedMarksDown = false
        var machine = CheckStateMachine(settings: off)
        _ = machine.record(.passed)
        #expect(machine.record(.connectionRefused) == nil)
        #expect(machine.stateText == "UP 1/3")
        #expect(machine.record(.connectionRefused) == nil)
        #expect(machine.record(.connectionRefused) == .markedDown)
        #expect(machine.lastResultText == "connection refused")
    }

    @Test func resultsReadAsTheStatsPageShowsThem() {
        #expect(CheckResult.passed.description == "HTTP 200")
        #expect(CheckResult.httpStatus(503).description == "HTTP 503")
        #expect(CheckResult.timeout.description == "timeout")
        #expect(CheckResult.connectionRefused.description == "connection refused")
    }
}
