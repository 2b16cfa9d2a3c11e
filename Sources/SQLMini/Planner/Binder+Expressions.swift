// Binding of each kind of parsed expression (see Binder.swift for the rules on types).
//
// Invariants: AND/OR/NOT operands are coerced to boolean; a simple CASE is rewritten to
// equality tests; BETWEEN becomes two comparisons; aggregate calls are only accepted where the
// Place carries an AggregationBinding.

extension Binder {
    func bind(_ expression: Expression, _ place: Place) throws -> BoundExpression {
        if let aggregation = place.aggregation {
            return try bindAboveAggregation(expression, place, aggregation)
        }
        return try bindKind(expression, place)
    }

    func bindCondition(_ expression: Expression, _ place: Place, clause: String) throws -> BoundExpression {
        let bound = try bind(expression, place)
        if bound.type.oid == SQLType.bool.oid { return bound }
        if bound.type.oid == SQLType.unknown.oid { return try coerce(bound, to: .bool, .implicit, position: expression.position) }
        throw SQLError(SQLError.datatypeMismatch, "argument of \(clause) must be type boolean, not type \(bound.type.withoutModifier.formatted)",
                       position: expression.position)
    }

    func bindKind(_ expression: Expression, _ place: Place) throws -> BoundExpression {
        let position = expression.position
        switch expression.kind {
        case .literal(let literal):
            return try bindLiteral(literal, position: position)
        case .column(let reference):
            guard let scope = place.scope else {
                throw SQLError(SQLError.undefinedColumn, "column \"\(reference.name)\" does not exist", position: position)
            }
            let resolved = try scope.resolve(reference, position: position)
            if resolved.depth == 0 { return .column(resolved.index, resolved.column.type) }
            return .outer(depth: resolved.depth, index: resolved.index, resolved.column.type)
        case .parameter(let number):
            guard number >= 1 else {
                throw SQLError(SQLError.undefinedParameter, "there is no parameter $\(number)", position: position)
            }
            let index = number - 1
            while parameterTypes.count <= index { parameterTypes.append(nil) }
            return .parameter(index, parameterTypes[index] ?? .unknown)
        case .defaultValue:
            throw SQLError(SQLError.syntaxError, "DEFAULT is not allowed in this context", position: position)
        case .unary(let op, let operand):
            return try bindUnary(op, operand, place, position: position)
        case .binary(let op, let left, let right):
            if op == .and || op == .or {
                let l = try bindCondition(left, place, clause: op.rawValue)
                let r = try bindCondition(right, place, clause: op.rawValue)
                if op == .and { return .and(l.conjuncts + r.conjuncts) }
                var items: [BoundExpression] = []
                for side in [l, r] { if case .or(let inner) = side { items += inner } else { items.append(side) } }
                return .or(items)
            }
            return try bindBinaryOperator(op.rawValue, try bind(left, place), try bind(right, place), position: position,
                                          operandPositions: (left.position, right.position))
        case .isNull(let operand, let negated):
            return .isNull(try bind(operand, place), negated: negated)
        case .isBoolean(let operand, let value, let negated):
            let bound = try bindCondition(operand, place, clause: "IS")
            return .call(name: "is", arguments: [bound], type: .bool, strict: false) { args, _ in
                let matches: Bool
                switch (args[0], value) {
                case (.null, nil): matches = true
                case (.bool(let b), .some(let wanted)): matches = b == wanted
                default: matches = false
                }
                return .bool(matches != negated)
            }
        case .isDistinctFrom(let left, let right, let negated):
            let compare = try bindBinaryOperator("=", try bind(left, place), try bind(right, place), position: position,
                                                 operandPositions: (left.position, right.position))
            guard case .call(_, let args, _, _, let equals) = compare else { return compare }
            return .call(name: "is distinct from", arguments: args, type: .bool, strict: false) { values, context in
                let same: Bool
                if values[0].isNull || values[1].isNull { same = values[0].isNull && values[1].isNull }
                else { same = try equals(values, context) == .bool(true) }
                return .bool(same == negated)
            }
        case .like(let like):
            var name = like.caseInsensitive ? "~~*" : "~~"
            if like.negated { name = "!" + name }
            return try bindBinaryOperator(name, try bind(like.value, place), try bind(like.pattern, place), position: position)
        case .between(let between):
            let value = try bind(between.value, place)
            let low = try bindBinaryOperator(">=", value, try bind(between.low, place), position: position,
                                             operandPositions: (between.value.position, between.low.position))
            let high = try bindBinaryOperator("<=", value, try bind(between.high, place), position: position,
                                              operandPositions: (between.value.position, between.high.position))
            let both = BoundExpression.and([low, high])
            return between.negated ? .not(both) : both
        case .inList(let operand, let items, let negated):
            var left = try bind(operand, place)
            var bound = try items.map { try bind($0, place) }
            let common = try commonType([left.type] + bound.map(\.type), position: position, what: "IN")
            left = try coerce(left, to: common, .implicit, position: operand.position)
            bound = try zip(bound, items).map { try coerce($0, to: common, .implicit, position: $1.position) }
            let equals = try comparison("=", common, common, position: position)
            return .inList(left, bound.map { ($0, equals) }, negated: negated)
        case .inSubquery(let operand, let query, let negated):
            return try bindQuantifiedSubquery(operand, "=", all: false, query, negated: negated, place, position: position)
        case .quantified(let q):
            switch q.right {
            case .subquery(let query):
                return try bindQuantifiedSubquery(q.left, q.op.rawValue, all: q.quantifier == .all, query, negated: false,
                                                  place, position: position)
            case .array(let arrayExpression):
                return try bindQuantifiedArray(q, arrayExpression, place, position: position)
            }
        case .cast(let operand, let typeName):
            let type = try BuiltinTypes.resolve(typeName)
            let value = try bind(operand, place)
            // A literal's input error points at the literal, a cast error at the cast (as in PostgreSQL).
            let at = value.type.oid == SQLType.unknown.oid ? operand.position : position
            return try coerce(value, to: type, .explicit, position: at)
        case .collate(let operand, _):
            return try bind(operand, place)
        case .function(let call):
            return try bindFunction(call, place, position: position)
        case .sqlValueFunction(let function):
            return try bindSQLValueFunction(function, position: position)
        case .caseWhen(let caseExpression):
            return try bindCase(caseExpression, place, position: position)
        case .exists(let query):
            return try bindSubquery(query, kind: .exists, operand: nil, negated: false, place, position: position)
        case .subquery(let query):
            return try bindSubquery(query, kind: .scalar, operand: nil, negated: false, place, position: position)
        case .arraySubquery(let query):
            return try bindSubquery(query, kind: .array, operand: nil, negated: false, place, position: position)
        case .array(let items):
            var bound = try items.map { try bind($0, place) }
            let element = try commonType(bound.map(\.type), position: position, what: "ARRAY")
            bound = try zip(bound, items).map { try coerce($0, to: element, .implicit, position: $1.position) }
            guard let arrayType = element.arrayType else {
                throw SQLError(SQLError.undefinedObject, "could not find array type for data type \(element.formatted)", position: position)
            }
            return .array(bound, arrayType.withoutModifier)
        case .arraySubscript(let arrayExpression, let lower, let upper):
            guard upper == nil else {
                throw SQLError(SQLError.featureNotSupported, "array slices are not supported", position: position)
            }
            let array = try bind(arrayExpression, place)
            let index = try coerce(try bind(lower, place), to: .int4, .implicit, position: lower.position)
            let elementType = array.type.elementType ?? .text
            return .call(name: "subscript", arguments: [array, index], type: elementType, strict: true) { args, _ in
                guard case .array(let a) = args[0], let i = args[1].integerValue else { return .null }
                let zeroBased = Int(i) - 1
                return zeroBased >= 0 && zeroBased < a.elements.count ? a.elements[zeroBased] : .null
            }
        case .row:
            throw SQLError(SQLError.featureNotSupported, "row constructors are not supported", position: position)
        }
    }

    private func bindLiteral(_ literal: Literal, position: Int) throws -> BoundExpression {
        switch literal {
        case .integer(let v):
            if let small = Int32(exactly: v) { return .constant(.int4(small), .int4) }
            return .constant(.int8(v), .int8)
        case .numeric(let text):
            do { return .constant(try Value.parse(text, as: .numeric), .numeric) } catch var error as SQLError {
                error.position = position
                throw error
            }
        case .string(let s): return .constant(.text(s), .unknown)
        case .boolean(let b): return .constant(.bool(b), .bool)
        case .null: return .constant(.null, .unknown)
        }
    }

    private func bindUnary(_ op: UnaryOperator, _ operand: Expression, _ place: Place, position: Int) throws -> BoundExpression {
        if op == .not { return .not(try bindCondition(operand, place, clause: "NOT")) }
        // Fold `-5` into a constant so that it keeps int4 and can be an index key.
        if op == .minus, case .literal(.integer(let v)) = operand.kind {
            return try bindLiteral(.integer(-v), position: position)
        }
        if op == .minus, case .literal(.numeric(let text)) = operand.kind {
            return try bindLiteral(.numeric("-" + text), position: position)
        }
        var bound = try bind(operand, place)
        do {
            var resolved = try Operators.resolveUnary(op.rawValue, operand: bound.type)
            if bound.type.oid == SQLType.unknown.oid {
                bound = try coerce(bound, to: resolved.operandType, .implicit, position: position)
                resolved = try Operators.resolveUnary(op.rawValue, operand: bound.type)
            }
            let evaluate = resolved.evaluate
            return .call(name: op.rawValue, arguments: [bound], type: resolved.resultType, strict: true) { args, _ in
                try evaluate(args[0])
            }
        } catch var error as SQLError {
            if error.position == nil { error.position = position }
            throw error
        }
    }

    private func bindCase(_ caseExpression: CaseExpression, _ place: Place, position: Int) throws -> BoundExpression {
        var conditions: [BoundExpression] = []
        if let operandExpression = caseExpression.operand {
            let operand = try bind(operandExpression, place)
            for when in caseExpression.whens {
                conditions.append(try bindBinaryOperator("=", operand, try bind(when.condition, place),
                                                         position: when.condition.position))
            }
        } else {
            for when in caseExpression.whens { conditions.append(try bindCondition(when.condition, place, clause: "CASE")) }
        }
        var results = try caseExpression.whens.map { try bind($0.result, place) }
        var otherwise = try caseExpression.elseResult.map { try bind($0, place) }
        let type = try commonType(results.map(\.type) + (otherwise.map { [$0.type] } ?? []), position: position, what: "CASE")
        results = try zip(results, caseExpression.whens).map { try coerce($0, to: type, .implicit, position: $1.result.position) }
        if let e = otherwise, let source = caseExpression.elseResult {
            otherwise = try coerce(e, to: type, .implicit, position: source.position)
        }
        return .caseWhen(Array(zip(conditions, results)).map { (condition: $0.0, result: $0.1) }, otherwise: otherwise, type)
    }

    private func bindQuantifiedArray(_ q: QuantifiedComparison, _ arrayExpression: Expression, _ place: Place,
                                     position: Int) throws -> BoundExpression {
        var left = try bind(q.left, place)
        var array = try bind(arrayExpression, place)
        if array.type.oid == SQLType.unknown.oid {
            // '{1,2}' next to an integer: an array of the left side's type.
            let elementType = left.type.oid == SQLType.unknown.oid ? SQLType.text : left.type.withoutModifier
            array = try coerce(array, to: elementType.arrayType ?? .textArray, .implicit, position: arrayExpression.position)
        }
        guard let elementType = array.type.elementType, array.type.isArray else {
            throw SQLError(SQLError.datatypeMismatch, "op ANY/ALL (array) requires array on right side", position: position)
        }
        if left.type.oid == SQLType.unknown.oid { left = try coerce(left, to: elementType, .implicit, position: q.left.position) }
        let op = try Operators.resolveBinary(q.op.rawValue, left: left.type, right: elementType)
        let all = q.quantifier == .all
        return .call(name: "\(q.op.rawValue) \(q.quantifier.rawValue)", arguments: [left, array], type: .bool, strict: false) { args, _ in
            if args[1].isNull { return .null }
            if args[0].isNull {
                if case .array(let a) = args[1], a.elements.isEmpty { return .bool(all) }
                return .null
            }
            return try Operators.quantified(op, args[0], args[1], all: all)
        }
    }

    private func bindSQLValueFunction(_ function: SQLValueFunction, position: Int) throws -> BoundExpression {
        switch function {
        case .currentUser, .currentRole, .sessionUser, .user:
            return .call(name: function.rawValue, arguments: [], type: .name, strict: false) { _, context in
                .text(context.execution.user)
            }
        case .currentCatalog:
            return .call(name: function.rawValue, arguments: [], type: .name, strict: false) { _, context in
                .text(context.execution.databaseName)
            }
        case .currentSchema:
            return try bindFunction(FunctionCall(name: QualifiedName("current_schema", position: position), arguments: []),
                                    Place(scope: nil), position: position)
        case .currentTimestamp:
            return .call(name: "now", arguments: [], type: .timestamptz, strict: false) { _, context in
                .timestamptz(context.execution.statementTimestamp)
            }
        case .localTimestamp:
            return .call(name: "localtimestamp", arguments: [], type: .timestamp, strict: false) { _, context in
                .timestamp(context.execution.statementTimestamp)
            }
        case .currentDate:
            return .call(name: "current_date", arguments: [], type: .date, strict: false) { _, context in
                .date(Int32(context.execution.statementTimestamp / DateTime.microsecondsPerDay))
            }
        case .currentTime, .localTime:
            throw SQLError(SQLError.featureNotSupported, "\(function.rawValue) is not supported", position: position)
        }
    }
}
