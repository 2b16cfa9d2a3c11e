// ResourceManagerID: which subsystem a WAL record belongs to (heap, B-tree, transaction, ...).
//
// The WAL stores it in every record header and never interprets it; recovery dispatches each
// record to the redo routine of its resource manager. The constants are defined by Storage, in
// an extension, so that the WAL knows nothing about the records' contents.

public struct ResourceManagerID: Hashable, Sendable, RawRepresentable, CustomStringConvertible {
    public var rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    public var description: String { String(rawValue) }
}
