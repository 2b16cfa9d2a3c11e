// Binding above an aggregation (the select list, HAVING and ORDER BY of a grouped query). The row
// there is [group keys..., aggregate results...]: an expression equal to a GROUP BY item reads
// its key, an aggregate call reads its result, and any other column reference is an error
// (42803), as in PostgreSQL.
//
// Invariants: aggregate arguments are bound against the FROM row (below the aggregation);
// identical aggregate calls share one result column.

/// One aggregate call of a grouped query.
struct AggregateCall: @unchecked Sendable {
    var name: String
    var arguments: [BoundExpression]
    var distinct: Bool
    var resultType: SQLType
    var fingerprint: String
    /// `string_agg(x, ',' ORDER BY y)`: the values fed in this order; the keys' columns count from
    /// the end of `arguments` (the node evaluates `arguments + sortExpressions` per row).
    var sortExpressions: [BoundExpression] = []
    var sortKeys: [SortKey] = []
}

final class AggregationBinding {
    let inputScope: Scope
    var groupKeys: [BoundExpression]
    var groupFingerprints: [String]
    var aggregates: [AggregateCall] = []

    init(inputScope: Scope, groupKeys: [BoundExpression]) {
        self.inputScope = inputScope
        self.groupKeys = groupKeys
        self.groupFingerprints = groupKeys.map(\.fingerprint)
    }
}

extension Binder {
    static let aggregateNames: Set<String> = [
        "count", "sum", "avg", "min", "max", "bool_and", "bool_or", "every", "string_agg", "array_agg",
    ]

    static func isAggregateCall(_ call: FunctionCall) -> Bool {
        (call.name.schema == nil || call.name.schema == "pg_catalog") && aggregateNames.contains(call.name.name)
    }

    /// Does the expression contain an aggregate call at this query level (not inside a subquery)?
    static func containsAggregate(_ expression: Expression) -> Bool {
        var found = false
        expression.visitThisLevel { e in
            if case .function(let call) = e.kind, isAggregateCall(call) { found = true }
        }
        return found
    }

    func bindAboveAggregation(_ expression: Expression, _ place: Place, _ aggregation: AggregationBinding) throws -> BoundExpression {
        if case .function(let call) = expression.kind, Binder.isAggregateCall(call) {
            return try bindAggregateCall(call, aggregation, position: expression.position)
        }
        // A GROUP BY expression (or a column of one) reads the group key.
        if !Binder.containsAggregate(expression), !Binder.containsSetReturningFunction(expression), !expression.isConstantLiteral {
            let below = try bindKind(expression, Place(scope: aggregation.inputScope))
            if let i = aggregation.groupFingerprints.firstIndex(of: below.fingerprint) {
                return .column(i, aggregation.groupKeys[i].type)
            }
            if case .column(let reference) = expression.kind, case .column(let index, _) = below {
                let table = aggregation.inputScope.entries.first { $0.range.contains(index) }?.name
                let name = ((table.map { [$0] } ?? reference.qualifiers.suffix(1)) + [reference.name]).joined(separator: ".")
                throw SQLError(SQLError.groupingError,
                               "column \"\(name)\" must appear in the GROUP BY clause or be used in an aggregate function",
                               position: expression.position)
            }
            if below.isRowIndependent || below.columns.isEmpty, !(expression.containsColumnReference) { return below }
        }
        let bound = try bindKind(expression, place)
        switch expression.kind {
        case .subquery, .exists, .arraySubquery, .inSubquery, .quantified:
            return try readingGroupKeys(bound, aggregation, position: expression.position)
        default:
            return bound
        }
    }

    /// A subquery above an aggregation reads the grouped row: its outer references to FROM columns
    /// must be GROUP BY columns, found at their key's position.
    private func readingGroupKeys(_ bound: BoundExpression, _ aggregation: AggregationBinding,
                                  position: Int) throws -> BoundExpression {
        guard case .subquery(var subquery) = bound else { return bound }
        var positions: [Int: Int] = [:]
        for column in subquery.outerColumns {
            guard let key = aggregation.groupKeys.firstIndex(where: { $0.columnIndex == column }) else {
                let entry = aggregation.inputScope.entries.first { $0.range.contains(column) }
                let name = entry.map { "\($0.name).\($0.columns[column - $0.offset].name)" } ?? "?"
                throw SQLError(SQLError.groupingError, "subquery uses ungrouped column \"\(name)\" from outer query",
                               position: position)
            }
            positions[column] = key
        }
        subquery.outerColumnMap = { positions[$0] ?? $0 }
        return .subquery(subquery)
    }

    private func bindAggregateCall(_ call: FunctionCall, _ aggregation: AggregationBinding, position: Int) throws -> BoundExpression {
        let inputPlace = Place(scope: aggregation.inputScope, clause: "aggregate function calls")
        for argument in call.arguments where Binder.containsAggregate(argument) {
            throw SQLError(SQLError.groupingError, "aggregate function calls cannot be nested", position: argument.position)
        }
        var arguments = try call.arguments.map { try bind($0, inputPlace) }
        arguments = try zip(arguments, call.arguments).map { try resolveUnknown($0, position: $1.position) }
        let name = call.name.name == "every" ? "bool_and" : call.name.name
        let resultType = try AggregateFunctions.resultType(name, arguments: arguments.map(\.type), star: call.star,
                                                           position: position)
        var sortExpressions: [BoundExpression] = []
        var sortKeys: [SortKey] = []
        for item in call.orderBy {
            let bound = try resolveUnknown(try bind(item.expression, inputPlace), position: item.expression.position)
            sortKeys.append(SortKey(column: arguments.count + sortExpressions.count, descending: item.descending,
                                    nullsFirst: item.nullsFirst ?? item.descending, blankPadded: bound.type.oid == SQLType.bpchar.oid))
            sortExpressions.append(bound)
        }
        let ordering = sortKeys.isEmpty ? "" : " order by " + zip(sortExpressions, sortKeys).map {
            "\($0.fingerprint)\($1.descending ? " desc" : "")\($1.nullsFirst ? " nulls first" : "")"
        }.joined(separator: ",")
        let fingerprint = "\(name)(\(call.distinct ? "distinct " : "")\(call.star ? "*" : arguments.map(\.fingerprint).joined(separator: ","))\(ordering))"
        let base = aggregation.groupKeys.count
        if let existing = aggregation.aggregates.firstIndex(where: { $0.fingerprint == fingerprint }) {
            return .column(base + existing, resultType)
        }
        aggregation.aggregates.append(AggregateCall(name: name, arguments: arguments, distinct: call.distinct,
                                                    resultType: resultType, fingerprint: fingerprint,
                                                    sortExpressions: sortExpressions, sortKeys: sortKeys))
        return .column(base + aggregation.aggregates.count - 1, resultType)
    }
}

extension Expression {
    /// Visits this expression and its sub-expressions, not descending into subqueries.
    func visitThisLevel(_ body: (Expression) -> Void) {
        body(self)
        switch kind {
        case .literal, .column, .parameter, .defaultValue, .sqlValueFunction, .exists, .subquery, .arraySubquery: break
        case .unary(_, let e), .isNull(let e, _), .isBoolean(let e, _, _), .cast(let e, _), .collate(let e, _):
            e.visitThisLevel(body)
        case .binary(_, let a, let b), .isDistinctFrom(let a, let b, _):
            a.visitThisLevel(body); b.visitThisLevel(body)
        case .like(let l): l.value.visitThisLevel(body); l.pattern.visitThisLevel(body); l.escape?.visitThisLevel(body)
        case .between(let b): b.value.visitThisLevel(body); b.low.visitThisLevel(body); b.high.visitThisLevel(body)
        case .inList(let e, let items, _): e.visitThisLevel(body); for i in items { i.visitThisLevel(body) }
        case .inSubquery(let e, _, _): e.visitThisLevel(body)
        case .quantified(let q):
            q.left.visitThisLevel(body)
            if case .array(let a) = q.right { a.visitThisLevel(body) }
        case .function(let call): for a in call.arguments { a.visitThisLevel(body) }
        case .caseWhen(let c):
            c.operand?.visitThisLevel(body)
            for w in c.whens { w.condition.visitThisLevel(body); w.result.visitThisLevel(body) }
            c.elseResult?.visitThisLevel(body)
        case .array(let items), .row(let items): for i in items { i.visitThisLevel(body) }
        case .arraySubscript(let a, let l, let u): a.visitThisLevel(body); l.visitThisLevel(body); u?.visitThisLevel(body)
        }
    }

    var containsColumnReference: Bool {
        var found = false
        visitThisLevel { if case .column = $0.kind { found = true } }
        return found
    }

    var isConstantLiteral: Bool {
        if case .literal = kind { return true }
        return false
    }
}

extension BoundExpression {
    /// A structural key: two expressions with equal fingerprints compute the same value from the
    /// same row (used to match select-list items with GROUP BY items).
    var fingerprint: String {
        switch self {
        case .constant(let v, let t): return "const(\(v):\(t.oid))"
        case .column(let i, _): return "col\(i)"
        case .outer(let d, let i, _): return "outer\(d).\(i)"
        case .parameter(let i, _): return "$\(i + 1)"
        case .call(let name, let args, let t, _, _): return "\(name):\(t.oid)(\(args.map(\.fingerprint).joined(separator: ",")))"
        case .and(let items): return "and(\(items.map(\.fingerprint).joined(separator: ",")))"
        case .or(let items): return "or(\(items.map(\.fingerprint).joined(separator: ",")))"
        case .not(let e): return "not(\(e.fingerprint))"
        case .isNull(let e, let n): return "isnull\(n)(\(e.fingerprint))"
        case .caseWhen(let whens, let otherwise, _):
            return "case(\(whens.map { $0.condition.fingerprint + "->" + $0.result.fingerprint }.joined(separator: ","));\(otherwise?.fingerprint ?? ""))"
        case .coalesce(let items, _): return "coalesce(\(items.map(\.fingerprint).joined(separator: ",")))"
        case .inList(let e, let items, let n): return "in\(n)(\(e.fingerprint);\(items.map(\.0.fingerprint).joined(separator: ",")))"
        case .subquery(let s): return "subquery\(ObjectIdentifier(s.plan).hashValue)"
        case .array(let items, _): return "array(\(items.map(\.fingerprint).joined(separator: ",")))"
        }
    }
}
