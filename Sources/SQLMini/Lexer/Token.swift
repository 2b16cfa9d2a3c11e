// Token: one lexical unit of SQL text, as the Lexer produces it and the Parser consumes it.
//
// Invariants: `start`/`end` index the query's Unicode scalars (end exclusive), so `position`
// (start + 1) is the 1-based character offset PostgreSQL reports; `value` is the token's meaning
// (identifier folded to lower case unless quoted, string with escapes processed, `!=` as `<>`),
// while the source slice start..<end is what error messages quote.

struct Token: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// A name or keyword written without quotes (value folded to lower case).
        case identifier
        /// A "double-quoted" identifier (case kept; never a keyword).
        case quotedIdentifier
        /// '...', E'...', $$...$$ (value has escapes processed).
        case string
        /// Digits only.
        case integer
        /// Digits with a decimal point and/or an exponent.
        case numeric
        /// `$n`; value is the digits.
        case parameter
        /// An operator such as `=`, `<>`, `||`, `~`, `::` or a single punctuation character
        /// `( ) [ ] , ; . :`.
        case symbol
        case endOfInput
    }

    var kind: Kind
    var value: String
    var start: Int
    var end: Int

    var position: Int { start + 1 }

    /// True for an unquoted identifier equal to `keyword` (given in lower case).
    @inline(__always)
    func isKeyword(_ keyword: String) -> Bool { kind == .identifier && value == keyword }

    @inline(__always)
    func isSymbol(_ symbol: String) -> Bool { kind == .symbol && value == symbol }
}
