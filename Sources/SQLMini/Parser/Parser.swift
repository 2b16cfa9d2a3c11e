// Parser: the entry point of SQL parsing and the token-level helpers every grammar file uses.
// A hand-written recursive-descent parser over the Lexer's tokens; expressions use precedence
// climbing with PostgreSQL's operator precedences (Parser+Expressions.swift).
//
// Invariants: a query string parses completely or not at all (like PostgreSQL, a syntax error in
// the third statement means none runs); every syntax error is SQLError 42601 `syntax error at or
// near "<token as written>"` (or `at end of input`) whose position is that token's first
// character, counted in characters from 1 over the whole string.

public enum Parser {
    /// Splits `sql` at `;` and parses each non-empty statement.
    public static func parse(_ sql: String) throws(SQLError) -> [ParsedStatement] {
        let (tokens, text) = try Lexer.tokenize(sql)
        var parser = ParserState(tokens: tokens, text: text)
        return try parser.parseStatements()
    }

    /// Parses a lone expression, such as a column default kept as SQL text (pg_attrdef.adbin,
    /// written with Expression.sqlText).
    public static func parseExpression(_ sql: String) throws(SQLError) -> Expression {
        let (tokens, text) = try Lexer.tokenize(sql)
        var parser = ParserState(tokens: tokens, text: text)
        let expression = try parser.parseExpression()
        guard parser.current.kind == .endOfInput else { throw parser.syntaxError() }
        return expression
    }
}

struct ParserState {
    let tokens: [Token]
    let text: [Unicode.Scalar]
    var index = 0
    /// The highest $n seen in the statement being parsed.
    var highestParameter = 0
    /// The highest $n accepted: a Bind message counts its parameters in 16 bits, and the session
    /// allocates one slot per parameter up to the highest one.
    static let maximumParameterNumber = 65_535
    /// How deeply the parser has recursed into nested expressions, subqueries and joins.
    var nestingDepth = 0

    /// Deepest nesting of parentheses, subqueries, prefix operators and joins accepted. Every level
    /// costs the parser (and later the analyzer) several stack frames, and a session's worker thread
    /// has 8 MiB of stack; clients nest a handful of levels.
    static let maximumNestingDepth = 200
    /// Longest chain of binary operators (`a OR b OR c ...`), which becomes a tree this deep.
    static let maximumOperatorChain = 1000

    init(tokens: [Token], text: [Unicode.Scalar]) {
        self.tokens = tokens
        self.text = text
    }

    // MARK: Statements of a query string

    mutating func parseStatements() throws(SQLError) -> [ParsedStatement] {
        var statements: [ParsedStatement] = []
        while true {
            while acceptSymbol(";") {}
            if current.kind == .endOfInput { return statements }
            let first = current
            highestParameter = 0
            let statement = try parseStatement()
            guard current.isSymbol(";") || current.kind == .endOfInput else { throw syntaxError() }
            let last = tokens[index - 1]
            statements.append(ParsedStatement(statement: statement, text: source(first.start, last.end),
                                              position: first.position, parameterCount: highestParameter))
        }
    }

    // MARK: Token access

    var current: Token { tokens[index] }

    func peek(_ offset: Int = 1) -> Token { tokens[min(index + offset, tokens.count - 1)] }

    @discardableResult
    mutating func advance() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    func isKeyword(_ keyword: String) -> Bool { current.isKeyword(keyword) }

    func isSymbol(_ symbol: String) -> Bool { current.isSymbol(symbol) }

    mutating func acceptKeyword(_ keyword: String) -> Bool {
        guard current.isKeyword(keyword) else { return false }
        advance()
        return true
    }

    /// Accepts a sequence of keywords only if all of them are there.
    mutating func acceptKeywords(_ keywords: String...) -> Bool {
        for (offset, keyword) in keywords.enumerated() where !peek(offset).isKeyword(keyword) { return false }
        index += keywords.count
        return true
    }

    mutating func expectKeyword(_ keyword: String) throws(SQLError) {
        guard acceptKeyword(keyword) else { throw syntaxError() }
    }

    mutating func acceptSymbol(_ symbol: String) -> Bool {
        guard current.isSymbol(symbol) else { return false }
        advance()
        return true
    }

    mutating func expectSymbol(_ symbol: String) throws(SQLError) {
        guard acceptSymbol(symbol) else { throw syntaxError() }
    }

    func source(_ start: Int, _ end: Int) -> String {
        String(scalars: text[start..<end])
    }

    // MARK: Errors

    /// Counts one level of recursion; callers pair it with `defer { nestingDepth -= 1 }`.
    mutating func enterNesting() throws(SQLError) {
        nestingDepth += 1
        if nestingDepth > ParserState.maximumNestingDepth { throw ParserState.tooComplex(at: current) }
    }

    /// PostgreSQL's check_stack_depth() error.
    static func tooComplex(at token: Token) -> SQLError {
        SQLError(SQLError.statementTooComplex, "stack depth limit exceeded",
                 hint: "The statement nests expressions or subqueries more than \(maximumNestingDepth) levels deep.",
                 position: token.position)
    }

    /// PostgreSQL's parser error for the current (or given) token.
    func syntaxError(at token: Token? = nil) -> SQLError {
        let token = token ?? current
        if token.kind == .endOfInput {
            return SQLError(SQLError.syntaxError, "syntax error at end of input", position: token.position)
        }
        return SQLError(SQLError.syntaxError, "syntax error at or near \"\(source(token.start, token.end))\"",
                        position: token.position)
    }

    func error(_ sqlState: String, _ message: String, at token: Token? = nil) -> SQLError {
        SQLError(sqlState, message, position: (token ?? current).position)
    }

    func error(_ sqlState: String, _ message: String, at position: Int) -> SQLError {
        SQLError(sqlState, message, position: position)
    }

    // MARK: Names

    /// True if the current token can be a column or table name (an identifier that is not a
    /// reserved or type/function-only keyword, or any quoted identifier).
    var atColumnName: Bool {
        switch current.kind {
        case .quotedIdentifier: return true
        case .identifier: return Keywords.isColumnName(current.value)
        default: return false
        }
    }

    /// A column, table, schema or alias name (PostgreSQL's ColId).
    mutating func parseName() throws(SQLError) -> Identifier {
        guard atColumnName else { throw syntaxError() }
        let token = advance()
        return Identifier(token.value, position: token.position)
    }

    /// Any identifier, keywords included (PostgreSQL's ColLabel: after AS, after a `.`).
    mutating func parseLabel() throws(SQLError) -> Identifier {
        guard current.kind == .identifier || current.kind == .quotedIdentifier else { throw syntaxError() }
        let token = advance()
        return Identifier(token.value, position: token.position)
    }

    /// `name` or `schema.name`.
    mutating func parseQualifiedName() throws(SQLError) -> QualifiedName {
        let first = try parseName()
        if acceptSymbol(".") {
            let second = try parseLabel()
            if acceptSymbol(".") {
                // catalog.schema.name: the catalog must be the current database; keep schema.name.
                let third = try parseLabel()
                return QualifiedName(schema: second.name, third.name, position: first.position)
            }
            return QualifiedName(schema: first.name, second.name, position: first.position)
        }
        return QualifiedName(first.name, position: first.position)
    }

    /// `name, name, ...`
    mutating func parseNameList() throws(SQLError) -> [Identifier] {
        var names = [try parseName()]
        while acceptSymbol(",") { names.append(try parseName()) }
        return names
    }

    /// `(name, name, ...)`
    mutating func parseParenthesizedNameList() throws(SQLError) -> [Identifier] {
        try expectSymbol("(")
        let names = try parseNameList()
        try expectSymbol(")")
        return names
    }

    /// `a, b.c, ...`
    mutating func parseQualifiedNameList() throws(SQLError) -> [QualifiedName] {
        var names = [try parseQualifiedName()]
        while acceptSymbol(",") { names.append(try parseQualifiedName()) }
        return names
    }

    /// An integer constant, optionally negative (for typmods, CONNECTION LIMIT, ...).
    mutating func parseIntegerConstant() throws(SQLError) -> Int {
        let negative = acceptSymbol("-")
        guard current.kind == .integer, let value = Int(current.value) else { throw syntaxError() }
        advance()
        return negative ? -value : value
    }

    /// A string constant.
    mutating func parseStringConstant() throws(SQLError) -> String {
        guard current.kind == .string else { throw syntaxError() }
        return advance().value
    }
}

extension SQLError {
    /// Class 54 — statement_too_complex (PostgreSQL reports "stack depth limit exceeded" with it).
    static let statementTooComplex = "54001"
}
