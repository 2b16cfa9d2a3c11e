// MathFunctions: abs, round, trunc, ceil/floor, mod, div, sign, sqrt, power, exp/ln/log, pi,
// random. Numeric rounding is half away from zero; float8 round() is rint (half to even), as
// in PostgreSQL.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum MathFunctions {
    static func float(_ v: Value) -> Double { v.doubleValue ?? .nan }
    static func numeric(_ v: Value) -> Numeric { v.numericValue ?? .zero }

    static let definitions: [FunctionDefinition] = [
        .fn("abs", [.int2], .int2) { args, _ in try Arithmetic.negateIfNegative(args[0]) },
        .fn("abs", [.int4], .int4) { args, _ in try Arithmetic.negateIfNegative(args[0]) },
        .fn("abs", [.int8], .int8) { args, _ in try Arithmetic.negateIfNegative(args[0]) },
        .fn("abs", [.float4], .float4) { args, _ in try Arithmetic.negateIfNegative(args[0]) },
        .fn("abs", [.float8], .float8) { args, _ in try Arithmetic.negateIfNegative(args[0]) },
        .fn("abs", [.numeric], .numeric) { args, _ in .numeric(numeric(args[0]).absolute) },
        .fn("round", [.float8], .float8) { args, _ in .float8(float(args[0]).rounded(.toNearestOrEven)) },
        .fn("round", [.numeric], .numeric) { args, _ in .numeric(try numeric(args[0]).rounded(toScale: 0)) },
        .fn("round", [.numeric, .int4], .numeric) { args, _ in
            .numeric(try roundNumeric(numeric(args[0]), Int(args[1].int32Value ?? 0)))
        },
        .fn("trunc", [.float8], .float8) { args, _ in .float8(float(args[0]).rounded(.towardZero)) },
        .fn("trunc", [.numeric], .numeric) { args, _ in .numeric(numeric(args[0]).truncated(toScale: 0)) },
        .fn("trunc", [.numeric, .int4], .numeric) { args, _ in
            let n = numeric(args[0]), scale = Int(args[1].int32Value ?? 0)
            return .numeric(scale >= 0 ? n.truncated(toScale: scale) : try shiftedRound(n, scale, truncate: true))
        },
        .fn("ceil", [.float8], .float8) { args, _ in .float8(float(args[0]).rounded(.up)) },
        .fn("ceil", [.numeric], .numeric) { args, _ in .numeric(try ceilNumeric(numeric(args[0]))) },
        .fn("ceiling", [.float8], .float8) { args, _ in .float8(float(args[0]).rounded(.up)) },
        .fn("ceiling", [.numeric], .numeric) { args, _ in .numeric(try ceilNumeric(numeric(args[0]))) },
        .fn("floor", [.float8], .float8) { args, _ in .float8(float(args[0]).rounded(.down)) },
        .fn("floor", [.numeric], .numeric) { args, _ in .numeric(try ceilNumeric(numeric(args[0]).negated).negated) },
        .fn("mod", [.int2, .int2], .int2) { args, _ in try Arithmetic.numberOp("%", args[0], args[1]) },
        .fn("mod", [.int4, .int4], .int4) { args, _ in try Arithmetic.numberOp("%", args[0], args[1]) },
        .fn("mod", [.int8, .int8], .int8) { args, _ in try Arithmetic.numberOp("%", args[0], args[1]) },
        .fn("mod", [.numeric, .numeric], .numeric) { args, _ in try Arithmetic.numberOp("%", args[0], args[1]) },
        .fn("div", [.numeric, .numeric], .numeric) { args, _ in
            .numeric(try Numeric.divide(numeric(args[0]), numeric(args[1]), resultScale: 1).truncated(toScale: 0))
        },
        .fn("sign", [.float8], .float8) { args, _ in let x = float(args[0]); return .float8(x > 0 ? 1 : (x < 0 ? -1 : 0)) },
        .fn("sign", [.numeric], .numeric) { args, _ in .numeric(Numeric(Int64(numeric(args[0]).sign))) },
        .fn("sqrt", [.float8], .float8) { args, _ in
            let x = float(args[0])
            guard x >= 0 else { throw SQLError(SQLError.invalidArgumentForPowerFunction, "cannot take square root of a negative number") }
            return .float8(x.squareRoot())
        },
        .fn("power", [.float8, .float8], .float8) { args, _ in .float8(try power(float(args[0]), float(args[1]))) },
        .fn("pow", [.float8, .float8], .float8) { args, _ in .float8(try power(float(args[0]), float(args[1]))) },
        .fn("exp", [.float8], .float8) { args, _ in .float8(exp(float(args[0]))) },
        .fn("ln", [.float8], .float8) { args, _ in .float8(try logarithm(float(args[0]), base: nil)) },
        .fn("log", [.float8], .float8) { args, _ in .float8(try logarithm(float(args[0]), base: 10)) },
        .fn("log10", [.float8], .float8) { args, _ in .float8(try logarithm(float(args[0]), base: 10)) },
        .fn("pi", [], .float8) { _, _ in .float8(Double.pi) },
        .fn("random", [], .float8) { _, _ in .float8(Double.random(in: 0..<1)) },
    ]

    static func power(_ x: Double, _ y: Double) throws -> Double {
        if x == 0 && y < 0 { throw SQLError(SQLError.invalidArgumentForPowerFunction, "zero raised to a negative power is undefined") }
        if x < 0 && y != y.rounded() {
            throw SQLError(SQLError.invalidArgumentForPowerFunction, "a negative number raised to a non-integer power yields a complex result")
        }
        let result = pow(x, y)
        if result.isInfinite && x.isFinite && y.isFinite { throw Arithmetic.floatOverflow() }
        return result
    }

    static func logarithm(_ x: Double, base: Double?) throws -> Double {
        if x == 0 { throw SQLError(SQLError.invalidArgumentForLogarithm, "cannot take logarithm of zero") }
        if x < 0 { throw SQLError(SQLError.invalidArgumentForLogarithm, "cannot take logarithm of a negative number") }
        return base == 10 ? log10(x) : log(x)
    }

    static func roundNumeric(_ n: Numeric, _ scale: Int) throws -> Numeric {
        scale >= 0 ? try n.rounded(toScale: scale) : try shiftedRound(n, scale, truncate: false)
    }

    /// round/trunc to a negative scale (round(1234.5, -2) = 1200).
    static func shiftedRound(_ n: Numeric, _ scale: Int, truncate: Bool) throws -> Numeric {
        guard !n.isNaN, let factor = Numeric.powerOfTen(-scale) else { return n.isNaN ? n : .zero }
        let shifted = try Numeric.divide(n, Numeric(coefficient: factor, scale: 0), resultScale: n.scale + 1)
        let whole = truncate ? shifted.truncated(toScale: 0) : try shifted.rounded(toScale: 0)
        return try Numeric.multiply(whole, Numeric(coefficient: factor, scale: 0))
    }

    static func ceilNumeric(_ n: Numeric) throws -> Numeric {
        let t = n.truncated(toScale: 0)
        return Numeric.compare(t, n) < 0 ? try Numeric.add(t, Numeric(1)) : t
    }
}

extension Arithmetic {
    static func negateIfNegative(_ v: Value) throws -> Value {
        Value.compare(v, .int4(0)) < 0 ? try negate(v) : v
    }
}
