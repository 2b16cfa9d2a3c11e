// Aggregates: the step and final logic of count, sum, avg, min, max, bool_and/bool_or/every,
// string_agg and array_agg, as an Accumulator the executor drives: one accumulator per group,
// `step` once per input row (with the aggregate's evaluated arguments), `finish` at the end.
// NULL inputs are skipped (count(*) counts rows); an aggregate over no rows gives NULL, except
// count, which gives 0. DISTINCT and ORDER BY inside the call are the executor's job.
//
// Result types follow PostgreSQL: sum(int2/int4) → int8, sum(int8) → numeric, avg(integers or
// numeric) → numeric, avg(float) → float8, count → int8.

public protocol Accumulator: AnyObject {
    func step(_ arguments: [Value]) throws
    func finish() throws -> Value
}

public struct ResolvedAggregate: Sendable {
    public var name: String
    public var argumentTypes: [SQLType]
    public var resultType: SQLType
    public let makeAccumulator: @Sendable () -> Accumulator
}

public enum Aggregates {
    static let names: Set<String> = ["count", "sum", "avg", "min", "max", "bool_and", "bool_or", "every", "string_agg", "array_agg"]

    public static func isAggregate(_ name: String) -> Bool { names.contains(FunctionRegistry.unqualified(name)) }

    /// Resolves an aggregate call; `star` for count(*).
    public static func resolve(_ rawName: String, argumentTypes rawTypes: [SQLType], star: Bool = false) throws -> ResolvedAggregate {
        let name = FunctionRegistry.unqualified(rawName)
        let types = rawTypes.map { $0.oid == SQLType.unknown.oid ? SQLType.text : $0 }
        let fail = FunctionRegistry.undefinedFunction(rawName, rawTypes)
        func make(_ result: SQLType, _ factory: @escaping @Sendable () -> Accumulator) -> ResolvedAggregate {
            ResolvedAggregate(name: name, argumentTypes: types, resultType: result, makeAccumulator: factory)
        }
        switch (name, types.count) {
        case ("count", 0) where star: return make(.int8) { CountAccumulator(countsRows: true) }
        case ("count", 1): return make(.int8) { CountAccumulator(countsRows: false) }
        case ("sum", 1):
            let input = types[0]
            switch input.oid {
            case SQLType.int2.oid, SQLType.int4.oid: return make(.int8) { SumAccumulator(resultType: .int8) }
            case SQLType.int8.oid, SQLType.numeric.oid: return make(.numeric) { SumAccumulator(resultType: .numeric) }
            case SQLType.float4.oid: return make(.float4) { SumAccumulator(resultType: .float4) }
            case SQLType.float8.oid: return make(.float8) { SumAccumulator(resultType: .float8) }
            case SQLType.interval.oid: return make(.interval) { SumAccumulator(resultType: .interval) }
            default: throw fail
            }
        case ("avg", 1):
            switch types[0].oid {
            case SQLType.int2.oid, SQLType.int4.oid, SQLType.int8.oid, SQLType.numeric.oid:
                return make(.numeric) { AverageAccumulator(resultType: .numeric) }
            case SQLType.float4.oid, SQLType.float8.oid: return make(.float8) { AverageAccumulator(resultType: .float8) }
            case SQLType.interval.oid: return make(.interval) { AverageAccumulator(resultType: .interval) }
            default: throw fail
            }
        case ("min", 1), ("max", 1):
            let type = types[0]
            guard type.oid != SQLType.bool.oid else { throw fail }
            let wantsMax = name == "max", blankPadded = type.oid == SQLType.bpchar.oid
            return make(type) { ExtremeAccumulator(wantsMax: wantsMax, blankPadded: blankPadded) }
        case ("bool_and", 1), ("every", 1), ("bool_or", 1):
            guard types[0].oid == SQLType.bool.oid else { throw fail }
            let isAnd = name != "bool_or"
            return make(.bool) { BooleanAccumulator(isAnd: isAnd) }
        case ("string_agg", 2):
            if types[0].oid == SQLType.bytea.oid, types[1].oid == SQLType.bytea.oid {
                return make(.bytea) { StringAggregateAccumulator(isBytea: true) }
            }
            let textual: (SQLType) -> Bool = { $0.category == .string || $0.oid == SQLType.char.oid }
            guard textual(types[0]), textual(types[1]) else { throw fail }
            return ResolvedAggregate(name: name, argumentTypes: [.text, .text], resultType: .text) { StringAggregateAccumulator(isBytea: false) }
        case ("array_agg", 1):
            guard let arrayType = types[0].arrayType else { throw fail }
            let element = types[0].withoutModifier
            return make(arrayType.withoutModifier) { ArrayAggregateAccumulator(elementType: element) }
        default:
            throw fail
        }
    }
}

final class CountAccumulator: Accumulator {
    let countsRows: Bool
    var count: Int64 = 0
    init(countsRows: Bool) { self.countsRows = countsRows }
    func step(_ arguments: [Value]) throws {
        if countsRows || !(arguments.first?.isNull ?? true) { count += 1 }
    }
    func finish() throws -> Value { .int8(count) }
}

/// sum: integers add in Int64 (int8 result) or Numeric, floats in Double, intervals field by field.
final class SumAccumulator: Accumulator {
    let resultType: SQLType
    var total: Value = .null
    init(resultType: SQLType) { self.resultType = resultType }

    func step(_ arguments: [Value]) throws {
        guard let value = arguments.first, !value.isNull else { return }
        let converted: Value
        switch resultType.oid {
        case SQLType.int8.oid: converted = .int8(value.integerValue ?? 0)
        case SQLType.numeric.oid: converted = .numeric(value.numericValue ?? .zero)
        case SQLType.float8.oid: converted = .float8(value.doubleValue ?? 0)
        default: converted = value
        }
        if total.isNull { total = converted; return }
        total = try Operators.resolveBinary("+", left: resultType, right: resultType).evaluate(total, converted)
    }
    func finish() throws -> Value { total }
}

/// avg: the sum and count, divided at the end with the result type's division.
final class AverageAccumulator: Accumulator {
    let resultType: SQLType
    let sum: SumAccumulator
    var count: Int64 = 0
    init(resultType: SQLType) {
        self.resultType = resultType
        sum = SumAccumulator(resultType: resultType)
    }
    func step(_ arguments: [Value]) throws {
        guard let value = arguments.first, !value.isNull else { return }
        try sum.step([value])
        count += 1
    }
    func finish() throws -> Value {
        guard count > 0 else { return .null }
        let total = try sum.finish()
        switch total {
        case .numeric(let n): return .numeric(try Numeric.divide(n, Numeric(count)))
        case .float8(let d): return .float8(d / Double(count))
        case .interval:
            return try Operators.resolveBinary("/", left: .interval, right: .float8).evaluate(total, .float8(Double(count)))
        default: return .null
        }
    }
}

final class ExtremeAccumulator: Accumulator {
    let wantsMax: Bool
    let blankPadded: Bool
    var best: Value = .null
    init(wantsMax: Bool, blankPadded: Bool) {
        self.wantsMax = wantsMax
        self.blankPadded = blankPadded
    }
    func step(_ arguments: [Value]) throws {
        guard let value = arguments.first, !value.isNull else { return }
        if best.isNull { best = value; return }
        let c = Value.compare(value, best, ignoringTrailingSpaces: blankPadded)
        if wantsMax ? c > 0 : c < 0 { best = value }
    }
    func finish() throws -> Value { best }
}

final class BooleanAccumulator: Accumulator {
    let isAnd: Bool
    var result: Bool? = nil
    init(isAnd: Bool) { self.isAnd = isAnd }
    func step(_ arguments: [Value]) throws {
        guard let b = arguments.first?.boolValue else { return }
        result = isAnd ? ((result ?? true) && b) : ((result ?? false) || b)
    }
    func finish() throws -> Value { result.map(Value.bool) ?? .null }
}

/// string_agg(value, delimiter): the delimiter before every value but the first.
final class StringAggregateAccumulator: Accumulator {
    let isBytea: Bool
    var text: String? = nil
    var bytes: [UInt8]? = nil
    init(isBytea: Bool) { self.isBytea = isBytea }
    func step(_ arguments: [Value]) throws {
        guard arguments.count == 2, !arguments[0].isNull else { return }
        if isBytea {
            guard case .bytea(let value) = arguments[0] else { return }
            if bytes != nil, case .bytea(let d) = arguments[1] { bytes?.append(contentsOf: d) }
            bytes = (bytes ?? []) + value
            return
        }
        let value = arguments[0].stringValue ?? ""
        if let current = text { text = current + (arguments[1].stringValue ?? "") + value } else { text = value }
    }
    func finish() throws -> Value {
        if isBytea { return bytes.map(Value.bytea) ?? .null }
        return text.map(Value.text) ?? .null
    }
}

/// array_agg keeps NULL inputs as NULL elements, like PostgreSQL.
final class ArrayAggregateAccumulator: Accumulator {
    let elementType: SQLType
    var elements: [Value] = []
    var sawRow = false
    init(elementType: SQLType) { self.elementType = elementType }
    func step(_ arguments: [Value]) throws {
        sawRow = true
        elements.append(arguments.first ?? .null)
    }
    func finish() throws -> Value {
        sawRow ? .array(ArrayValue(elementType: elementType, elements: elements)) : .null
    }
}
