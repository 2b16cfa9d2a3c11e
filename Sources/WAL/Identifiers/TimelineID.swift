// TimelineID: which history of the database a WAL position belongs to.
//
// initdb starts timeline 1; each promotion of a standby starts the next one at the switch point
// (recorded in a `0000000N.history` file). Segment file names begin with the timeline.

public struct TimelineID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var value: UInt32

    public init(_ value: UInt32) {
        self.value = value
    }

    /// The timeline initdb creates.
    public static let first = TimelineID(1)

    public var next: TimelineID { TimelineID(value + 1) }

    public var description: String { String(value) }

    public static func < (lhs: TimelineID, rhs: TimelineID) -> Bool {
        lhs.value < rhs.value
    }
}
