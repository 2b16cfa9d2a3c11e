// Lexer: turns SQL text into Tokens, following PostgreSQL's scan.l for the parts minipg speaks:
// whitespace, `--` and nested `/* */` comments, identifiers (unquoted ones folded to lower case,
// "quoted" ones kept, both truncated to 63 bytes), numbers, $n parameters, operators, and
// strings (Lexer+Strings.swift).
//
// Invariants: the token list always ends with one .endOfInput token whose start is the length of
// the text; a lexical error throws SQLError 42601 pointing at the offending token's first
// character, with PostgreSQL's message text.

struct Lexer {
    /// Characters PostgreSQL allows in operators (scan.l `op_chars`).
    static let operatorCharacters: ASCIISet = ["~", "!", "@", "#", "^", "&", "|", "`", "?", "+", "-", "*", "/", "%", "<", ">", "="]
    /// Characters that allow a multi-character operator to end in `+` or `-` (scan.l).
    static let nonMathOperatorCharacters: ASCIISet = ["~", "!", "@", "#", "^", "&", "|", "`", "?", "%"]
    static let punctuation: ASCIISet = ["(", ")", "[", "]", ",", ";", "."]
    /// NAMEDATALEN - 1: longer identifiers are truncated to this many bytes, like PostgreSQL.
    static let maximumIdentifierBytes = 63

    let text: [Unicode.Scalar]
    var index = 0

    init(_ sql: String) {
        text = Array(sql.unicodeScalars)
    }

    /// Scans the whole text.
    static func tokenize(_ sql: String) throws(SQLError) -> (tokens: [Token], text: [Unicode.Scalar]) {
        var lexer = Lexer(sql)
        var tokens: [Token] = []
        while true {
            let token = try lexer.nextToken()
            tokens.append(token)
            if token.kind == .endOfInput { return (tokens, lexer.text) }
        }
    }

    func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        let i = index + offset
        return i < text.count ? text[i] : nil
    }

    func source(_ start: Int, _ end: Int) -> String {
        String(scalars: text[start..<min(end, text.count)])
    }

    func error(_ message: String, at start: Int) -> SQLError {
        SQLError(SQLError.syntaxError, message, position: start + 1)
    }

    mutating func nextToken() throws(SQLError) -> Token {
        try skipWhitespaceAndComments()
        let start = index
        guard let c = peek() else { return Token(kind: .endOfInput, value: "", start: text.count, end: text.count) }

        if (c == "e" || c == "E") && peek(1) == "'" {
            index += 1
            return try scanString(start: start, escapes: true)
        }
        if c == "'" { return try scanString(start: start, escapes: false) }
        if c == "\"" { return try scanQuotedIdentifier(start: start) }
        if c == "$" {
            if let d = peek(1), isDigit(d) { return scanParameter(start: start) }
            if let token = try scanDollarQuotedString(start: start) { return token }
        }
        if isIdentifierStart(c) { return scanIdentifier(start: start) }
        if isDigit(c) || (c == "." && peek(1).map(isDigit) == true) { return try scanNumber(start: start) }
        if c == ":" {
            if peek(1) == ":" {
                index += 2
                return Token(kind: .symbol, value: "::", start: start, end: index)
            }
            index += 1
            return Token(kind: .symbol, value: ":", start: start, end: index)
        }
        if Lexer.punctuation.contains(c) {
            index += 1
            return Token(kind: .symbol, value: String(c), start: start, end: index)
        }
        if Lexer.operatorCharacters.contains(c) { return scanOperator(start: start) }
        index += 1
        throw error("syntax error at or near \"\(source(start, index))\"", at: start)
    }

    mutating func skipWhitespaceAndComments() throws(SQLError) {
        while let c = peek() {
            if c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\u{0C}" {
                index += 1
            } else if c == "-" && peek(1) == "-" {
                while let d = peek(), d != "\n" && d != "\r" { index += 1 }
            } else if c == "/" && peek(1) == "*" {
                let start = index
                var depth = 0
                repeat {
                    if peek() == "/" && peek(1) == "*" {
                        depth += 1
                        index += 2
                    } else if peek() == "*" && peek(1) == "/" {
                        depth -= 1
                        index += 2
                    } else if peek() == nil {
                        throw error("unterminated /* comment at or near \"\(source(start, text.count))\"", at: start)
                    } else {
                        index += 1
                    }
                } while depth > 0
            } else {
                return
            }
        }
    }

    func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }

    func isIdentifierStart(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_" || c.value >= 0x80
    }

    func isIdentifierContinuation(_ c: Unicode.Scalar) -> Bool {
        isIdentifierStart(c) || isDigit(c) || c == "$"
    }

    mutating func scanIdentifier(start: Int) -> Token {
        while let c = peek(), isIdentifierContinuation(c) { index += 1 }
        // PostgreSQL folds only ASCII letters (downcase_identifier).
        let folded = String(scalars: text[start..<index], foldingASCIIUppercase: true)
        return Token(kind: .identifier, value: Lexer.truncatedIdentifier(folded), start: start, end: index)
    }

    /// Cuts an identifier to maximumIdentifierBytes of UTF-8 at a character boundary.
    static func truncatedIdentifier(_ name: String) -> String {
        guard name.utf8.count > maximumIdentifierBytes else { return name }
        var result = String.UnicodeScalarView()
        var bytes = 0
        for scalar in name.unicodeScalars {
            bytes += UTF8.width(scalar)
            if bytes > maximumIdentifierBytes { break }
            result.append(scalar)
        }
        return String(result)
    }

    mutating func scanParameter(start: Int) -> Token {
        index += 1
        while let c = peek(), isDigit(c) { index += 1 }
        return Token(kind: .parameter, value: source(start + 1, index), start: start, end: index)
    }

    mutating func scanNumber(start: Int) throws(SQLError) -> Token {
        var isInteger = true
        while let c = peek(), isDigit(c) { index += 1 }
        // A `.` starts a fraction unless it begins `..` (never valid here, but keep it out).
        if peek() == ".", peek(1) != "." {
            isInteger = false
            index += 1
            while let c = peek(), isDigit(c) { index += 1 }
        }
        if let e = peek(), e == "e" || e == "E" {
            var lookahead = 1
            if peek(1) == "+" || peek(1) == "-" { lookahead = 2 }
            if let d = peek(lookahead), isDigit(d) {
                isInteger = false
                index += lookahead
                while let c = peek(), isDigit(c) { index += 1 }
            }
        }
        // scan.l rejects a number running straight into an identifier ("123abc").
        if let c = peek(), isIdentifierStart(c) {
            while let d = peek(), isIdentifierContinuation(d) { index += 1 }
            throw error("trailing junk after numeric literal at or near \"\(source(start, index))\"", at: start)
        }
        return Token(kind: isInteger ? .integer : .numeric, value: source(start, index), start: start, end: index)
    }

    /// Longest run of operator characters, cut at a comment start and trimmed of a trailing
    /// `+`/`-` unless the operator contains a non-math character (so `=-1` is `=` then `-1`).
    mutating func scanOperator(start: Int) -> Token {
        var end = start
        while end < text.count, Lexer.operatorCharacters.contains(text[end]) { end += 1 }
        for i in (start + 1)..<max(end, start + 1) {
            let pair = (text[i - 1], text[i])
            if (pair.0 == "/" && pair.1 == "*") || (pair.0 == "-" && pair.1 == "-") {
                end = max(i - 1, start + 1)
                break
            }
        }
        if end - start > 1 {
            let hasNonMath = text[start..<end].contains { Lexer.nonMathOperatorCharacters.contains($0) }
            if !hasNonMath {
                while end - start > 1, text[end - 1] == "+" || text[end - 1] == "-" { end -= 1 }
            }
        }
        index = end
        var value = source(start, end)
        if value == "!=" { value = "<>" }
        return Token(kind: .symbol, value: value, start: start, end: end)
    }
}
