// SetReturningFunctions: functions that return rows, in FROM or in a select list — generate_series over
// integers (pgbench -I G fills its tables with it), numeric and timestamps, and unnest(anyarray). Rows are
// produced lazily by an iterator closure so that generate_series(1, 10000000) needs no memory.

public struct ResolvedSetReturningFunction: Sendable {
    public var name: String
    public var parameterTypes: [SQLType]
    /// One column, of this type (the column is named after the function or its alias).
    public var columnType: SQLType
    /// Starts a scan for the given arguments (coerced inside); the returned closure yields the next
    /// value or nil at the end. A NULL argument gives no rows.
    public let start: @Sendable (_ arguments: [Value]) throws -> () throws -> Value?
}

public enum SetReturningFunctions {
    public static func exists(_ name: String) -> Bool {
        ["generate_series", "unnest"].contains(FunctionRegistry.unqualified(name))
    }

    public static func resolve(_ rawName: String, argumentTypes: [SQLType]) throws -> ResolvedSetReturningFunction {
        let name = FunctionRegistry.unqualified(rawName)
        let fail = FunctionRegistry.undefinedFunction(rawName, argumentTypes)
        switch (name, argumentTypes.count) {
        case ("generate_series", 2), ("generate_series", 3):
            let nonUnknown = argumentTypes.filter { $0.oid != SQLType.unknown.oid }
            let common = try ConditionalExpressions.commonType(nonUnknown.isEmpty ? [.int4] : nonUnknown)
            if [SQLType.timestamp.oid, SQLType.timestamptz.oid].contains(common.oid) {
                guard argumentTypes.count == 3 else { throw fail }
                return timestampSeries(rawName, argumentTypes, common)
            }
            let type: SQLType
            switch common.oid {
            case SQLType.int2.oid, SQLType.int4.oid: type = .int4
            case SQLType.int8.oid: type = .int8
            case SQLType.numeric.oid: type = .numeric
            default: throw fail
            }
            return integerSeries(name, argumentTypes, type)
        case ("unnest", 1):
            guard let element = argumentTypes[0].elementType, argumentTypes[0].isArray else { throw fail }
            return ResolvedSetReturningFunction(name: name, parameterTypes: argumentTypes, columnType: element) { arguments in
                let elements = arguments[0].arrayValue?.elements ?? []
                var index = 0
                return {
                    guard index < elements.count else { return nil }
                    defer { index += 1 }
                    return elements[index]
                }
            }
        default:
            throw fail
        }
    }

    private static func integerSeries(_ name: String, _ argumentTypes: [SQLType], _ type: SQLType) -> ResolvedSetReturningFunction {
        let coercions = argumentTypes.map { Operators.coercion(from: $0, to: type) }
        return ResolvedSetReturningFunction(name: name, parameterTypes: argumentTypes.map { _ in type }, columnType: type) { arguments in
            let values = try zip(arguments, coercions).map { try $1($0) }
            if values.contains(where: \.isNull) { return { nil } }
            if type.oid == SQLType.numeric.oid {
                let start = values[0].numericValue ?? .zero, stop = values[1].numericValue ?? .zero
                let step = values.count == 3 ? (values[2].numericValue ?? Numeric(1)) : Numeric(1)
                guard step.sign != 0 else { throw SQLError(SQLError.invalidParameterValue, "step size cannot equal zero") }
                var current: Numeric? = start
                return {
                    guard let value = current,
                          step.sign > 0 ? Numeric.compare(value, stop) <= 0 : Numeric.compare(value, stop) >= 0 else { return nil }
                    current = try? Numeric.add(value, step)          // nil past the largest numeric: the series ends
                    return .numeric(value)
                }
            }
            let start = values[0].integerValue ?? 0, stop = values[1].integerValue ?? 0
            let step = values.count == 3 ? (values[2].integerValue ?? 1) : 1
            guard step != 0 else { throw SQLError(SQLError.invalidParameterValue, "step size cannot equal zero") }
            var current: Int64? = start
            let isInt4 = type.oid == SQLType.int4.oid
            return {
                guard let value = current, step > 0 ? value <= stop : value >= stop else { return nil }
                let (next, overflow) = value.addingReportingOverflow(step)
                current = overflow ? nil : next
                return isInt4 ? .int4(Int32(value)) : .int8(value)
            }
        }
    }

    private static func timestampSeries(_ name: String, _ argumentTypes: [SQLType], _ type: SQLType) -> ResolvedSetReturningFunction {
        let targets = [type, type, SQLType.interval]
        let coercions = zip(argumentTypes, targets).map { Operators.coercion(from: $0, to: $1) }
        return ResolvedSetReturningFunction(name: name, parameterTypes: targets, columnType: type) { arguments in
            let values = try zip(arguments, coercions).map { try $1($0) }
            if values.contains(where: \.isNull) { return { nil } }
            func micros(_ v: Value) -> Int64 {
                switch v { case .timestamp(let t), .timestamptz(let t): return t; default: return 0 }
            }
            guard case .interval(let step) = values[2] else { return { nil } }
            guard step.comparableMicroseconds != 0 else { throw SQLError(SQLError.invalidParameterValue, "step size cannot equal zero") }
            let forward = step.comparableMicroseconds > 0
            var current: Int64? = micros(values[0])
            let stop = micros(values[1])
            let isTZ = type.oid == SQLType.timestamptz.oid
            return {
                guard let value = current, forward ? value <= stop : value >= stop else { return nil }
                current = try? DateTime.add(step, to: value)
                return isTZ ? .timestamptz(value) : .timestamp(value)
            }
        }
    }
}
