// String constants and quoted identifiers (scan.l's xq, xe, xd and xdolq states).
//
// Invariants: with standard_conforming_strings on (the only mode minipg has), a backslash is an
// ordinary character in '...' and an escape only in E'...'; two adjacent string constants
// separated by whitespace that contains a newline are one constant (SQL standard); a quoted
// identifier may not be empty.

extension Lexer {
    mutating func scanString(start: Int, escapes: Bool) throws(SQLError) -> Token {
        var value = StringConstantBuilder()
        try scanStringBody(start: start, escapes: escapes, into: &value)
        // 'foo'
        // 'bar'  continues the same constant.
        while true {
            let save = index
            var sawNewline = false
            while let c = peek(), c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\u{0C}" {
                if c == "\n" || c == "\r" { sawNewline = true }
                index += 1
            }
            if sawNewline && peek() == "'" {
                try scanStringBody(start: start, escapes: escapes, into: &value)
            } else {
                index = save
                break
            }
        }
        return Token(kind: .string, value: try value.finish(at: start), start: start, end: index)
    }

    /// Scans from the opening quote to just past the closing one.
    private mutating func scanStringBody(start: Int, escapes: Bool, into value: inout StringConstantBuilder) throws(SQLError) {
        index += 1  // opening '
        while true {
            guard let c = peek() else {
                throw error("unterminated quoted string at or near \"\(source(start, text.count))\"", at: start)
            }
            index += 1
            if c == "'" {
                if peek() == "'" {
                    value.append("'")
                    index += 1
                    continue
                }
                return
            }
            if c == "\\" && escapes {
                try scanEscape(start: start, into: &value)
                continue
            }
            value.append(c)
        }
    }

    /// One backslash escape of an E'...' string; `index` is just past the backslash.
    private mutating func scanEscape(start: Int, into value: inout StringConstantBuilder) throws(SQLError) {
        guard let c = peek() else {
            throw error("unterminated quoted string at or near \"\(source(start, text.count))\"", at: start)
        }
        index += 1
        switch c {
        case "b": value.append("\u{08}")
        case "f": value.append("\u{0C}")
        case "n": value.append("\n")
        case "r": value.append("\r")
        case "t": value.append("\t")
        case "x":
            if let code = scanDigits(radix: 16, maxCount: 2) {
                try value.appendByte(UInt8(code), at: start)
            } else {
                value.append("x")
            }
        case "u", "U":
            let count = c == "u" ? 4 : 8
            guard let code = scanDigits(radix: 16, maxCount: count, exactly: true), code != 0,
                  let scalar = Unicode.Scalar(code) else {
                throw SQLError(SQLError.invalidEscapeSequence, "invalid Unicode escape value",
                               position: start + 1)
            }
            value.append(scalar)
        case "0"..."7":
            index -= 1
            if let code = scanDigits(radix: 8, maxCount: 3) { try value.appendByte(UInt8(code & 0xFF), at: start) }
        default:
            value.append(c)
        }
    }

    private mutating func scanDigits(radix: UInt32, maxCount: Int, exactly: Bool = false) -> UInt32? {
        var result: UInt32 = 0
        var count = 0
        while count < maxCount, let c = peek(), let digit = Lexer.digitValue(c, radix: radix) {
            result = result * radix + digit
            count += 1
            index += 1
        }
        if count == 0 || (exactly && count != maxCount) { return nil }
        return result
    }

    private static func digitValue(_ c: Unicode.Scalar, radix: UInt32) -> UInt32? {
        let v: UInt32
        switch c {
        case "0"..."9": v = c.value - 48
        case "a"..."f": v = c.value - 97 + 10
        case "A"..."F": v = c.value - 65 + 10
        default: return nil
        }
        return v < radix ? v : nil
    }

    mutating func scanQuotedIdentifier(start: Int) throws(SQLError) -> Token {
        index += 1
        var value = String.UnicodeScalarView()
        while true {
            guard let c = peek() else {
                throw error("unterminated quoted identifier at or near \"\(source(start, text.count))\"", at: start)
            }
            index += 1
            if c == "\"" {
                if peek() == "\"" {
                    value.append("\"")
                    index += 1
                    continue
                }
                break
            }
            value.append(c)
        }
        if value.isEmpty {
            throw error("zero-length delimited identifier at or near \"\(source(start, index))\"", at: start)
        }
        return Token(kind: .quotedIdentifier, value: Lexer.truncatedIdentifier(String(value)), start: start, end: index)
    }

    /// `$$...$$` or `$tag$...$tag$`; nil when the `$` does not open a dollar quote.
    mutating func scanDollarQuotedString(start: Int) throws(SQLError) -> Token? {
        var end = start + 1
        while end < text.count, text[end] != "$" {
            guard isIdentifierContinuation(text[end]), text[end] != "$" else { return nil }
            end += 1
        }
        guard end < text.count else { return nil }
        let delimiter = Array(text[start...end])
        var i = end + 1
        while i + delimiter.count <= text.count {
            if text[i] == "$", Array(text[i..<(i + delimiter.count)]) == delimiter {
                let value = source(end + 1, i)
                index = i + delimiter.count
                return Token(kind: .string, value: value, start: start, end: index)
            }
            i += 1
        }
        throw error("unterminated dollar-quoted string at or near \"\(source(start, text.count))\"", at: start)
    }
}

/// Collects a string constant as UTF-8 bytes. Octal and `\x` escapes give single bytes, so the
/// whole constant is validated at the end (E'\xC3\xA9' is "é"), as PostgreSQL checks for a UTF8
/// database; NUL is refused.
struct StringConstantBuilder {
    private var bytes: [UInt8] = []

    mutating func append(_ scalar: Unicode.Scalar) {
        UTF8.encode(scalar) { bytes.append($0) }
    }

    mutating func appendByte(_ byte: UInt8, at start: Int) throws(SQLError) {
        if byte == 0 { throw StringConstantBuilder.invalidBytes([0], at: start) }
        bytes.append(byte)
    }

    mutating func finish(at start: Int) throws(SQLError) -> String {
        var scalars = String.UnicodeScalarView()
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                scalars.append(scalar)
                offset += UTF8.width(scalar)
            case .emptyInput:
                return String(scalars)
            case .error:
                throw StringConstantBuilder.invalidBytes(Array(bytes[offset...].prefix(2)), at: start)
            }
        }
    }

    private static func invalidBytes(_ bytes: [UInt8], at start: Int) -> SQLError {
        let hex = bytes.map { byte in
            let digits = String(byte, radix: 16)
            return "0x" + (digits.count == 1 ? "0" + digits : digits)
        }.joined(separator: " ")
        return SQLError(SQLError.characterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\": \(hex)",
                        position: start + 1)
    }
}
