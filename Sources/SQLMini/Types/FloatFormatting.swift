// FloatFormatting: float4/float8 text output exactly as PostgreSQL 12+ prints it with the default
// extra_float_digits = 1: the shortest digits that read back to the same value (Swift's own
// description computes those), laid out like C's %g — plain notation when the decimal exponent is
// in [-4, 15) for float8 or [-4, 6) for float4, otherwise "1.5e+20" with at least two exponent digits.
// Special values print as "Infinity", "-Infinity" and "NaN".

enum FloatFormatting {
    /// Exponent at which float8 output switches to exponential notation (DBL_DIG = 15).
    static let float8ExponentialThreshold = 15
    /// Same for float4 (FLT_DIG = 6).
    static let float4ExponentialThreshold = 6

    static func format(_ value: Double) -> String {
        if let special = specialName(value) { return special }
        return layout(shortest: value.description, threshold: float8ExponentialThreshold)
    }

    static func format(_ value: Float) -> String {
        if let special = specialName(Double(value)) { return special }
        return layout(shortest: value.description, threshold: float4ExponentialThreshold)
    }

    private static func specialName(_ value: Double) -> String? {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        return nil
    }

    /// `digits` significant digits, then laid out like %g (used for float→numeric, "%.15g").
    static func significantDigits(_ value: Double, digits: Int) -> String {
        if let special = specialName(value) { return special }
        // Round the shortest representation to `digits` significant digits by decimal arithmetic.
        let (negative, mantissa, exponent) = decompose(value.description)
        var kept = Array(mantissa.prefix(digits))
        var exp = exponent
        if mantissa.count > digits, mantissa[digits] >= 5 {
            var i = kept.count - 1
            while i >= 0 {
                if kept[i] == 9 { kept[i] = 0; i -= 1 } else { kept[i] += 1; break }
            }
            if i < 0 { kept.insert(1, at: 0); kept.removeLast(); exp += 1 }
        }
        return compose(negative: negative, digits: kept, exponent: exp, threshold: digits)
    }

    private static func layout(shortest: String, threshold: Int) -> String {
        let (negative, digits, exponent) = decompose(shortest)
        return compose(negative: negative, digits: digits, exponent: exponent, threshold: threshold)
    }

    /// Splits Swift's description ("1.5e-07", "123.0", "-0.001") into sign, significant digits
    /// (without leading/trailing zeros) and the decimal exponent of the first digit.
    private static func decompose(_ text: String) -> (Bool, [Int], Int) {
        var chars = Array(text.utf8)[...]
        var negative = false
        if chars.first == UInt8(ascii: "-") { negative = true; chars = chars.dropFirst() }
        var exponentPart = 0
        if let e = chars.firstIndex(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            exponentPart = Int(String(decoding: chars[(e + 1)...], as: UTF8.self)) ?? 0
            chars = chars[..<e]
        }
        var digits: [Int] = []
        var pointPosition: Int? = nil
        for c in chars {
            if c == UInt8(ascii: ".") { pointPosition = digits.count } else { digits.append(Int(c - UInt8(ascii: "0"))) }
        }
        let integerDigits = pointPosition ?? digits.count
        var leadingZeros = 0
        while leadingZeros < digits.count, digits[leadingZeros] == 0 { leadingZeros += 1 }
        if leadingZeros == digits.count { return (negative, [0], 0) }
        var significant = Array(digits[leadingZeros...])
        while significant.count > 1, significant.last == 0 { significant.removeLast() }
        return (negative, significant, integerDigits - leadingZeros - 1 + exponentPart)
    }

    private static func compose(negative: Bool, digits: [Int], exponent: Int, threshold: Int) -> String {
        var out = negative ? "-" : ""
        let text = digits.map { String($0) }.joined()
        if digits == [0] { return out + "0" }
        if exponent < -4 || exponent >= threshold {
            out += String(text.prefix(1))
            if text.count > 1 { out += "." + text.dropFirst() }
            out += exponent < 0 ? "e-" : "e+"
            let magnitude = String(abs(exponent))
            out += magnitude.count < 2 ? "0" + magnitude : magnitude
            return out
        }
        if exponent < 0 {
            return out + "0." + String(repeating: "0", count: -exponent - 1) + text
        }
        if digits.count <= exponent + 1 {
            return out + text + String(repeating: "0", count: exponent + 1 - digits.count)
        }
        let split = text.index(text.startIndex, offsetBy: exponent + 1)
        return out + text[..<split] + "." + text[split...]
    }
}
