// Which backend the primary listener routes to. The agents' `/primary` answers are cross-checked: the
// listener routes only when exactly ONE backend is UP for the primary role. Two or more (a split-brain
// window: an old leader that has not yet demoted itself and a new one that has promoted) means the
// proxy cannot tell the right one from the wrong one, so it routes new sessions to neither — a refused
// connection is recoverable, a write acknowledged by the wrong primary is lost at its next rewind.

public enum PrimaryElection: Sendable, Equatable {
    /// Exactly one backend says it is the primary: its index.
    case routeTo(Int)
    /// No backend is UP for the primary role.
    case noPrimary
    /// Several backends say they are the primary (their indexes); route to none.
    case splitBrain([Int])

    public init(upBackends: [Int]) {
        switch upBackends.count {
        case 0: self = .noPrimary
        case 1: self = .routeTo(upBackends[0])
        default: self = .splitBrain(upBackends)
        }
    }

    public var target: Int? {
        if case .routeTo(let index) = self { return index }
        return nil
    }
}
