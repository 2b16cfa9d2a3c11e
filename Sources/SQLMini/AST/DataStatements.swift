// INSERT, UPDATE and DELETE.
//
// Invariants: `table` is the target as written (resolution through search_path happens later);
// `returning` is empty when there is no RETURNING clause.

public struct InsertStatement: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        /// `VALUES (...), (...)`; rows may contain `.defaultValue`.
        case values([[Expression]])
        /// `SELECT ...` (or a VALUES with ORDER BY/LIMIT, or a set operation)
        case query(Query)
        /// `DEFAULT VALUES`
        case defaultValues
    }
    public var table: QualifiedName
    public var alias: String?
    /// Empty: all columns in table order.
    public var columns: [Identifier]
    public var source: Source
    public var returning: [SelectItem]

    public init(table: QualifiedName, alias: String? = nil, columns: [Identifier], source: Source,
                returning: [SelectItem] = []) {
        self.table = table
        self.alias = alias
        self.columns = columns
        self.source = source
        self.returning = returning
    }
}

/// `column = expression` in UPDATE ... SET.
public struct Assignment: Sendable, Equatable {
    public var column: Identifier
    public var value: Expression

    public init(column: Identifier, value: Expression) {
        self.column = column
        self.value = value
    }
}

public struct UpdateStatement: Sendable, Equatable {
    public var table: QualifiedName
    public var alias: String?
    public var assignments: [Assignment]
    public var from: [TableReference]
    public var whereClause: Expression?
    public var returning: [SelectItem]

    public init(table: QualifiedName, alias: String? = nil, assignments: [Assignment], from: [TableReference] = [],
                whereClause: Expression?, returning: [SelectItem] = []) {
        self.table = table
        self.alias = alias
        self.assignments = assignments
        self.from = from
        self.whereClause = whereClause
        self.returning = returning
    }
}

public struct DeleteStatement: Sendable, Equatable {
    public var table: QualifiedName
    public var alias: String?
    /// `DELETE FROM t USING a, b`
    public var using: [TableReference]
    public var whereClause: Expression?
    public var returning: [SelectItem]

    public init(table: QualifiedName, alias: String? = nil, using: [TableReference] = [], whereClause: Expression?,
                returning: [SelectItem] = []) {
        self.table = table
        self.alias = alias
        self.using = using
        self.whereClause = whereClause
        self.returning = returning
    }
}

/// `COPY t [(cols)] FROM STDIN | TO STDOUT [WITH] (options)`, `COPY (query) TO STDOUT`.
public struct CopyStatement: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        case table(QualifiedName, columns: [Identifier])
        case query(Query)
    }
    public enum Direction: Sendable, Equatable { case from, to }
    public enum Endpoint: Sendable, Equatable {
        case stdin, stdout
        /// A server-side file name (PostgreSQL allows it for superusers; the engine may refuse it).
        case file(String)
    }
    public enum Format: String, Sendable, Equatable { case text, csv, binary }

    public var source: Source
    public var direction: Direction
    public var endpoint: Endpoint
    public var format: Format
    public var freeze: Bool
    /// nil: the format's default (tab for text, comma for csv).
    public var delimiter: String?
    /// nil: the format's default (`\N` for text, empty for csv).
    public var null: String?
    public var header: Bool
    public var quote: String?
    public var escape: String?
    public var encoding: String?

    public init(source: Source, direction: Direction, endpoint: Endpoint, format: Format = .text,
                freeze: Bool = false, delimiter: String? = nil, null: String? = nil, header: Bool = false,
                quote: String? = nil, escape: String? = nil, encoding: String? = nil) {
        self.source = source
        self.direction = direction
        self.endpoint = endpoint
        self.format = format
        self.freeze = freeze
        self.delimiter = delimiter
        self.null = null
        self.header = header
        self.quote = quote
        self.escape = escape
        self.encoding = encoding
    }
}
