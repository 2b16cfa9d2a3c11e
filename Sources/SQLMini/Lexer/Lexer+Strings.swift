// String constants and quoted identifiers (scan.l's xq, xe, xd and xdolq states).
//
// Invariants: with standard_conforming_strings on (the only mode minipg has), a backslash is an
// ordinary character in '...' and an escape only in E'...'; two adjacent string constants
// separated by whitespace that contains a newline are one constant (SQL standard); a quoted
// identifier may not be empty.

extension Lexer {
    mutating func scanString(start: Int, escapes: Bool) throws(SQLError) -> Token {
        var value = String.UnicodeScalarView()
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
        return Token(kind: .string, value: String(value), start: start, end: index)
    }

    /// Scans from the opening quote to just past the closing one.
    private mutating func scanStringBody(start: Int, escapes: Bool,
                                         into value: inout String.UnicodeScalarView) throws(SQLError) {
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
    private mutating func scanEscape(start: Int, into value: inout String.UnicodeScalarView) throws(SQLError) {
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
            let code = scanDigits(radix: 16, maxCount: 2)
            if let code, let scalar = Unicode.Scalar(code) { value.append(scalar) } else { value.append("x") }
        case "u", "U":
            let count = c == "u" ? 4 : 8
            guard let code = scanDigits(radix: 16, maxCount: count, exactly: true), let scalar = Unicode.Scalar(code) else {
                throw SQLError(SQLError.invalidEscapeSequence, "invalid Unicode escape",
                               hint: "Unicode escapes must be \\uXXXX or \\UXXXXXXXX.", position: index)
            }
            value.append(scalar)
        case "0"..."7":
            index -= 1
            if let code = scanDigits(radix: 8, maxCount: 3), let scalar = Unicode.Scalar(code & 0xFF) {
                value.append(scalar)
            }
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
        return Token(kind: .quotedIdentifier, value: String(value), start: start, end: index)
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
