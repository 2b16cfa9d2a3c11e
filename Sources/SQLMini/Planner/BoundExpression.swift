// BoundExpression: an expression after name resolution and type checking, ready to evaluate.
// Column references are positions in the row the expression is evaluated against; operators,
// casts and functions are resolved to the code that computes them.
//
// Invariants: every node knows its result type; `.column(i)` indexes the input row of the plan
// node that owns the expression; `.outer(depth, i)` reads the row of an enclosing query level
// (depth 1 = the nearest), which the subquery's caller pushes before running it.

/// A function already resolved to its implementation; `context` gives access to the session and
/// storage for the few that need them (now(), nextval(), current_user, ...).
typealias ScalarImplementation = @Sendable (_ arguments: [Value], _ context: EvaluationContext) throws -> Value

indirect enum BoundExpression: @unchecked Sendable {
    case constant(Value, SQLType)
    case column(Int, SQLType)
    case outer(depth: Int, index: Int, SQLType)
    /// 0-based parameter index ($1 is 0).
    case parameter(Int, SQLType)
    /// An operator or function; `strict` calls return NULL for any NULL argument without running.
    case call(name: String, arguments: [BoundExpression], type: SQLType, strict: Bool, implementation: ScalarImplementation)
    case and([BoundExpression])
    case or([BoundExpression])
    case not(BoundExpression)
    case isNull(BoundExpression, negated: Bool)
    /// Searched CASE (a simple CASE is rewritten to comparisons).
    case caseWhen([(condition: BoundExpression, result: BoundExpression)], otherwise: BoundExpression?, SQLType)
    case coalesce([BoundExpression], SQLType)
    /// `x IN (a, b)`: equality implementations per element, SQL's three-valued result.
    case inList(BoundExpression, [(BoundExpression, ScalarImplementation)], negated: Bool)
    case subquery(SubqueryExpression)
    case array([BoundExpression], SQLType)

    var type: SQLType {
        switch self {
        case .constant(_, let t), .column(_, let t), .outer(_, _, let t), .parameter(_, let t): return t
        case .call(_, _, let t, _, _): return t
        case .and, .or, .not, .isNull, .inList: return .bool
        case .caseWhen(_, _, let t), .coalesce(_, let t), .array(_, let t): return t
        case .subquery(let s): return s.type
        }
    }

    /// The column this expression is, when it is a plain column reference.
    var columnIndex: Int? {
        if case .column(let i, _) = self { return i }
        return nil
    }

    /// True when the expression reads nothing from the current row or an enclosing row, so it
    /// can be computed once per execution (constants and parameters; an index scan key).
    var isRowIndependent: Bool {
        switch self {
        case .constant, .parameter: return true
        case .column, .outer, .subquery: return false
        case .call(let name, let args, _, _, _):
            return !EvaluationContext.volatileFunctions.contains(name) && args.allSatisfy(\.isRowIndependent)
        case .and(let items), .or(let items), .coalesce(let items, _), .array(let items, _): return items.allSatisfy(\.isRowIndependent)
        case .not(let e), .isNull(let e, _): return e.isRowIndependent
        case .caseWhen(let whens, let otherwise, _):
            return whens.allSatisfy { $0.condition.isRowIndependent && $0.result.isRowIndependent }
                && (otherwise?.isRowIndependent ?? true)
        case .inList(let e, let items, _): return e.isRowIndependent && items.allSatisfy { $0.0.isRowIndependent }
        }
    }

    /// True when the expression's value is fixed for one run of a scan: it reads no column of
    /// the current row (enclosing rows' columns are fixed while a correlated subquery runs), no
    /// subquery and no volatile function, so it can be an index scan key.
    var isConstantPerScan: Bool {
        switch self {
        case .constant, .outer, .parameter: return true
        case .column, .subquery: return false
        case .call(let name, let args, _, _, _):
            return !EvaluationContext.volatileFunctions.contains(name) && args.allSatisfy(\.isConstantPerScan)
        case .and(let items), .or(let items), .coalesce(let items, _), .array(let items, _):
            return items.allSatisfy(\.isConstantPerScan)
        case .not(let e), .isNull(let e, _): return e.isConstantPerScan
        case .caseWhen(let whens, let otherwise, _):
            return whens.allSatisfy { $0.condition.isConstantPerScan && $0.result.isConstantPerScan }
                && (otherwise?.isConstantPerScan ?? true)
        case .inList(let e, let items, _): return e.isConstantPerScan && items.allSatisfy { $0.0.isConstantPerScan }
        }
    }

    /// The plans of the subqueries in this expression (for EXPLAIN).
    var subqueryPlans: [PlanNode] {
        switch self {
        case .subquery(let s): return [s.plan] + (s.operand?.subqueryPlans ?? [])
        case .constant, .column, .outer, .parameter: return []
        case .call(_, let args, _, _, _): return args.flatMap(\.subqueryPlans)
        case .and(let items), .or(let items), .coalesce(let items, _), .array(let items, _): return items.flatMap(\.subqueryPlans)
        case .not(let e), .isNull(let e, _): return e.subqueryPlans
        case .caseWhen(let whens, let otherwise, _):
            return whens.flatMap { $0.condition.subqueryPlans + $0.result.subqueryPlans } + (otherwise?.subqueryPlans ?? [])
        case .inList(let e, let items, _): return e.subqueryPlans + items.flatMap(\.0.subqueryPlans)
        }
    }

    /// The current-level columns the expression reads (for pushing predicates down to joins' sides).
    func collectColumns(into set: inout Set<Int>) {
        switch self {
        case .column(let i, _): set.insert(i)
        case .constant, .outer, .parameter: break
        case .call(_, let args, _, _, _): for a in args { a.collectColumns(into: &set) }
        case .and(let items), .or(let items), .coalesce(let items, _), .array(let items, _):
            for a in items { a.collectColumns(into: &set) }
        case .not(let e), .isNull(let e, _): e.collectColumns(into: &set)
        case .caseWhen(let whens, let otherwise, _):
            for w in whens { w.condition.collectColumns(into: &set); w.result.collectColumns(into: &set) }
            otherwise?.collectColumns(into: &set)
        case .inList(let e, let items, _):
            e.collectColumns(into: &set)
            for item in items { item.0.collectColumns(into: &set) }
        case .subquery(let s):
            // A correlated subquery reads the current row through its outer references of depth 1.
            for i in s.outerColumns { set.insert(i) }
            s.operand?.collectColumns(into: &set)
        }
    }

    var columns: Set<Int> {
        var set = Set<Int>()
        collectColumns(into: &set)
        return set
    }

    /// The same expression reading its columns from another row layout.
    func remapColumns(_ map: @escaping (Int) -> Int) -> BoundExpression {
        switch self {
        case .column(let i, let t): return .column(map(i), t)
        case .constant, .outer, .parameter: return self
        case .call(let n, let args, let t, let strict, let impl):
            return .call(name: n, arguments: args.map { $0.remapColumns(map) }, type: t, strict: strict, implementation: impl)
        case .and(let items): return .and(items.map { $0.remapColumns(map) })
        case .or(let items): return .or(items.map { $0.remapColumns(map) })
        case .coalesce(let items, let t): return .coalesce(items.map { $0.remapColumns(map) }, t)
        case .array(let items, let t): return .array(items.map { $0.remapColumns(map) }, t)
        case .not(let e): return .not(e.remapColumns(map))
        case .isNull(let e, let n): return .isNull(e.remapColumns(map), negated: n)
        case .caseWhen(let whens, let otherwise, let t):
            return .caseWhen(whens.map { ($0.condition.remapColumns(map), $0.result.remapColumns(map)) },
                             otherwise: otherwise?.remapColumns(map), t)
        case .inList(let e, let items, let n):
            return .inList(e.remapColumns(map), items.map { ($0.0.remapColumns(map), $0.1) }, negated: n)
        case .subquery(var s):
            s.operand = s.operand?.remapColumns(map)
            s.outerColumnMap = { [previous = s.outerColumnMap] i in map(previous(i)) }
            s.outerColumns = Set(s.outerColumns.map(map))
            return .subquery(s)
        }
    }

    /// Splits a predicate into its AND-ed parts.
    var conjuncts: [BoundExpression] {
        if case .and(let items) = self { return items.flatMap(\.conjuncts) }
        return [self]
    }

    static func conjunction(_ items: [BoundExpression]) -> BoundExpression? {
        switch items.count {
        case 0: return nil
        case 1: return items[0]
        default: return .and(items)
        }
    }
}

/// A subquery used as a value: `(SELECT ...)`, `EXISTS (...)`, `x IN (SELECT ...)`,
/// `x op ANY (SELECT ...)`, `ARRAY(SELECT ...)`.
struct SubqueryExpression: @unchecked Sendable {
    enum Kind {
        case scalar
        case exists
        /// `operand op ANY|ALL (subquery)`; IN is `= ANY`.
        case quantified(all: Bool, compare: ScalarImplementation)
        case array
    }
    var kind: Kind
    var plan: PlanNode
    var type: SQLType
    var operand: BoundExpression?
    var negated: Bool
    /// Current-level columns the subquery reads as outer references of depth 1.
    var outerColumns: Set<Int>
    /// Maps the subquery's depth-1 outer column numbers to where the values sit in the row the
    /// subquery is evaluated against (identity unless the expression was moved to another layout).
    var outerColumnMap: (Int) -> Int = { $0 }
    /// Uncorrelated subqueries are computed once per execution and cached.
    var isCorrelated: Bool
}
