// Numeric: PostgreSQL's exact decimal type, held as a fixed-point number
//
//     value = coefficient × 10^(-scale)        coefficient: Int128 (38 decimal digits), scale >= 0
//
// The scale is the display scale PostgreSQL keeps (numeric '1.50' prints "1.50"), so two equal
// values may have different scales; equality and hashing compare the values, not the spelling.
// 38 digits cover sums and averages of int8 and numeric(p,s) columns with p <= 38; beyond that
// operations fail with PostgreSQL's "value overflows numeric format" (22003) instead of wrapping.
// NaN is a value of its own that sorts above every number, as in PostgreSQL.

public struct Numeric: Sendable, CustomStringConvertible {
    public var coefficient: Int128
    public var scale: Int
    public var isNaN: Bool

    /// The most decimal digits the coefficient can hold.
    public static let maxDigits = 38
    /// PostgreSQL's NUMERIC_MIN_SIG_DIGITS: a quotient has at least this many significant digits.
    static let minSignificantDigits = 16
    /// PostgreSQL's NUMERIC_MAX_DISPLAY_SCALE.
    static let maxDisplayScale = 1000

    public init(coefficient: Int128, scale: Int) {
        self.coefficient = coefficient
        self.scale = scale
        self.isNaN = false
    }
    public init(_ integer: Int64) { self.init(coefficient: Int128(integer), scale: 0) }
    public static let nan: Numeric = { var n = Numeric(coefficient: 0, scale: 0); n.isNaN = true; return n }()
    public static let zero = Numeric(coefficient: 0, scale: 0)

    static func overflow() -> SQLError { SQLError(SQLError.numericValueOutOfRange, "value overflows numeric format") }

    static func powerOfTen(_ exponent: Int) -> Int128? {
        guard exponent >= 0, exponent <= maxDigits else { return nil }
        var result: Int128 = 1
        for _ in 0..<exponent { result *= 10 }
        return result
    }

    /// The coefficient rescaled to `newScale` (>= scale) or nil on overflow.
    func coefficient(atScale newScale: Int) -> Int128? {
        if newScale == scale { return coefficient }
        guard newScale > scale, let factor = Numeric.powerOfTen(newScale - scale) else { return nil }
        let (product, overflow) = coefficient.multipliedReportingOverflow(by: factor)
        return overflow ? nil : product
    }

    /// Rounds half away from zero to `newScale` digits after the point (like PostgreSQL's round()).
    public func rounded(toScale newScale: Int) throws -> Numeric {
        guard !isNaN else { return self }
        if newScale >= scale {
            guard let c = coefficient(atScale: newScale) else { throw Numeric.overflow() }
            return Numeric(coefficient: c, scale: newScale)
        }
        let drop = scale - newScale
        guard let divisor = Numeric.powerOfTen(drop) else { return Numeric(coefficient: 0, scale: newScale) }
        var (quotient, remainder) = coefficient.quotientAndRemainder(dividingBy: divisor)
        if remainder.magnitude * 2 >= divisor.magnitude { quotient += coefficient < 0 ? -1 : 1 }
        return Numeric(coefficient: quotient, scale: newScale)
    }

    /// Drops the digits after `newScale` without rounding (trunc()).
    public func truncated(toScale newScale: Int) -> Numeric {
        guard !isNaN, newScale < scale else { return self }
        guard let divisor = Numeric.powerOfTen(scale - newScale) else { return Numeric(coefficient: 0, scale: newScale) }
        return Numeric(coefficient: coefficient / divisor, scale: newScale)
    }

    /// The value with trailing fractional zeros removed (the canonical form for hashing).
    var normalized: Numeric {
        guard !isNaN else { return self }
        var n = self
        while n.scale > 0, n.coefficient % 10 == 0 { n.coefficient /= 10; n.scale -= 1 }
        return n
    }

    public var sign: Int { isNaN ? 0 : (coefficient > 0 ? 1 : (coefficient < 0 ? -1 : 0)) }

    // MARK: Text

    /// Parses PostgreSQL numeric input: `[+-]digits[.digits][e[+-]exp]`, `.5`, `NaN`, with spaces around.
    public init?(parsing text: String) {
        let trimmed = text.trimmingSpaces
        if trimmed.lowercased() == "nan" { self = .nan; return }
        var bytes = Array(trimmed.utf8)[...]
        guard !bytes.isEmpty else { return nil }
        var negative = false
        if bytes.first == UInt8(ascii: "-") || bytes.first == UInt8(ascii: "+") {
            negative = bytes.first == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        var coefficient: Int128 = 0
        var scale = 0, digits = 0, seenPoint = false, seenDigit = false
        while let b = bytes.first {
            if b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") {
                seenDigit = true
                if digits > 0 || b != UInt8(ascii: "0") { digits += 1 }
                guard digits <= Numeric.maxDigits else { return nil }
                coefficient = coefficient * 10 + Int128(b - UInt8(ascii: "0"))
                if seenPoint { scale += 1 }
            } else if b == UInt8(ascii: "."), !seenPoint {
                seenPoint = true
            } else { break }
            bytes = bytes.dropFirst()
        }
        guard seenDigit else { return nil }
        if let e = bytes.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            guard let exponent = Int(String(decoding: bytes.dropFirst(), as: UTF8.self)), abs(exponent) <= Numeric.maxDisplayScale else { return nil }
            bytes = []
            scale -= exponent
            if scale < 0 {
                guard let factor = Numeric.powerOfTen(-scale) else { return nil }
                let (p, o) = coefficient.multipliedReportingOverflow(by: factor)
                guard !o else { return nil }
                coefficient = p
                scale = 0
            }
        }
        guard bytes.isEmpty else { return nil }
        self.init(coefficient: negative ? -coefficient : coefficient, scale: scale)
    }

    /// PostgreSQL's output: every digit of the display scale, no exponent ("1.50", "-0.001", "NaN").
    public var description: String {
        guard !isNaN else { return "NaN" }
        var digits = String(coefficient.magnitude)
        if scale > 0 {
            if digits.count <= scale { digits = String(repeating: "0", count: scale - digits.count + 1) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -scale))
        }
        return coefficient < 0 ? "-" + digits : digits
    }

    // MARK: Conversions

    public init(double: Double) throws {
        guard double.isFinite else {
            if double.isNaN { self = .nan; return }
            throw SQLError(SQLError.featureNotSupported, "cannot convert infinity to numeric")
        }
        // PostgreSQL converts through "%.15g" (DBL_DIG significant digits).
        guard let parsed = Numeric(parsing: FloatFormatting.significantDigits(double, digits: 15)) else { throw Numeric.overflow() }
        self = parsed
    }

    public var doubleValue: Double {
        guard !isNaN else { return .nan }
        return Double(description) ?? .nan
    }

    /// Rounds to an integer (half away from zero); nil when it does not fit Int64.
    public var roundedInt64: Int64? {
        guard !isNaN, let r = try? rounded(toScale: 0) else { return nil }
        return Int64(exactly: r.coefficient)
    }
}

extension Numeric: Hashable, Comparable {
    public static func == (lhs: Numeric, rhs: Numeric) -> Bool { compare(lhs, rhs) == 0 }
    public func hash(into hasher: inout Hasher) {
        let n = normalized
        hasher.combine(n.isNaN)
        hasher.combine(n.coefficient)
        hasher.combine(n.scale)
    }
    public static func < (lhs: Numeric, rhs: Numeric) -> Bool { compare(lhs, rhs) < 0 }

    /// -1, 0, 1; NaN equals NaN and is greater than every number (PostgreSQL's btree order).
    public static func compare(_ a: Numeric, _ b: Numeric) -> Int {
        if a.isNaN || b.isNaN { return a.isNaN == b.isNaN ? 0 : (a.isNaN ? 1 : -1) }
        let s = max(a.scale, b.scale)
        if let x = a.coefficient(atScale: s), let y = b.coefficient(atScale: s) { return x < y ? -1 : (x > y ? 1 : 0) }
        // Rescaling overflowed: compare integer parts first, then the fractions.
        let ai = a.truncated(toScale: 0).coefficient, bi = b.truncated(toScale: 0).coefficient
        if ai != bi { return ai < bi ? -1 : 1 }
        return compare(a.subtractingIntegerPart(), b.subtractingIntegerPart())
    }
    private func subtractingIntegerPart() -> Numeric {
        guard let divisor = Numeric.powerOfTen(scale) else { return self }
        return Numeric(coefficient: coefficient % divisor, scale: scale)
    }
}

// MARK: Arithmetic (PostgreSQL's result scales)
extension Numeric {
    public static func add(_ a: Numeric, _ b: Numeric) throws -> Numeric {
        if a.isNaN || b.isNaN { return .nan }
        let s = max(a.scale, b.scale)
        guard let x = a.coefficient(atScale: s), let y = b.coefficient(atScale: s) else { throw overflow() }
        let (sum, o) = x.addingReportingOverflow(y)
        guard !o else { throw overflow() }
        return Numeric(coefficient: sum, scale: s)
    }
    public static func subtract(_ a: Numeric, _ b: Numeric) throws -> Numeric {
        var negated = b
        negated.coefficient = -b.coefficient
        return try add(a, negated)
    }
    /// The product keeps scale a.scale + b.scale, like PostgreSQL.
    public static func multiply(_ a: Numeric, _ b: Numeric) throws -> Numeric {
        if a.isNaN || b.isNaN { return .nan }
        let (p, o) = a.coefficient.multipliedReportingOverflow(by: b.coefficient)
        guard !o else { throw overflow() }
        return Numeric(coefficient: p, scale: a.scale + b.scale)
    }
    /// PostgreSQL's select_div_scale: at least 16 significant digits and no less than either input's scale.
    public static func divide(_ a: Numeric, _ b: Numeric) throws -> Numeric {
        if a.isNaN || b.isNaN { return .nan }
        guard b.coefficient != 0 else { throw SQLError(SQLError.divisionByZero, "division by zero") }
        let (w1, f1) = a.baseTenThousandWeightAndFirstDigit, (w2, f2) = b.baseTenThousandWeightAndFirstDigit
        var qweight = w1 - w2
        if f1 <= f2 { qweight -= 1 }
        let rscale = min(max(minSignificantDigits - qweight * 4, a.scale, b.scale, 0), maxDisplayScale)
        return try divide(a, b, resultScale: rscale)
    }

    /// a / b rounded half away from zero to `resultScale` digits by long division.
    static func divide(_ a: Numeric, _ b: Numeric, resultScale: Int) throws -> Numeric {
        guard b.coefficient != 0 else { throw SQLError(SQLError.divisionByZero, "division by zero") }
        // a/b = (ca / cb) × 10^(sb - sa); compute digits of ca/cb down to scale resultScale + (sa - sb) + 1.
        let negative = (a.coefficient < 0) != (b.coefficient < 0)
        let dividend = a.coefficient.magnitude, divisor = b.coefficient.magnitude
        var quotient = dividend / divisor, remainder = dividend % divisor
        // Number of decimal digits still to produce after the integer quotient.
        let extra = resultScale + 1 + b.scale - a.scale
        var produced = 0
        if extra < 0 {
            guard let f = powerOfTen(-extra) else { return Numeric(coefficient: 0, scale: resultScale) }
            quotient /= UInt128(f)
        }
        while produced < extra {
            let (q10, o1) = quotient.multipliedReportingOverflow(by: 10)
            let (r10, o2) = remainder.multipliedReportingOverflow(by: 10)
            guard !o1, !o2 else { throw overflow() }
            quotient = q10 + r10 / divisor
            remainder = r10 % divisor
            produced += 1
        }
        // quotient now has one digit more than needed: round it away.
        let lastDigit = quotient % 10
        quotient /= 10
        if lastDigit >= 5 { quotient += 1 }
        guard quotient <= UInt128(Int128.max) else { throw overflow() }
        let c = Int128(quotient)
        return Numeric(coefficient: negative ? -c : c, scale: resultScale)
    }

    /// Truncating integer division and remainder with the sign of the dividend (PostgreSQL's mod()).
    public static func remainder(_ a: Numeric, _ b: Numeric) throws -> Numeric {
        if a.isNaN || b.isNaN { return .nan }
        guard b.coefficient != 0 else { throw SQLError(SQLError.divisionByZero, "division by zero") }
        let s = max(a.scale, b.scale)
        guard let x = a.coefficient(atScale: s), let y = b.coefficient(atScale: s) else { throw overflow() }
        return Numeric(coefficient: x % y, scale: s)
    }

    public var negated: Numeric { isNaN ? self : Numeric(coefficient: -coefficient, scale: scale) }
    public var absolute: Numeric { isNaN ? self : Numeric(coefficient: coefficient < 0 ? -coefficient : coefficient, scale: scale) }

    /// PostgreSQL's weight (base-10000 digit position of the first non-zero group) and that group.
    var baseTenThousandWeightAndFirstDigit: (Int, Int) {
        guard coefficient != 0 else { return (0, 0) }
        let digits = Array(String(coefficient.magnitude).utf8)
        let exponent = digits.count - scale - 1              // value's leading digit is at 10^exponent
        let weight = exponent >= 0 ? exponent / 4 : -((-exponent + 3) / 4)
        let digitsInGroup = exponent - weight * 4 + 1        // 1...4
        var first = 0
        for i in 0..<digitsInGroup { first = first * 10 + (i < digits.count ? Int(digits[i] - UInt8(ascii: "0")) : 0) }
        return (weight, first)
    }
}
