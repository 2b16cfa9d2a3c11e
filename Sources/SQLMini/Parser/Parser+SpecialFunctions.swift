// The SQL-standard functions with keyword syntax inside their parentheses, rewritten into plain
// calls of pg_catalog functions exactly as gram.y does (so their output column names match):
//
//   EXTRACT(field FROM x)              -> extract('field', x)
//   POSITION(sub IN string)            -> position(string, sub)
//   SUBSTRING(x FROM a FOR b)          -> substring(x, a, b)     (FOR b alone: substring(x, 1, b))
//   TRIM([BOTH|LEADING|TRAILING] [chars] FROM x) -> btrim|ltrim|rtrim(x, chars)
//
// Invariants: the ordinary comma forms (`substring(x, 1, 2)`, `trim(x)`) still parse; the rewritten
// call's position is the function keyword's.

extension ParserState {
    /// At EXTRACT, POSITION, SUBSTRING or TRIM followed by `(`.
    mutating func parseSpecialFunction() throws(SQLError) -> Expression {
        let token = advance()
        try expectSymbol("(")
        let name: String
        let arguments: [Expression]
        switch token.value {
        case "extract":
            (name, arguments) = ("extract", try parseExtractArguments())
        case "position":
            // b_expr IN b_expr: the operands cannot themselves contain IN.
            let substring = try parseExpression(minimumPrecedence: Precedence.patternMatch + 1)
            try expectKeyword("in")
            let string = try parseExpression(minimumPrecedence: Precedence.patternMatch + 1)
            (name, arguments) = ("position", [string, substring])
        case "substring":
            (name, arguments) = ("substring", try parseSubstringArguments(at: token))
        default:
            (name, arguments) = try parseTrimArguments()
        }
        try expectSymbol(")")
        let call = FunctionCall(name: QualifiedName(schema: "pg_catalog", name, position: token.position), arguments: arguments)
        return Expression(.function(call), position: token.position)
    }

    private mutating func parseExtractArguments() throws(SQLError) -> [Expression] {
        let fieldToken = current
        switch fieldToken.kind {
        case .identifier, .quotedIdentifier, .string: advance()
        default: throw syntaxError()
        }
        try expectKeyword("from")
        let field = Expression(.literal(.string(fieldToken.value)), position: fieldToken.position)
        return [field, try parseExpression()]
    }

    private mutating func parseSubstringArguments(at token: Token) throws(SQLError) -> [Expression] {
        let string = try parseExpression()
        var start: Expression?
        var count: Expression?
        if acceptKeyword("from") {
            start = try parseExpression()
            if acceptKeyword("for") { count = try parseExpression() }
        } else if acceptKeyword("for") {
            count = try parseExpression()
            if acceptKeyword("from") { start = try parseExpression() }
        } else {
            var arguments = [string]
            while acceptSymbol(",") { arguments.append(try parseExpression()) }
            return arguments
        }
        let from = start ?? Expression(.literal(.integer(1)), position: token.position)
        return [string, from] + (count.map { [$0] } ?? [])
    }

    private mutating func parseTrimArguments() throws(SQLError) -> (String, [Expression]) {
        var name = "btrim"
        if acceptKeyword("leading") { name = "ltrim" }
        else if acceptKeyword("trailing") { name = "rtrim" }
        else { _ = acceptKeyword("both") }
        if acceptKeyword("from") { return (name, try parseExpressionList()) }
        let first = try parseExpression()
        if acceptKeyword("from") {
            // TRIM(chars FROM string) -> btrim(string, chars)
            return (name, try parseExpressionList() + [first])
        }
        var arguments = [first]
        while acceptSymbol(",") { arguments.append(try parseExpression()) }
        return (name, arguments)
    }
}
