// Names in the syntax tree: plain identifiers with their source position, possibly
// schema-qualified names, and the `AS alias (col, ...)` of a FROM item.
//
// Invariants: unquoted identifiers are already folded to lower case by the lexer, quoted ones keep
// their case; every position is a 1-based character offset into the whole query string (the
// PostgreSQL "P" field), so errors about a name can point at it.

/// A single name as written, e.g. a column in `INSERT INTO t (a, b)`.
public struct Identifier: Sendable, Equatable, Hashable {
    public var name: String
    public var position: Int

    public init(_ name: String, position: Int) {
        self.name = name
        self.position = position
    }
}

/// `name` or `schema.name` (a relation, function, type or operator name).
public struct QualifiedName: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var schema: String?
    public var name: String
    public var position: Int

    public init(schema: String? = nil, _ name: String, position: Int) {
        self.schema = schema
        self.name = name
        self.position = position
    }

    public var description: String { schema.map { "\($0).\(name)" } ?? name }
}

/// `AS o(n)` after a FROM item: the new name and, optionally, new column names.
public struct Alias: Sendable, Equatable {
    public var name: String
    public var columns: [String]

    public init(_ name: String, columns: [String] = []) {
        self.name = name
        self.columns = columns
    }
}
