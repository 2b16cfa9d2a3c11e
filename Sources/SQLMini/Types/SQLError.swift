// SQLError: the one error type of SQLMini. It carries exactly the fields of PostgreSQL's
// ErrorResponse (severity, SQLSTATE, message, detail, hint, position, context) so that Server can turn it
// into a wire message without interpretation. Notices use the same type (SQLNotice).
//
// SQLSTATE codes are PostgreSQL's (Appendix A, "PostgreSQL Error Codes"); they live here as named
// static members so that no other file writes a bare "42P01".

public struct SQLError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable, Equatable {
        case error = "ERROR", fatal = "FATAL", panic = "PANIC"
        case warning = "WARNING", notice = "NOTICE", info = "INFO", log = "LOG", debug = "DEBUG"
    }

    public var severity: Severity
    public var sqlState: String
    public var message: String
    public var detail: String?
    public var hint: String?
    /// 1-based character offset in the query text (PostgreSQL's "P" field).
    public var position: Int?
    /// Where it happened, e.g. `COPY t, line 3` (PostgreSQL's "W" field, psql's CONTEXT line).
    public var context: String?

    public init(_ sqlState: String, _ message: String, detail: String? = nil, hint: String? = nil,
                position: Int? = nil, severity: Severity = .error) {
        self.severity = severity
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.hint = hint
        self.position = position
    }

    public var description: String { "\(severity.rawValue): \(message) (SQLSTATE \(sqlState))" }
}

/// A notice or warning sent to the client (severity .notice/.warning, usually SQLSTATE 00000).
public typealias SQLNotice = SQLError

extension SQLError {
    // Class 00 — successful completion (used by notices)
    public static let successfulCompletion = "00000"
    public static let warning = "01000"
    // Class 08 — connection exception
    public static let protocolViolation = "08P01"
    // Class 0A — feature not supported
    public static let featureNotSupported = "0A000"
    // Class 21 — cardinality violation
    public static let cardinalityViolation = "21000"
    // Class 22 — data exception
    public static let dataException = "22000"
    public static let stringDataRightTruncation = "22001"
    public static let numericValueOutOfRange = "22003"
    public static let nullValueNotAllowed = "22004"
    public static let invalidDatetimeFormat = "22007"
    public static let datetimeFieldOverflow = "22008"
    public static let invalidTimeZoneDisplacementValue = "22009"
    public static let divisionByZero = "22012"
    public static let intervalFieldOverflow = "22015"
    public static let invalidEscapeSequence = "22025"
    public static let invalidParameterValue = "22023"
    public static let invalidRegularExpression = "2201B"
    public static let substringError = "22011"
    public static let invalidArgumentForPowerFunction = "2201F"
    public static let invalidArgumentForLogarithm = "2201E"
    public static let arraySubscriptError = "2202E"
    public static let invalidTextRepresentation = "22P02"
    public static let invalidBinaryRepresentation = "22P03"
    public static let characterNotInRepertoire = "22021"
    // Class 23 — integrity constraint violation
    public static let notNullViolation = "23502"
    public static let foreignKeyViolation = "23503"
    public static let uniqueViolation = "23505"
    public static let checkViolation = "23514"
    // Class 25 — invalid transaction state
    public static let activeSQLTransaction = "25001"
    public static let noActiveSQLTransaction = "25P01"
    public static let inFailedSQLTransaction = "25P02"
    public static let readOnlySQLTransaction = "25006"
    // Class 26/28/34 — statement name, authorization, cursor
    public static let invalidSQLStatementName = "26000"
    public static let invalidAuthorizationSpecification = "28000"
    public static let invalidPassword = "28P01"
    public static let invalidCursorName = "34000"
    // Class 3B — savepoint exception
    public static let invalidSavepointSpecification = "3B001"
    // Class 3D — invalid catalog name
    public static let invalidCatalogName = "3D000"
    // Class 3F — invalid schema name
    public static let invalidSchemaName = "3F000"
    // Class 40 — transaction rollback
    public static let serializationFailure = "40001"
    public static let deadlockDetected = "40P01"
    // Class 42 — syntax error or access rule violation
    public static let syntaxError = "42601"
    public static let insufficientPrivilege = "42501"
    public static let undefinedColumn = "42703"
    public static let undefinedFunction = "42883"
    public static let undefinedTable = "42P01"
    public static let undefinedParameter = "42P02"
    public static let undefinedObject = "42704"
    public static let duplicateColumn = "42701"
    public static let duplicateDatabase = "42P04"
    public static let duplicateObject = "42710"
    public static let reservedName = "42939"
    public static let duplicateTable = "42P07"
    public static let duplicateSchema = "42P06"
    public static let ambiguousColumn = "42702"
    public static let ambiguousFunction = "42725"
    public static let groupingError = "42803"
    public static let datatypeMismatch = "42804"
    public static let wrongObjectType = "42809"
    public static let cannotCoerce = "42846"
    public static let invalidColumnReference = "42P10"
    public static let invalidTableDefinition = "42P16"
    public static let indeterminateDatatype = "42P18"
    public static let invalidName = "42602"
    public static let nameTooLong = "42622"
    // Class 53 — insufficient resources
    public static let tooManyConnections = "53300"
    public static let insufficientResources = "53000"
    public static let outOfMemory = "53200"
    // Class 54 — program limit exceeded
    public static let programLimitExceeded = "54000"
    public static let tooManyColumns = "54011"
    // Class 55 — object not in prerequisite state
    public static let objectNotInPrerequisiteState = "55000"
    public static let objectInUse = "55006"
    public static let cantChangeRuntimeParam = "55P02"
    public static let lockNotAvailable = "55P03"
    // Class 57 — operator intervention
    public static let queryCanceled = "57014"
    public static let adminShutdown = "57P01"
    public static let crashShutdown = "57P02"
    public static let cannotConnectNow = "57P03"
    // Class 58 — system error
    public static let ioError = "58030"
    // Class XX — internal error
    public static let internalError = "XX000"
    public static let dataCorrupted = "XX001"
}
