// ASCIISet: a set of ASCII characters as a 128-bit mask, for the lexer's character classes
// (operator characters, punctuation). Membership is a shift and a test, where a Set<Unicode.Scalar>
// hashes the character: the lexer asks once or twice per character of every query.

struct ASCIISet: ExpressibleByArrayLiteral, Sendable {
    private var low: UInt64 = 0      // characters 0...63
    private var high: UInt64 = 0     // characters 64...127

    init(arrayLiteral elements: Unicode.Scalar...) {
        for element in elements {
            precondition(element.isASCII, "ASCIISet holds ASCII characters only")
            if element.value < 64 { low |= 1 << element.value } else { high |= 1 << (element.value - 64) }
        }
    }

    func contains(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        if v < 64 { return (low >> v) & 1 == 1 }
        if v < 128 { return (high >> (v - 64)) & 1 == 1 }
        return false
    }
}
