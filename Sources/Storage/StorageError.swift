// Storage: the errors Storage reports. SQLMini maps `kind` to a SQLSTATE (lockTimeout 55P03,
// deadlock 40P01, cancelled 57014, corruptPage XX001, io 58030, rowTooBig 54000,
// sequenceLimit 2200H, noFreeBuffers 53000).
#if canImport(Glibc)
import Glibc
#endif
import WAL

public struct StorageError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case lockTimeout
        case deadlock
        case cancelled
        /// A page whose checksum (or header) does not verify: never used.
        case corruptPage(file: String, page: PageNumber)
        case io
        /// A tuple larger than what fits on one page (no TOAST yet).
        case rowTooBig
        /// nextval passed the sequence's bound.
        case sequenceLimit
        /// Every buffer is pinned: shared_buffers is too small for the concurrent work.
        case noFreeBuffers
        /// The data directory is not in a state this operation accepts.
        case invalidState
    }
    public var kind: Kind
    public var message: String
    /// For `.deadlock`: the cycle of waits, each transaction waiting for the next, the first
    /// (the one that got the error) repeated at the end.
    public var waitCycle: [TransactionID] = []
    public init(_ kind: Kind, _ message: String) { self.kind = kind; self.message = message }
    public var description: String { message }

    static func io(_ what: String, path: String, errno code: Int32) -> StorageError {
        StorageError(.io, "could not \(what) file \"\(path)\": \(String(cString: strerror(code)))")
    }
}
