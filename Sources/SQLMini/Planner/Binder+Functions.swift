// Binding of function calls: the special forms PostgreSQL treats as syntax (COALESCE, NULLIF,
// GREATEST, LEAST), the sequence functions that need storage (nextval, currval, setval), the
// catalog-aware ones (current_schema(s), pg_table_is_visible ...), and then the types engineer's
// registry of built-in functions (Functions/).
//
// Invariants: the special forms are not strict (COALESCE must see NULLs); everything resolved
// through the registry gets its argument coercions here, so implementations see declared types.

extension Binder {
    func bindFunction(_ call: FunctionCall, _ place: Place, position: Int) throws -> BoundExpression {
        if let schema = call.name.schema, schema != "pg_catalog" {
            throw SQLError(SQLError.undefinedFunction, "schema \"\(schema)\" does not exist", position: position)
        }
        let name = call.name.name
        if Binder.isAggregateCall(call) {
            throw SQLError(SQLError.groupingError, "aggregate functions are not allowed in \(place.clause)", position: position)
        }
        if Binder.isSetReturningCall(call) { return try bindSetReturningCall(call, place, position: position) }
        switch name {
        case "coalesce", "greatest", "least":
            var arguments = try call.arguments.map { try bind($0, place) }
            let type = try commonType(arguments.map(\.type), position: position, what: name.uppercased())
            arguments = try zip(arguments, call.arguments).map { try coerce($0, to: type, .implicit, position: $1.position) }
            if name == "coalesce" { return .coalesce(arguments, type) }
            let wantGreatest = name == "greatest"
            return .call(name: name, arguments: arguments, type: type, strict: false) { values, _ in
                var best: Value = .null
                for value in values where !value.isNull {
                    if best.isNull { best = value; continue }
                    let order = Value.compare(value, best)
                    if wantGreatest ? order > 0 : order < 0 { best = value }
                }
                return best
            }
        case "nullif":
            guard call.arguments.count == 2 else { break }
            let first = try bind(call.arguments[0], place)
            let equals = try bindBinaryOperator("=", first, try bind(call.arguments[1], place), position: position)
            guard case .call(_, let args, _, _, let implementation) = equals else { break }
            return .call(name: "nullif", arguments: args, type: args[0].type, strict: false) { values, context in
                if values[0].isNull || values[1].isNull { return values[0] }
                return try implementation(values, context) == .bool(true) ? .null : values[0]
            }
        case "nextval", "currval", "setval":
            return try bindSequenceFunction(name, call, place, position: position)
        case "pg_sleep":
            return try bindSleep(call, place, position: position)
        default:
            break
        }
        var arguments = try call.arguments.map { try bind($0, place) }
        do {
            var resolved = try FunctionRegistry.resolve(name, schema: call.name.schema, argumentTypes: arguments.map(\.type))
            // Unknown literals and parameters take the parameter type; then resolve for the new types.
            let unknown = arguments.indices.filter { arguments[$0].type.oid == SQLType.unknown.oid && $0 < resolved.parameterTypes.count }
            if !unknown.isEmpty {
                for i in unknown {
                    let target = resolved.parameterTypes[i].oid == SQLType.unknown.oid ? SQLType.text : resolved.parameterTypes[i]
                    arguments[i] = try coerce(arguments[i], to: target, .implicit, position: call.arguments[i].position)
                }
                resolved = try FunctionRegistry.resolve(name, schema: call.name.schema, argumentTypes: arguments.map(\.type))
            }
            let invoke = resolved.invoke
            return .call(name: name, arguments: arguments, type: resolved.resultType, strict: resolved.isStrict) { values, context in
                try invoke(values, context.functionContext)
            }
        } catch var error as SQLError {
            if error.position == nil { error.position = position }
            throw error
        }
    }

    private func bindSequenceFunction(_ name: String, _ call: FunctionCall, _ place: Place, position: Int) throws -> BoundExpression {
        let expected = name == "setval" ? [2, 3] : [1]
        guard expected.contains(call.arguments.count) else {
            throw SQLError(SQLError.undefinedFunction, "function \(name) does not exist", position: position)
        }
        var arguments = try call.arguments.map { try bind($0, place) }
        arguments[0] = try coerce(arguments[0], to: .regclass, .implicit, position: call.arguments[0].position)
        if arguments.count >= 2 {
            arguments[1] = try coerce(arguments[1], to: .int8, .implicit, position: call.arguments[1].position)
        }
        if arguments.count == 3 {
            arguments[2] = try coerce(arguments[2], to: .bool, .implicit, position: call.arguments[2].position)
        }
        return .call(name: name, arguments: arguments, type: .int8, strict: true) { values, context in
            guard case .oid(let sequenceOID) = values[0] else { return .null }
            switch name {
            case "nextval": return .int8(try context.engine.nextValue(sequence: sequenceOID, context))
            case "currval": return .int8(try context.engine.currentValue(sequence: sequenceOID, context))
            default:
                guard case .int8(let value) = values[1] else { return .null }
                var isCalled = true
                if values.count == 3, case .bool(let b) = values[2] { isCalled = b }
                try context.engine.setValue(sequence: sequenceOID, value, isCalled: isCalled, context)
                return .int8(value)
            }
        }
    }
}
