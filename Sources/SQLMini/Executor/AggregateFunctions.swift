// Aggregate functions: the result type of each aggregate for its argument types (PostgreSQL's
// pg_aggregate: sum(int4) is bigint, sum(int8) and avg of integers are numeric) and the running
// state one group keeps while rows are added.
//
// Invariants: NULL inputs are skipped (count(*) counts rows); an aggregate over no rows is NULL
// except count, which is 0; DISTINCT aggregates add each distinct argument value once.

enum AggregateFunctions {
    static func resultType(_ name: String, arguments: [SQLType], star: Bool, position: Int) throws -> SQLType {
        func noFunction() -> SQLError {
            SQLError(SQLError.undefinedFunction,
                     "function \(name)(\(arguments.map(\.withoutModifier.formatted).joined(separator: ", "))) does not exist",
                     hint: "No function matches the given name and argument types. You might need to add explicit type casts.",
                     position: position)
        }
        if name == "count" { return .int8 }
        guard let first = arguments.first else { throw noFunction() }
        switch name {
        case "sum":
            switch first.oid {
            case SQLType.int2.oid, SQLType.int4.oid: return .int8
            case SQLType.int8.oid, SQLType.numeric.oid: return .numeric
            case SQLType.float4.oid, SQLType.float8.oid, SQLType.interval.oid: return first.withoutModifier
            default: throw noFunction()
            }
        case "avg":
            switch first.oid {
            case SQLType.int2.oid, SQLType.int4.oid, SQLType.int8.oid, SQLType.numeric.oid: return .numeric
            case SQLType.float4.oid, SQLType.float8.oid: return .float8
            case SQLType.interval.oid: return .interval
            default: throw noFunction()
            }
        case "min", "max":
            if first.isArray || first.oid == SQLType.bool.oid { throw noFunction() }
            return first.oid == SQLType.bpchar.oid ? first : first.withoutModifier
        case "bool_and", "bool_or":
            guard first.oid == SQLType.bool.oid else { throw noFunction() }
            return .bool
        case "string_agg":
            guard arguments.count == 2 else { throw noFunction() }
            return first.oid == SQLType.bytea.oid ? .bytea : .text
        case "array_agg":
            guard let array = first.arrayType else { throw noFunction() }
            return array.withoutModifier
        default:
            throw noFunction()
        }
    }

    /// A maker of fresh per-group states for `call`, resolved once per execution.
    static func stateFactory(_ call: AggregateCall) throws -> () -> AggregateState {
        let base = try unorderedStateFactory(call)
        if call.sortKeys.isEmpty { return base }
        let argumentCount = call.arguments.count, keys = call.sortKeys
        return { OrderedAggregateState(inner: base(), argumentCount: argumentCount, keys: keys) }
    }

    private static func unorderedStateFactory(_ call: AggregateCall) throws -> () -> AggregateState {
        let argumentType = (call.arguments.first?.type ?? .int8).withoutModifier
        let blankPadded = argumentType.oid == SQLType.bpchar.oid
        switch call.name {
        case "count":
            let star = call.arguments.isEmpty
            return { CountState(star: star) }
        case "sum":
            let add = try Operators.resolveBinary("+", left: call.resultType, right: argumentType)
            let resultType = call.resultType
            return { SumState(add: add, argumentType: argumentType, accumulatorType: resultType) }
        case "avg":
            // The running sum is kept in the result type (numeric for integers), then divided by the count.
            let add = try Operators.resolveBinary("+", left: call.resultType, right: argumentType)
            let divide = try Operators.resolveBinary("/", left: call.resultType, right: .int8)
            let resultType = call.resultType
            return { AverageState(sum: SumState(add: add, argumentType: argumentType, accumulatorType: resultType), divide: divide) }
        case "min": return { ExtremeState(wantMax: false, blankPadded: blankPadded) }
        case "max": return { ExtremeState(wantMax: true, blankPadded: blankPadded) }
        case "bool_and": return { BooleanState(isAnd: true) }
        case "bool_or": return { BooleanState(isAnd: false) }
        case "string_agg": return { StringAggregateState() }
        case "array_agg": return { ArrayAggregateState(elementType: argumentType) }
        default:
            throw SQLError(SQLError.undefinedFunction, "aggregate \(call.name) is not supported")
        }
    }
}

/// One group's running value of one aggregate.
class AggregateState {
    func add(_ arguments: [Value]) throws {}
    func result() throws -> Value { .null }
}

final class CountState: AggregateState {
    let star: Bool
    var count: Int64 = 0
    init(star: Bool) { self.star = star }
    override func add(_ arguments: [Value]) throws {
        if star || !(arguments.first?.isNull ?? true) { count += 1 }
    }
    override func result() throws -> Value { .int8(count) }
}

final class SumState: AggregateState {
    let add: ResolvedOperator
    let argumentType: SQLType
    let accumulatorType: SQLType
    var total: Value = .null
    var count: Int64 = 0
    init(add: ResolvedOperator, argumentType: SQLType, accumulatorType: SQLType) {
        self.add = add
        self.argumentType = argumentType
        self.accumulatorType = accumulatorType
    }
    override func add(_ arguments: [Value]) throws {
        guard let value = arguments.first, !value.isNull else { return }
        count += 1
        total = total.isNull
            ? try Casts.cast(value, from: argumentType, to: accumulatorType, context: .explicit)
            : try add.evaluate(total, value)
    }
    override func result() throws -> Value { total }
}

final class AverageState: AggregateState {
    let sum: SumState
    let divide: ResolvedOperator
    init(sum: SumState, divide: ResolvedOperator) {
        self.sum = sum
        self.divide = divide
    }
    override func add(_ arguments: [Value]) throws { try sum.add(arguments) }
    override func result() throws -> Value {
        sum.count == 0 ? .null : try divide.evaluate(sum.total, .int8(sum.count))
    }
}

final class ExtremeState: AggregateState {
    let wantMax: Bool
    let blankPadded: Bool
    var best: Value = .null
    init(wantMax: Bool, blankPadded: Bool) {
        self.wantMax = wantMax
        self.blankPadded = blankPadded
    }
    override func add(_ arguments: [Value]) throws {
        guard let value = arguments.first, !value.isNull else { return }
        if best.isNull { best = value; return }
        let order = Value.compare(value, best, ignoringTrailingSpaces: blankPadded)
        if wantMax ? order > 0 : order < 0 { best = value }
    }
    override func result() throws -> Value { best }
}

final class BooleanState: AggregateState {
    let isAnd: Bool
    var state: Bool? = nil
    init(isAnd: Bool) { self.isAnd = isAnd }
    override func add(_ arguments: [Value]) throws {
        guard case .bool(let b) = arguments.first ?? .null else { return }
        state = isAnd ? ((state ?? true) && b) : ((state ?? false) || b)
    }
    override func result() throws -> Value { state.map(Value.bool) ?? .null }
}

final class StringAggregateState: AggregateState {
    var text: String? = nil
    override func add(_ arguments: [Value]) throws {
        guard arguments.count == 2, case .text(let value) = arguments[0] else { return }
        if let current = text {
            let separator: String
            if case .text(let s) = arguments[1] { separator = s } else { separator = "" }
            text = current + separator + value
        } else {
            text = value
        }
    }
    override func result() throws -> Value { text.map(Value.text) ?? .null }
}

final class ArrayAggregateState: AggregateState {
    let elementType: SQLType
    var elements: [Value] = []
    var sawRow = false
    init(elementType: SQLType) { self.elementType = elementType }
    override func add(_ arguments: [Value]) throws {
        sawRow = true
        elements.append(arguments.first ?? .null)
    }
    override func result() throws -> Value {
        sawRow ? .array(ArrayValue(elementType: elementType, elements: elements)) : .null
    }
}

/// An aggregate with ORDER BY: keeps the group's inputs ([arguments..., sort values...]), then
/// feeds the arguments to the real state in sorted order (stable, like SortNode).
final class OrderedAggregateState: AggregateState {
    private let inner: AggregateState
    private let argumentCount: Int
    private let keys: [SortKey]
    private var inputs: [[Value]] = []

    init(inner: AggregateState, argumentCount: Int, keys: [SortKey]) {
        self.inner = inner
        self.argumentCount = argumentCount
        self.keys = keys
    }

    override func add(_ arguments: [Value]) throws { inputs.append(arguments) }

    override func result() throws -> Value {
        let keys = self.keys
        let sorted = inputs.enumerated().sorted { lhs, rhs in
            let c = SortNode.compare(lhs.element, rhs.element, keys)
            return c != 0 ? c < 0 : lhs.offset < rhs.offset
        }
        for input in sorted { try inner.add(Array(input.element.prefix(argumentCount))) }
        inputs = []
        return try inner.result()
    }
}
