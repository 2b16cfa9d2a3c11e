// Evaluation of bound expressions against one row, with SQL's three-valued logic: AND is false
// if any side is false, else NULL if any side is NULL; OR symmetrically; NOT NULL is NULL.
//
// Invariants: a strict call never runs its implementation with a NULL argument; an uncorrelated
// subquery runs at most once per execution (its rows are cached in the EvaluationContext).

extension BoundExpression {
    func evaluate(_ row: Row, _ context: EvaluationContext) throws -> Value {
        switch self {
        case .constant(let value, _):
            return value
        case .column(let index, _):
            return row[index]
        case .outer(let depth, let index, _):
            return try context.outerValue(depth: depth, index: index)
        case .parameter(let index, _):
            guard index < context.parameters.count else {
                throw SQLError(SQLError.undefinedParameter, "there is no parameter $\(index + 1)")
            }
            return context.parameters[index]
        case .call(_, let arguments, _, let strict, let implementation):
            var values: [Value] = []
            values.reserveCapacity(arguments.count)
            for argument in arguments {
                let value = try argument.evaluate(row, context)
                if strict && value.isNull { return .null }
                values.append(value)
            }
            return try implementation(values, context)
        case .and(let items):
            var sawNull = false
            for item in items {
                switch try item.evaluate(row, context) {
                case .bool(false): return .bool(false)
                case .null: sawNull = true
                default: break
                }
            }
            return sawNull ? .null : .bool(true)
        case .or(let items):
            var sawNull = false
            for item in items {
                switch try item.evaluate(row, context) {
                case .bool(true): return .bool(true)
                case .null: sawNull = true
                default: break
                }
            }
            return sawNull ? .null : .bool(false)
        case .not(let inner):
            switch try inner.evaluate(row, context) {
            case .bool(let b): return .bool(!b)
            default: return .null
            }
        case .isNull(let inner, let negated):
            let isNull = try inner.evaluate(row, context).isNull
            return .bool(isNull != negated)
        case .caseWhen(let whens, let otherwise, _):
            for when in whens where try when.condition.evaluate(row, context) == .bool(true) {
                return try when.result.evaluate(row, context)
            }
            return try otherwise?.evaluate(row, context) ?? .null
        case .coalesce(let items, _):
            for item in items {
                let value = try item.evaluate(row, context)
                if !value.isNull { return value }
            }
            return .null
        case .inList(let operand, let items, let negated):
            let left = try operand.evaluate(row, context)
            if left.isNull { return .null }
            var sawNull = false
            for (item, equals) in items {
                let right = try item.evaluate(row, context)
                if right.isNull { sawNull = true; continue }
                if try equals([left, right], context) == .bool(true) { return .bool(!negated) }
            }
            return sawNull ? .null : .bool(negated)
        case .array(let items, let type):
            let elementType = type.elementType ?? .text
            return .array(ArrayValue(elementType: elementType, elements: try items.map { try $0.evaluate(row, context) }))
        case .subquery(let subquery):
            return try subquery.evaluate(row, context)
        }
    }

    /// A predicate's verdict: only TRUE passes (NULL and FALSE reject the row).
    func isSatisfied(_ row: Row, _ context: EvaluationContext) throws -> Bool {
        try evaluate(row, context) == .bool(true)
    }
}

extension SubqueryExpression {
    func evaluate(_ row: Row, _ context: EvaluationContext) throws -> Value {
        let rows = try self.rows(row, context)
        switch kind {
        case .scalar:
            if rows.count > 1 {
                throw SQLError(SQLError.cardinalityViolation, "more than one row returned by a subquery used as an expression")
            }
            return rows.first?.first ?? .null
        case .exists:
            return .bool(rows.isEmpty == negated)
        case .array:
            let elementType = type.elementType ?? .text
            return .array(ArrayValue(elementType: elementType, elements: rows.map { $0.first ?? .null }))
        case .quantified(let all, let compare):
            guard let operand else { return .null }
            let left = try operand.evaluate(row, context)
            var sawNull = false
            var result: Bool? = nil
            for candidate in rows {
                let right = candidate.first ?? .null
                if left.isNull || right.isNull { sawNull = true; continue }
                let verdict = try compare([left, right], context)
                if all, verdict == .bool(false) { result = false; break }
                if !all, verdict == .bool(true) { result = true; break }
                if verdict.isNull { sawNull = true }
            }
            let value: Value
            if let result { value = .bool(result) } else if sawNull { value = .null } else { value = .bool(all) }
            if negated, case .bool(let b) = value { return .bool(!b) }
            return value
        }
    }

    /// The subquery's rows: cached when uncorrelated, else computed with the current row as the
    /// nearest outer row (laid out as the subquery was bound against).
    private func rows(_ row: Row, _ context: EvaluationContext) throws -> [Row] {
        let key = ObjectIdentifier(plan)
        if !isCorrelated, let cached = context.subqueryCache[key] { return cached }
        let stopAfterFirst: Bool
        if case .exists = kind { stopAfterFirst = true } else { stopAfterFirst = false }
        var rows: [Row] = []
        let outerRow: Row
        if let highest = outerColumns.max() {
            var padded = Row(repeating: .null, count: highest + 1)
            for index in outerColumns { padded[index] = row[outerColumnMap(index)] }
            outerRow = padded
        } else {
            outerRow = row
        }
        try context.withOuterRow(outerRow) {
            try plan.run(context) { produced in
                rows.append(produced)
                if case .scalar = kind, rows.count > 1 { return false }
                return !stopAfterFirst
            }
        }
        if !isCorrelated { context.subqueryCache[key] = rows }
        return rows
    }
}
