// Expression: a value expression (PostgreSQL's a_expr) as parsed, before any name resolution or
// type checking. The analyzer resolves columns, functions and operators, and infers types.
//
// Invariants: `position` is the 1-based character offset of the token PostgreSQL reports for an
// error in this expression (the operator for a binary expression, the name for a column or a
// function, the literal's first character); `AND`/`OR` chains are kept as nested binary nodes in
// source order (left-associative); parentheses leave no node of their own.

public struct Expression: Sendable, Equatable {
    public var kind: Kind
    public var position: Int

    public init(_ kind: Kind, position: Int) {
        self.kind = kind
        self.position = position
    }

    public indirect enum Kind: Sendable, Equatable {
        case literal(Literal)
        /// `a`, `t.a`, `s.t.a`
        case column(ColumnReference)
        /// `$1` (1-based)
        case parameter(Int)
        /// `DEFAULT` inside INSERT ... VALUES or UPDATE ... SET (valid only there).
        case defaultValue
        case unary(UnaryOperator, Expression)
        case binary(BinaryOperator, Expression, Expression)
        /// `x IS NULL` / `x IS NOT NULL`
        case isNull(Expression, negated: Bool)
        /// `x IS [NOT] TRUE|FALSE|UNKNOWN` (value nil for UNKNOWN)
        case isBoolean(Expression, value: Bool?, negated: Bool)
        /// `x IS [NOT] DISTINCT FROM y`
        case isDistinctFrom(Expression, Expression, negated: Bool)
        case like(LikeExpression)
        case between(BetweenExpression)
        /// `x [NOT] IN (a, b, c)`
        case inList(Expression, [Expression], negated: Bool)
        /// `x [NOT] IN (SELECT ...)`
        case inSubquery(Expression, Query, negated: Bool)
        /// `x op ANY|SOME|ALL (array expression or subquery)`
        case quantified(QuantifiedComparison)
        /// `x::type`, `CAST(x AS type)`, and typed literals such as `date '2024-01-01'`.
        case cast(Expression, TypeName)
        /// `x COLLATE pg_catalog.default`
        case collate(Expression, QualifiedName)
        case function(FunctionCall)
        /// CURRENT_TIMESTAMP, CURRENT_USER, ... (SQL keywords written without parentheses)
        case sqlValueFunction(SQLValueFunction)
        case caseWhen(CaseExpression)
        /// `EXISTS (SELECT ...)`
        case exists(Query)
        /// `(SELECT ...)` used as a value (at most one row, one column).
        case subquery(Query)
        /// `ARRAY[a, b]` (also nested `ARRAY[[1,2],[3,4]]`, whose elements are arrays)
        case array([Expression])
        /// `ARRAY(SELECT ...)`
        case arraySubquery(Query)
        /// `a[i]` or a slice `a[i:j]` (upper nil for a plain subscript)
        case arraySubscript(Expression, lower: Expression, upper: Expression?)
        /// `ROW(a, b)` or `(a, b)`
        case row([Expression])
    }
}

public enum Literal: Sendable, Equatable {
    /// An integer constant that fits in Int64 (int4 if it fits in 32 bits, else int8).
    case integer(Int64)
    /// A constant with a decimal point or exponent, or an integer too big for Int64 (numeric),
    /// exactly as written, e.g. "1.50", "1e10".
    case numeric(String)
    /// A string constant ('...', E'...', $$...$$), escapes already processed; its type is
    /// "unknown" until context decides.
    case string(String)
    case boolean(Bool)
    case null
}

/// A column reference; `qualifiers` are the names before the column: [] or [table] or
/// [schema, table].
public struct ColumnReference: Sendable, Equatable {
    public var qualifiers: [String]
    public var name: String

    public init(qualifiers: [String] = [], _ name: String) {
        self.qualifiers = qualifiers
        self.name = name
    }
}

public enum UnaryOperator: String, Sendable, Equatable {
    case not = "NOT"
    case minus = "-"
    case plus = "+"
    case bitwiseNot = "~"
}

/// Binary operators by their PostgreSQL spelling. `!=` is parsed as `<>`, and
/// `OPERATOR(pg_catalog.~)` as `~`.
public enum BinaryOperator: String, Sendable, Equatable {
    case or = "OR"
    case and = "AND"
    case equal = "="
    case notEqual = "<>"
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
    case plus = "+"
    case minus = "-"
    case multiply = "*"
    case divide = "/"
    case modulo = "%"
    case power = "^"
    case concatenate = "||"
    case regexMatch = "~"
    case regexNotMatch = "!~"
    case regexMatchCaseInsensitive = "~*"
    case regexNotMatchCaseInsensitive = "!~*"
    case bitwiseAnd = "&"
    case bitwiseOr = "|"
    case shiftLeft = "<<"
    case shiftRight = ">>"
    case arrayContains = "@>"
    case arrayContainedBy = "<@"
    case arrayOverlap = "&&"
}
