// PGError: an error or notice as the wire protocol carries it (ErrorResponse / NoticeResponse).
// The layer above turns its own errors into this; PGWire turns it into the message fields
// S (localized severity), V (severity), C (SQLSTATE), M, D, H, P, W and R.
// Invariant: `sqlState` is five characters, as PostgreSQL's SQLSTATE codes are.

public struct PGError: Error, Sendable, Equatable, CustomStringConvertible {
    /// PostgreSQL's severity words; ERROR, FATAL and PANIC for errors, the others for notices.
    public enum Severity: String, Sendable, Equatable {
        case error = "ERROR", fatal = "FATAL", panic = "PANIC"
        case warning = "WARNING", notice = "NOTICE", debug = "DEBUG", info = "INFO", log = "LOG"

        /// FATAL and PANIC end the connection after the message is sent.
        public var endsConnection: Bool { self == .fatal || self == .panic }
    }

    public var severity: Severity
    public var sqlState: String
    public var message: String
    public var detail: String?
    public var hint: String?
    /// 1-based character position in the query text (field P).
    public var position: Int?
    /// Where the error happened (field W, psql's CONTEXT), e.g. `COPY t, line 3`.
    public var context: String?
    /// The server routine that reported it (field R); optional.
    public var routine: String?

    public init(severity: Severity = .error, sqlState: String, message: String, detail: String? = nil,
                hint: String? = nil, position: Int? = nil, context: String? = nil, routine: String? = nil) {
        self.severity = severity
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.hint = hint
        self.position = position
        self.context = context
        self.routine = routine
    }

    public var description: String { "\(severity.rawValue): \(message) (SQLSTATE \(sqlState))" }
}

extension PGError {
    /// 08P01 protocol_violation, FATAL: the connection is closed after it.
    public static func protocolViolation(_ message: String) -> PGError {
        PGError(severity: .fatal, sqlState: "08P01", message: message)
    }
    /// 28P01 invalid_password, FATAL.
    public static func passwordAuthenticationFailed(user: String) -> PGError {
        PGError(severity: .fatal, sqlState: "28P01", message: "password authentication failed for user \"\(user)\"")
    }
    /// 53300 too_many_connections, FATAL.
    public static let tooManyConnections =
        PGError(severity: .fatal, sqlState: "53300", message: "sorry, too many clients already")
    /// 57P01 admin_shutdown, FATAL: sent to every session by a fast shutdown.
    public static let administratorShutdown =
        PGError(severity: .fatal, sqlState: "57P01", message: "terminating connection due to administrator command")
}
