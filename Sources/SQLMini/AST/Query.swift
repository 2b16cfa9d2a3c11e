// Query: a SELECT, VALUES or set operation (UNION/INTERSECT/EXCEPT) with its ORDER BY, LIMIT,
// OFFSET and FOR UPDATE (PostgreSQL's SelectStmt), plus the FROM-clause items it reads.
//
// Invariants: ORDER BY/LIMIT/OFFSET written after a set operation belong to the outer Query, not
// to its last branch (`SELECT a UNION SELECT b ORDER BY 1` sorts the union); a parenthesised
// branch keeps its own. Comma-separated FROM items stay separate entries of `from` (a cross join);
// explicit JOINs nest left-deep, so `a, b LEFT JOIN c ON ...` joins c to b only.

public struct Query: Sendable, Equatable {
    public var body: QueryBody
    public var orderBy: [OrderByItem]
    public var limit: Expression?       // nil: no LIMIT (LIMIT ALL also gives nil)
    public var offset: Expression?
    public var locking: RowLockingClause?
    public var position: Int

    public init(body: QueryBody, orderBy: [OrderByItem] = [], limit: Expression? = nil, offset: Expression? = nil,
                locking: RowLockingClause? = nil, position: Int) {
        self.body = body
        self.orderBy = orderBy
        self.limit = limit
        self.offset = offset
        self.locking = locking
        self.position = position
    }
}

public indirect enum QueryBody: Sendable, Equatable {
    case select(SelectCore)
    /// `VALUES (1, 'a'), (2, 'b')`
    case values([[Expression]])
    case setOperation(SetOperation)
}

public struct SetOperation: Sendable, Equatable {
    public enum Operator: String, Sendable, Equatable { case union = "UNION", intersect = "INTERSECT", except = "EXCEPT" }
    public var op: Operator
    /// UNION ALL keeps duplicates.
    public var all: Bool
    public var left: Query
    public var right: Query

    public init(op: Operator, all: Bool, left: Query, right: Query) {
        self.op = op
        self.all = all
        self.left = left
        self.right = right
    }
}

/// One SELECT ... FROM ... WHERE ... GROUP BY ... HAVING ... block.
public struct SelectCore: Sendable, Equatable {
    public enum Distinct: Sendable, Equatable {
        case all                      // default (or SELECT ALL)
        case distinct                 // SELECT DISTINCT
        case distinctOn([Expression]) // SELECT DISTINCT ON (a, b)
    }
    public var distinct: Distinct
    public var targets: [SelectItem]
    public var from: [TableReference]
    public var whereClause: Expression?
    public var groupBy: [Expression]
    public var having: Expression?

    public init(distinct: Distinct = .all, targets: [SelectItem], from: [TableReference] = [],
                whereClause: Expression? = nil, groupBy: [Expression] = [], having: Expression? = nil) {
        self.distinct = distinct
        self.targets = targets
        self.from = from
        self.whereClause = whereClause
        self.groupBy = groupBy
        self.having = having
    }
}

/// An entry of a select list (or RETURNING list).
public enum SelectItem: Sendable, Equatable {
    /// `*` (qualifiers empty) or `t.*` / `s.t.*`
    case wildcard(qualifiers: [String], position: Int)
    /// `expr [[AS] alias]`
    case expression(Expression, alias: String?)
}

public struct OrderByItem: Sendable, Equatable {
    public var expression: Expression
    public var descending: Bool
    /// nil: PostgreSQL's default (NULLS LAST for ASC, NULLS FIRST for DESC).
    public var nullsFirst: Bool?

    public init(expression: Expression, descending: Bool = false, nullsFirst: Bool? = nil) {
        self.expression = expression
        self.descending = descending
        self.nullsFirst = nullsFirst
    }
}

/// `FOR UPDATE` / `FOR SHARE` [OF t] [NOWAIT | SKIP LOCKED]
public struct RowLockingClause: Sendable, Equatable {
    public enum Strength: String, Sendable, Equatable {
        case update = "UPDATE", noKeyUpdate = "NO KEY UPDATE", share = "SHARE", keyShare = "KEY SHARE"
    }
    public enum WaitPolicy: Sendable, Equatable { case wait, noWait, skipLocked }
    public var strength: Strength
    public var tables: [QualifiedName]
    public var waitPolicy: WaitPolicy

    public init(strength: Strength, tables: [QualifiedName] = [], waitPolicy: WaitPolicy = .wait) {
        self.strength = strength
        self.tables = tables
        self.waitPolicy = waitPolicy
    }
}

/// An item of a FROM clause.
public indirect enum TableReference: Sendable, Equatable {
    /// `schema.table [AS] alias`
    case relation(QualifiedName, alias: Alias?)
    /// `[LATERAL] (SELECT ...) [AS] alias(cols)`
    case subquery(Query, alias: Alias?, lateral: Bool, position: Int)
    /// `[LATERAL] generate_series(1, 10) [AS] alias(cols)`
    case function(FunctionCall, alias: Alias?, lateral: Bool, position: Int)
    case join(Join)
}

public struct Join: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case inner = "INNER", left = "LEFT", right = "RIGHT", full = "FULL", cross = "CROSS"
    }
    public enum Condition: Sendable, Equatable {
        case on(Expression)
        case using([Identifier])
        case natural
        /// CROSS JOIN
        case none
    }
    public var kind: Kind
    public var left: TableReference
    public var right: TableReference
    public var condition: Condition

    public init(kind: Kind, left: TableReference, right: TableReference, condition: Condition) {
        self.kind = kind
        self.left = left
        self.right = right
        self.condition = condition
    }
}
