// WALError: every failure of the WAL, with the file and byte offset it concerns when there is one.
//
// The description is a sentence in PostgreSQL's style, e.g.
// `could not write to file "pg_wal/000000010000000000000001" at offset 8192: No space left on device`.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct WALError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// A system call on a WAL file failed (errno in the message).
        case io
        /// Data that should be valid is not: a bad CRC, length or back-pointer.
        case corrupt
        /// The caller asked for something impossible (bad configuration, LSN out of range).
        case invalidArgument
        /// The writer was closed, or failed earlier and refuses further work.
        case unavailable
    }

    public var kind: Kind
    public var message: String
    /// The file concerned, if any (a path inside pg_wal/).
    public var file: String?
    /// The byte offset inside `file`, if any.
    public var offset: Int64?

    public init(_ kind: Kind, _ message: String, file: String? = nil, offset: Int64? = nil) {
        self.kind = kind
        self.message = message
        self.file = file
        self.offset = offset
    }

    public var description: String { message }

    /// `could not <action> file "<path>"[ at offset N]: <strerror(errno)>`, capturing errno now.
    static func system(_ action: String, file: String, offset: Int64? = nil,
                       errorNumber: Int32 = errno) -> WALError {
        let reason = String(cString: strerror(errorNumber))
        let at = offset.map { " at offset \($0)" } ?? ""
        return WALError(.io, "could not \(action) file \"\(file)\"\(at): \(reason)",
                        file: file, offset: offset)
    }
}
