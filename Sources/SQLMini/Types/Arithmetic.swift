// Arithmetic: + - * / % ^ and the bitwise operators over numbers, dates, timestamps, intervals
// and pg_lsn, with PostgreSQL's overflow errors ("integer out of range", 22003), integer division
// truncating toward zero, and "division by zero" (22012).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum Arithmetic {
    static let int2Rank = 0, int4Rank = 1, int8Rank = 2, numericRank = 3, float4Rank = 4, float8Rank = 5
    static let typeByRank: [SQLType] = [.int2, .int4, .int8, .numeric, .float4, .float8]

    static func numericRank(_ type: SQLType) -> Int? {
        switch type.oid {
        case SQLType.int2.oid: return int2Rank
        case SQLType.int4.oid: return int4Rank
        case SQLType.int8.oid: return int8Rank
        case SQLType.numeric.oid: return numericRank
        case SQLType.float4.oid: return float4Rank
        case SQLType.float8.oid: return float8Rank
        default: return nil
        }
    }

    /// The type two numbers meet in: the wider integer, numeric over integers, float8 over all but float4 + float4.
    static func promoted(_ a: Int, _ b: Int) -> SQLType {
        if a == float4Rank && b == float4Rank { return .float4 }
        if a >= float4Rank || b >= float4Rank { return .float8 }
        return typeByRank[max(a, b)]
    }

    static func make(_ name: String, _ originalLeft: SQLType, _ originalRight: SQLType, _ l: SQLType, _ r: SQLType,
                     result: SQLType, _ body: @escaping @Sendable (Value, Value) throws -> Value) -> ResolvedOperator {
        let cl = Operators.coercion(from: originalLeft, to: l), cr = Operators.coercion(from: originalRight, to: r)
        return ResolvedOperator(name: name, leftType: l, rightType: r, resultType: result) { a, b in
            if a.isNull || b.isNull { return .null }
            return try body(try cl(a), try cr(b))
        }
    }

    static func resolve(_ name: String, originalLeft: SQLType, originalRight: SQLType, left l: SQLType, right r: SQLType) throws -> ResolvedOperator? {
        let ol = originalLeft, or = originalRight
        if let rl = numericRank(l), let rr = numericRank(r) {
            let common = promoted(rl, rr)
            switch name {
            case "+", "-", "*", "/":
                return make(name, ol, or, common, common, result: common) { try numberOp(name, $0, $1) }
            case "%":
                guard common.oid != SQLType.float4.oid, common.oid != SQLType.float8.oid else { return nil }
                return make(name, ol, or, common, common, result: common) { try numberOp(name, $0, $1) }
            case "^":
                let powType: SQLType = common.oid == SQLType.numeric.oid ? .numeric : .float8
                return make(name, ol, or, powType, powType, result: powType) { a, b in
                    guard let x = a.doubleValue, let y = b.doubleValue else { return .null }
                    if x == 0 && y < 0 { throw SQLError(SQLError.invalidArgumentForPowerFunction, "zero raised to a negative power is undefined") }
                    let p = pow(x, y)
                    guard p.isFinite else { throw floatOverflow() }
                    return powType.oid == SQLType.numeric.oid ? .numeric(try Numeric(double: p)) : .float8(p)
                }
            case "&", "|", "#", "<<", ">>":
                guard max(rl, rr) <= int8Rank else { return nil }
                let shift = name == "<<" || name == ">>"
                let type = shift ? l : common
                return make(name, ol, or, type, shift ? .int4 : common, result: type) { try bitwise(name, $0, $1) }
            default: return nil
            }
        }
        switch (name, l.oid, r.oid) {
        case ("+", SQLType.date.oid, SQLType.int4.oid), ("+", SQLType.date.oid, SQLType.int2.oid), ("+", SQLType.date.oid, SQLType.int8.oid):
            return make(name, ol, or, .date, .int4, result: .date) { a, b in
                guard case .date(let d) = a, case .int4(let n) = b else { return .null }
                return .date(try dateOffset(d, Int64(n)))
            }
        case ("+", SQLType.int4.oid, SQLType.date.oid):
            return make(name, ol, or, .int4, .date, result: .date) { a, b in
                guard case .int4(let n) = a, case .date(let d) = b else { return .null }
                return .date(try dateOffset(d, Int64(n)))
            }
        case ("-", SQLType.date.oid, SQLType.int4.oid), ("-", SQLType.date.oid, SQLType.int2.oid), ("-", SQLType.date.oid, SQLType.int8.oid):
            return make(name, ol, or, .date, .int4, result: .date) { a, b in
                guard case .date(let d) = a, case .int4(let n) = b else { return .null }
                return .date(try dateOffset(d, -Int64(n)))
            }
        case ("-", SQLType.date.oid, SQLType.date.oid):
            return make(name, ol, or, .date, .date, result: .int4) { a, b in
                guard case .date(let x) = a, case .date(let y) = b else { return .null }
                return .int4(Int32(clamping: Int64(x) - Int64(y)))
            }
        case ("+", SQLType.date.oid, SQLType.interval.oid), ("-", SQLType.date.oid, SQLType.interval.oid):
            return make(name, ol, or, .timestamp, .interval, result: .timestamp) { a, b in
                guard case .timestamp(let t) = a, case .interval(let i) = b else { return .null }
                return .timestamp(try DateTime.add(name == "-" ? try negate(i) : i, to: t))
            }
        case ("+", SQLType.timestamp.oid, SQLType.interval.oid), ("-", SQLType.timestamp.oid, SQLType.interval.oid),
             ("+", SQLType.timestamptz.oid, SQLType.interval.oid), ("-", SQLType.timestamptz.oid, SQLType.interval.oid):
            let type = l.withoutModifier
            return make(name, ol, or, type, .interval, result: type) { a, b in
                guard case .interval(let i) = b else { return .null }
                switch a {
                case .timestamp(let t): return .timestamp(try DateTime.add(name == "-" ? try negate(i) : i, to: t))
                case .timestamptz(let t): return .timestamptz(try DateTime.add(name == "-" ? try negate(i) : i, to: t))
                default: return .null
                }
            }
        case ("+", SQLType.interval.oid, SQLType.timestamp.oid), ("+", SQLType.interval.oid, SQLType.timestamptz.oid),
             ("+", SQLType.interval.oid, SQLType.date.oid):
            let type: SQLType = r.oid == SQLType.timestamptz.oid ? .timestamptz : .timestamp
            return make(name, ol, or, .interval, type, result: type) { a, b in
                guard case .interval(let i) = a else { return .null }
                switch b {
                case .timestamp(let t): return .timestamp(try DateTime.add(i, to: t))
                case .timestamptz(let t): return .timestamptz(try DateTime.add(i, to: t))
                default: return .null
                }
            }
        case ("-", SQLType.timestamp.oid, SQLType.timestamp.oid), ("-", SQLType.timestamptz.oid, SQLType.timestamptz.oid),
             ("-", SQLType.timestamptz.oid, SQLType.timestamp.oid), ("-", SQLType.timestamp.oid, SQLType.timestamptz.oid):
            let type: SQLType = (l.oid == SQLType.timestamptz.oid || r.oid == SQLType.timestamptz.oid) ? .timestamptz : .timestamp
            return make(name, ol, or, type, type, result: .interval) { a, b in
                switch (a, b) {
                case (.timestamp(let x), .timestamp(let y)), (.timestamptz(let x), .timestamptz(let y)):
                    return .interval(try DateTime.difference(x, y))
                default: return .null
                }
            }
        case ("+", SQLType.interval.oid, SQLType.interval.oid), ("-", SQLType.interval.oid, SQLType.interval.oid):
            return make(name, ol, or, .interval, .interval, result: .interval) { a, b in
                guard case .interval(let x) = a, case .interval(var y) = b else { return .null }
                if name == "-" { y = try negate(y) }
                let months = Int64(x.months) + Int64(y.months), d = Int64(x.days) + Int64(y.days)
                let (micros, o) = x.microseconds.addingReportingOverflow(y.microseconds)
                guard !o, let m32 = Int32(exactly: months), let d32 = Int32(exactly: d) else { throw intervalOverflow() }
                return .interval(Interval(months: m32, days: d32, microseconds: micros))
            }
        case ("*", SQLType.interval.oid, _) where numericRank(r) != nil,
             ("/", SQLType.interval.oid, _) where numericRank(r) != nil:
            return make(name, ol, or, .interval, .float8, result: .interval) { a, b in
                guard case .interval(let i) = a, case .float8(let f) = b else { return .null }
                if name == "/" && f == 0 { throw divisionByZero() }
                return .interval(try scale(i, by: name == "*" ? f : 1 / f))
            }
        case ("*", _, SQLType.interval.oid) where numericRank(l) != nil:
            return make(name, ol, or, .float8, .interval, result: .interval) { a, b in
                guard case .float8(let f) = a, case .interval(let i) = b else { return .null }
                return .interval(try scale(i, by: f))
            }
        case ("-", SQLType.pgLSN.oid, SQLType.pgLSN.oid):
            return make(name, ol, or, .pgLSN, .pgLSN, result: .numeric) { a, b in
                guard case .pgLSN(let x) = a, case .pgLSN(let y) = b else { return .null }
                return .numeric(Numeric(coefficient: Int128(x) - Int128(y), scale: 0))
            }
        case ("+", SQLType.pgLSN.oid, _) where numericRank(r) != nil, ("-", SQLType.pgLSN.oid, _) where numericRank(r) != nil:
            return make(name, ol, or, .pgLSN, .numeric, result: .pgLSN) { a, b in
                guard case .pgLSN(let x) = a, case .numeric(let n) = b, let delta = n.roundedInt64 else { return .null }
                let result = Int128(x) + Int128(name == "-" ? -delta : delta)
                guard result >= 0, result <= Int128(UInt64.max) else { throw SQLError(SQLError.numericValueOutOfRange, "pg_lsn out of range") }
                return .pgLSN(UInt64(result))
            }
        default:
            return nil
        }
    }

    static func divisionByZero() -> SQLError { SQLError(SQLError.divisionByZero, "division by zero") }
    static func floatOverflow() -> SQLError { SQLError(SQLError.numericValueOutOfRange, "value out of range: overflow") }
    static func intervalOverflow() -> SQLError { SQLError(SQLError.datetimeFieldOverflow, "interval out of range") }
    static func outOfRange(_ type: String) -> SQLError { SQLError(SQLError.numericValueOutOfRange, "\(type) out of range") }

    private static func dateOffset(_ d: Int32, _ n: Int64) throws -> Int32 {
        guard let result = Int32(exactly: Int64(d) + n) else { throw SQLError(SQLError.datetimeFieldOverflow, "date out of range") }
        return result
    }

    /// interval × factor, spilling fractional months into days and fractional days into time, as PostgreSQL.
    private static func scale(_ i: Interval, by f: Double) throws -> Interval {
        let months = Double(i.months) * f
        let wholeMonths = months.rounded(.towardZero)
        let days = Double(i.days) * f + (months - wholeMonths) * 30
        let wholeDays = days.rounded(.towardZero)
        let micros = Double(i.microseconds) * f + (days - wholeDays) * Double(DateTime.microsecondsPerDay)
        guard abs(wholeMonths) <= Double(Int32.max), abs(wholeDays) <= Double(Int32.max), abs(micros) < 9.2e18 else { throw intervalOverflow() }
        return Interval(months: Int32(wholeMonths), days: Int32(wholeDays), microseconds: Int64(micros.rounded()))
    }

    static func negate(_ i: Interval) throws -> Interval {
        guard i.months != Int32.min, i.days != Int32.min, i.microseconds != Int64.min else { throw intervalOverflow() }
        return Interval(months: -i.months, days: -i.days, microseconds: -i.microseconds)
    }

    static func negate(_ v: Value) throws -> Value {
        switch v {
        case .int2(let x): guard x != Int16.min else { throw outOfRange("smallint") }; return .int2(-x)
        case .int4(let x): guard x != Int32.min else { throw outOfRange("integer") }; return .int4(-x)
        case .int8(let x): guard x != Int64.min else { throw outOfRange("bigint") }; return .int8(-x)
        case .float4(let x): return .float4(-x)
        case .float8(let x): return .float8(-x)
        case .numeric(let n): return .numeric(n.negated)
        case .interval(let i): return .interval(try negate(i))
        default: return v
        }
    }

    /// + - * / % on two numbers already coerced to the same type.
    static func numberOp(_ op: String, _ a: Value, _ b: Value) throws -> Value {
        switch (a, b) {
        case (.int2(let x), .int2(let y)): return .int2(Int16(try integerOp(op, Int64(x), Int64(y), min: Int64(Int16.min), max: Int64(Int16.max), name: "smallint")))
        case (.int4(let x), .int4(let y)): return .int4(Int32(try integerOp(op, Int64(x), Int64(y), min: Int64(Int32.min), max: Int64(Int32.max), name: "integer")))
        case (.int8(let x), .int8(let y)): return .int8(try int8Op(op, x, y))
        case (.float4(let x), .float4(let y)):
            let r = try floatOp(op, Double(x), Double(y))
            let f = Float(r)
            if f.isInfinite && !x.isInfinite && !y.isInfinite { throw floatOverflow() }
            if f == 0 && r != 0 { throw SQLError(SQLError.numericValueOutOfRange, "value out of range: underflow") }
            return .float4(f)
        case (.float8(let x), .float8(let y)): return .float8(try floatOp(op, x, y))
        case (.numeric(let x), .numeric(let y)):
            switch op {
            case "+": return .numeric(try Numeric.add(x, y))
            case "-": return .numeric(try Numeric.subtract(x, y))
            case "*": return .numeric(try Numeric.multiply(x, y))
            case "/": return .numeric(try Numeric.divide(x, y))
            default: return .numeric(try Numeric.remainder(x, y))
            }
        default: return .null
        }
    }

    private static func integerOp(_ op: String, _ x: Int64, _ y: Int64, min: Int64, max: Int64, name: String) throws -> Int64 {
        let r: Int64
        switch op {
        case "+": r = x + y
        case "-": r = x - y
        case "*": r = x * y
        case "/": guard y != 0 else { throw divisionByZero() }; r = x / y
        default: guard y != 0 else { throw divisionByZero() }; r = x % y
        }
        guard r >= min, r <= max else { throw outOfRange(name) }
        return r
    }

    private static func int8Op(_ op: String, _ x: Int64, _ y: Int64) throws -> Int64 {
        let result: (Int64, Bool)
        switch op {
        case "+": result = x.addingReportingOverflow(y)
        case "-": result = x.subtractingReportingOverflow(y)
        case "*": result = x.multipliedReportingOverflow(by: y)
        case "/":
            guard y != 0 else { throw divisionByZero() }
            result = x.dividedReportingOverflow(by: y)
        default:
            guard y != 0 else { throw divisionByZero() }
            if y == -1 { return 0 }
            result = x.remainderReportingOverflow(dividingBy: y)
        }
        guard !result.1 else { throw outOfRange("bigint") }
        return result.0
    }

    private static func floatOp(_ op: String, _ x: Double, _ y: Double) throws -> Double {
        let r: Double
        switch op {
        case "+": r = x + y
        case "-": r = x - y
        case "*": r = x * y
        default:
            guard y != 0 else { throw divisionByZero() }
            r = x / y
        }
        if r.isInfinite && !x.isInfinite && !y.isInfinite { throw floatOverflow() }
        if r == 0 && x != 0 && y != 0 && op == "*" { throw SQLError(SQLError.numericValueOutOfRange, "value out of range: underflow") }
        return r
    }

    private static func bitwise(_ op: String, _ a: Value, _ b: Value) throws -> Value {
        guard let x = a.integerValue, let y = b.integerValue else { return .null }
        let r: Int64
        switch op {
        case "&": r = x & y
        case "|": r = x | y
        case "#": r = x ^ y
        case "<<": r = x << y
        default: r = x >> y
        }
        switch a {
        case .int2: return .int2(Int16(truncatingIfNeeded: r))
        case .int4: return .int4(Int32(truncatingIfNeeded: r))
        default: return .int8(r)
        }
    }
}
