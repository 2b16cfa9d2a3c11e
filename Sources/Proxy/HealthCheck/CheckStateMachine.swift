// HAProxy's inter/fall/rise health state of one backend for one role, as a pure state machine: check
// results go in, "marked UP" / "marked DOWN" and the delay until the next check come out. It does no
// I/O and reads no clock, so the unit tests feed it sequences of results.
//
// The health counter (HAProxy's `check.health`) runs from 0 to rise + fall - 1:
//
//     0 ........ rise-1 | rise ........ rise+fall-1
//     DOWN               | UP
//     (n successes so    | (full health at the top; each failure takes one step down,
//      far going up)     |  each success one step back up)
//
//   DOWN: a success adds one; reaching `rise` marks the backend UP at full health. A failure resets to 0.
//   UP:   a failure above `rise` takes one step down ("UP, going down 1/3"); a failure at `rise` marks
//         the backend DOWN (so `fall` consecutive failures from full health). A success steps back up.
//
// Connection refused (`refusedMarksDown`, on by default): nothing listens on the agent's port, so the
// agent is dead, not slow — waiting out the rest of `fall` only keeps a dead backend UP (and, on the
// primary listener, blocks the new primary: two UP primaries route to none). Such a failure marks the
// backend DOWN at once from any health, as HAProxy's `observe layer4` + `on-error mark-down`. Timeouts,
// HTTP 503 and other failures keep the fall counting.
//
// Start: the backend's state is unknown and the FIRST result decides it outright (200 → UP at full
// health, anything else → DOWN at 0). The proxy is therefore usable after one round of checks at start
// instead of `rise` × `inter`; later transitions follow fall/rise.
//
// Check spacing (HAProxy's inter / fastinter / downinter): `inter` while UP at full health,
// `fastinter` while in transition (health in between), `downinter` while DOWN at 0. Defaults 3 s / 1 s /
// 1 s, so that a dying backend is confirmed quickly once it starts failing and a new primary is noticed
// quickly once it starts passing, while a healthy backend costs one check per 3 s. Resulting times with
// fall 3, rise 2, timeout 2 s:
//   - agent dead (connection refused): marked DOWN at the first check after death, 0–3 s (2–5 s with
//     refusedMarksDown off; HAProxy inter 3s fall 3: 6–9 s);
//   - agent hanging: each check waits the 2 s timeout, DOWN 6–9 s after it stops answering;
//   - new primary: marked UP 1–2 s after its agent starts answering 200 (HAProxy inter 3s rise 2: 3–6 s).

public struct CheckSettings: Sendable, Equatable {
    /// Time between checks while the state is settled (HAProxy `inter`).
    public var interval: Duration
    /// Time between checks while the state is changing (HAProxy `fastinter`).
    public var fastInterval: Duration
    /// Time between checks while DOWN with no success yet (HAProxy `downinter`).
    public var downInterval: Duration
    /// Consecutive failures that take a backend from full health to DOWN (HAProxy `fall`).
    public var fall: Int
    /// Consecutive successes that take a backend from DOWN to UP (HAProxy `rise`).
    public var rise: Int
    /// A check without a complete answer within this time is a failure ("timeout").
    public var timeout: Duration
    /// A connection refused marks the backend DOWN at once instead of counting towards `fall`.
    public var refusedMarksDown: Bool

    public static let defaults = CheckSettings(interval: .seconds(3), fastInterval: .seconds(1),
                                               fall: 3, rise: 2, timeout: .seconds(2))

    /// `downInterval` defaults to `fastInterval`.
    public init(interval: Duration, fastInterval: Duration, fall: Int, rise: Int, timeout: Duration,
                downInterval: Duration? = nil, refusedMarksDown: Bool = true) {
        self.interval = interval
        self.fastInterval = fastInterval
        self.downInterval = downInterval ?? fastInterval
        self.fall = fall
        self.rise = rise
        self.timeout = timeout
        self.refusedMarksDown = refusedMarksDown
    }
}

public struct CheckStateMachine: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        /// No check has answered yet.
        case unknown
        case up
        case down
    }

    /// What the caller must do after a result.
    public enum Transition: Sendable, Equatable {
        case markedUp
        case markedDown
    }

    public let settings: CheckSettings
    public private(set) var state: State = .unknown
    /// HAProxy's health counter, 0 ... rise + fall - 1 (see the header).
    public private(set) var health = 0
    public private(set) var lastResult: CheckResult?
    /// The last result as the stats page and the log show it: its text, plus "(marked down at once)"
    /// when it was a connection refused that skipped the rest of `fall`.
    public private(set) var lastResultText: String?

    private var fullHealth: Int { settings.rise + settings.fall - 1 }

    public init(settings: CheckSettings) {
        precondition(settings.rise >= 1 && settings.fall >= 1, "rise and fall must be at least 1")
        self.settings = settings
    }

    public var isUp: Bool { state == .up }

    /// True while health is between the settled ends: UP but failing, or DOWN but passing.
    public var isInTransition: Bool {
        switch state {
        case .unknown: return false
        case .up: return health < fullHealth
        case .down: return health > 0
        }
    }

    /// How long to wait before the next check.
    public var nextCheckDelay: Duration {
        switch state {
        case .unknown: return settings.fastInterval
        case .up: return isInTransition ? settings.fastInterval : settings.interval
        case .down: return isInTransition ? settings.fastInterval : settings.downInterval
        }
    }

    /// HAProxy's "n/m" progress: failures so far out of `fall` while UP, successes so far out of `rise`
    /// while DOWN. Nil when settled.
    public var transitionProgress: (done: Int, needed: Int)? {
        guard isInTransition else { return nil }
        switch state {
        case .unknown: return nil
        case .up: return (fullHealth - health, settings.fall)
        case .down: return (health, settings.rise)
        }
    }

    /// "UP", "DOWN", "UP 1/3" (going down), "DOWN 1/2" (going up), "unknown" — as HAProxy's stats page.
    public var stateText: String {
        let name: String
        switch state {
        case .unknown: return "unknown"
        case .up: name = "UP"
        case .down: name = "DOWN"
        }
        guard let progress = transitionProgress else { return name }
        return "\(name) \(progress.done)/\(progress.needed)"
    }

    /// Feeds one check result; returns the state change it causes, if any.
    public mutating func record(_ result: CheckResult) -> Transition? {
        lastResult = result
        lastResultText = result.description
        if result == .connectionRefused, settings.refusedMarksDown, state == .up {
            lastResultText = "\(result) (marked down at once)"
            state = .down
            health = 0
            return .markedDown
        }
        switch (state, result.isSuccess) {
        case (.unknown, true):
            state = .up
            health = fullHealth
            return .markedUp
        case (.unknown, false):
            state = .down
            health = 0
            return .markedDown
        case (.up, true):
            health = min(health + 1, fullHealth)
            return nil
        case (.up, false):
            if health > settings.rise {
                health -= 1
                return nil
            }
            state = .down
            health = 0
            return .markedDown
        case (.down, true):
            health += 1
            guard health >= settings.rise else { return nil }
            state = .up
            health = fullHealth
            return .markedUp
        case (.down, false):
            health = 0
            return nil
        }
    }
}
