// The compound parts of an Expression that are too large for an enum payload: function calls,
// CASE, LIKE, BETWEEN, ANY/ALL comparisons, and the SQL-keyword value functions.

/// `name(args)`, `schema.name(args)`, `count(*)`, `count(DISTINCT x)`.
public struct FunctionCall: Sendable, Equatable {
    public var name: QualifiedName
    public var arguments: [Expression]
    /// `count(*)`: no arguments, star true.
    public var star: Bool
    /// `count(DISTINCT x)`
    public var distinct: Bool
    /// `string_agg(x, ',' ORDER BY y)`
    public var orderBy: [OrderByItem]

    public init(name: QualifiedName, arguments: [Expression], star: Bool = false, distinct: Bool = false,
                orderBy: [OrderByItem] = []) {
        self.name = name
        self.arguments = arguments
        self.star = star
        self.distinct = distinct
        self.orderBy = orderBy
    }
}

/// `CASE [operand] WHEN a THEN b ... [ELSE c] END`; operand nil for the searched form.
public struct CaseExpression: Sendable, Equatable {
    public struct When: Sendable, Equatable {
        public var condition: Expression
        public var result: Expression
        public init(condition: Expression, result: Expression) {
            self.condition = condition
            self.result = result
        }
    }
    public var operand: Expression?
    public var whens: [When]
    public var elseResult: Expression?

    public init(operand: Expression?, whens: [When], elseResult: Expression?) {
        self.operand = operand
        self.whens = whens
        self.elseResult = elseResult
    }
}

/// `x [NOT] LIKE|ILIKE pattern [ESCAPE e]`
public struct LikeExpression: Sendable, Equatable {
    public var value: Expression
    public var pattern: Expression
    public var escape: Expression?
    public var caseInsensitive: Bool
    public var negated: Bool

    public init(value: Expression, pattern: Expression, escape: Expression?, caseInsensitive: Bool, negated: Bool) {
        self.value = value
        self.pattern = pattern
        self.escape = escape
        self.caseInsensitive = caseInsensitive
        self.negated = negated
    }
}

/// `x [NOT] BETWEEN [SYMMETRIC] low AND high`
public struct BetweenExpression: Sendable, Equatable {
    public var value: Expression
    public var low: Expression
    public var high: Expression
    public var symmetric: Bool
    public var negated: Bool

    public init(value: Expression, low: Expression, high: Expression, symmetric: Bool, negated: Bool) {
        self.value = value
        self.low = low
        self.high = high
        self.symmetric = symmetric
        self.negated = negated
    }
}

/// `x op ANY (array)`, `x op ALL (SELECT ...)`; SOME is parsed as ANY.
public struct QuantifiedComparison: Sendable, Equatable {
    public enum Quantifier: String, Sendable, Equatable { case any = "ANY", all = "ALL" }
    public enum Operand: Sendable, Equatable {
        case array(Expression)
        case subquery(Query)
    }
    public var left: Expression
    public var op: BinaryOperator
    public var quantifier: Quantifier
    public var right: Operand

    public init(left: Expression, op: BinaryOperator, quantifier: Quantifier, right: Operand) {
        self.left = left
        self.op = op
        self.quantifier = quantifier
        self.right = right
    }
}

/// SQL functions spelled as keywords without parentheses (PostgreSQL's SQLValueFunction). The raw
/// value is the output column name PostgreSQL gives them.
public enum SQLValueFunction: String, Sendable, Equatable {
    case currentDate = "current_date"
    case currentTime = "current_time"
    case currentTimestamp = "current_timestamp"
    case localTime = "localtime"
    case localTimestamp = "localtimestamp"
    case currentRole = "current_role"
    case currentUser = "current_user"
    case sessionUser = "session_user"
    case user = "user"
    case currentCatalog = "current_catalog"
    case currentSchema = "current_schema"
}
