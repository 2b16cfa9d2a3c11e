// Expressions, part 1: operators by precedence climbing, with PostgreSQL 15's precedence table
// (gram.y, lowest first):
//
//   OR < AND < NOT < IS, ISNULL, NOTNULL < comparison (= <> < > <= >=)
//      < BETWEEN, IN, LIKE, ILIKE < other operators (||, ~, !~, OPERATOR(...)) < + - < * / %
//      < ^ < AT TIME ZONE < COLLATE < unary minus < [] subscripts < :: casts
//
// Invariants: binary operators are left-associative except comparisons and BETWEEN/IN/LIKE, which
// do not associate (`a = b = c` is a syntax error, as in PostgreSQL); a unary minus applied to a
// numeric constant is folded into the constant (so -2147483648 is an int4 constant).

/// Binding strength of each operator class; a higher value binds tighter.
enum Precedence {
    static let or = 1
    static let and = 2
    static let not = 3
    static let isTest = 4
    static let comparison = 5
    static let patternMatch = 6   // BETWEEN IN LIKE ILIKE SIMILAR
    static let otherOperator = 7
    static let additive = 8
    static let multiplicative = 9
    static let exponent = 10
    static let atTimeZone = 11
    static let collate = 12
    static let unaryMinus = 13
}

extension ParserState {
    mutating func parseExpression() throws(SQLError) -> Expression {
        try parseExpression(minimumPrecedence: Precedence.or)
    }

    /// `expr, expr, ...`
    mutating func parseExpressionList() throws(SQLError) -> [Expression] {
        var list = [try parseExpression()]
        while acceptSymbol(",") { list.append(try parseExpression()) }
        return list
    }

    /// The precedence of the infix or postfix operator at the current token, if there is one.
    func infixPrecedence() -> Int? {
        let token = current
        switch token.kind {
        case .identifier:
            switch token.value {
            case "or": return Precedence.or
            case "and": return Precedence.and
            case "is", "isnull", "notnull": return Precedence.isTest
            case "like", "ilike", "in", "between", "similar": return Precedence.patternMatch
            case "not":
                let next = peek()
                if next.isKeyword("like") || next.isKeyword("ilike") || next.isKeyword("in")
                    || next.isKeyword("between") || next.isKeyword("similar") {
                    return Precedence.patternMatch
                }
                return nil
            case "operator": return peek().isSymbol("(") ? Precedence.otherOperator : nil
            case "at": return peek().isKeyword("time") ? Precedence.atTimeZone : nil
            case "collate": return Precedence.collate
            default: return nil
            }
        case .symbol:
            switch token.value {
            case "=", "<>", "<", ">", "<=", ">=": return Precedence.comparison
            case "+", "-": return Precedence.additive
            case "*", "/", "%": return Precedence.multiplicative
            case "^": return Precedence.exponent
            case "(", ")", "[", "]", ",", ";", ".", ":", "::": return nil
            default: return Precedence.otherOperator
            }
        default:
            return nil
        }
    }

    mutating func parseExpression(minimumPrecedence: Int) throws(SQLError) -> Expression {
        try enterNesting()
        defer { nestingDepth -= 1 }
        var left = try parsePrefixExpression()
        var previousNonAssociative: Int?
        var chainLength = 0
        while let precedence = infixPrecedence(), precedence >= minimumPrecedence {
            chainLength += 1
            if chainLength > ParserState.maximumOperatorChain { throw ParserState.tooComplex(at: current) }
            let nonAssociative = precedence == Precedence.comparison || precedence == Precedence.patternMatch
            if nonAssociative && previousNonAssociative == precedence { throw syntaxError() }
            left = try parseInfix(left: left, precedence: precedence)
            previousNonAssociative = nonAssociative ? precedence : nil
        }
        return left
    }

    mutating func parsePrefixExpression() throws(SQLError) -> Expression {
        let token = current
        if token.isKeyword("not") {
            advance()
            let operand = try parseExpression(minimumPrecedence: Precedence.not)
            return Expression(.unary(.not, operand), position: token.position)
        }
        if token.isSymbol("-") || token.isSymbol("+") {
            advance()
            let operand = try parseExpression(minimumPrecedence: Precedence.unaryMinus)
            if token.value == "+" { return Expression(.unary(.plus, operand), position: token.position) }
            switch operand.kind {
            case .literal(.integer(let value)):
                return Expression(.literal(.integer(-value)), position: token.position)
            case .literal(.numeric(let text)) where !text.hasPrefix("-"):
                // -9223372036854775808 is written as a numeric (too big for Int64 unsigned) but fits.
                if let value = Int64("-" + text) {
                    return Expression(.literal(.integer(value)), position: token.position)
                }
                return Expression(.literal(.numeric("-" + text)), position: token.position)
            default:
                return Expression(.unary(.minus, operand), position: token.position)
            }
        }
        return try parsePostfix(try parsePrimaryExpression())
    }

    /// Subscripts and `::type` casts, which bind tighter than any prefix or infix operator.
    mutating func parsePostfix(_ base: Expression) throws(SQLError) -> Expression {
        var expression = base
        while true {
            let token = current
            if acceptSymbol("::") {
                let type = try parseTypeName()
                expression = Expression(.cast(expression, type), position: token.position)
            } else if acceptSymbol("[") {
                let lower = try parseExpression()
                var upper: Expression?
                if acceptSymbol(":") { upper = try parseExpression() }
                try expectSymbol("]")
                expression = Expression(.arraySubscript(expression, lower: lower, upper: upper), position: token.position)
            } else {
                return expression
            }
        }
    }

    mutating func parseInfix(left: Expression, precedence: Int) throws(SQLError) -> Expression {
        let token = current
        let position = token.position
        switch precedence {
        case Precedence.or, Precedence.and:
            advance()
            let right = try parseExpression(minimumPrecedence: precedence + 1)
            return Expression(.binary(precedence == Precedence.or ? .or : .and, left, right), position: position)
        case Precedence.isTest:
            return try parseIsTest(left: left)
        case Precedence.patternMatch:
            return try parsePatternMatch(left: left)
        case Precedence.atTimeZone:
            advance()
            try expectKeyword("time")
            try expectKeyword("zone")
            let zone = try parseExpression(minimumPrecedence: Precedence.atTimeZone + 1)
            // PostgreSQL turns `x AT TIME ZONE z` into timezone(z, x).
            let name = QualifiedName(schema: "pg_catalog", "timezone", position: position)
            return Expression(.function(FunctionCall(name: name, arguments: [zone, left])), position: position)
        case Precedence.collate:
            advance()
            let first = try parseLabel()
            var collation = QualifiedName(first.name, position: first.position)
            if acceptSymbol(".") {
                collation = QualifiedName(schema: first.name, try parseLabel().name, position: first.position)
            }
            return Expression(.collate(left, collation), position: position)
        default:
            let op = try parseBinaryOperator()
            if (current.isKeyword("any") || current.isKeyword("some") || current.isKeyword("all")) && peek().isSymbol("(") {
                return try parseQuantified(left: left, op: op, position: position)
            }
            let right = try parseExpression(minimumPrecedence: precedence + 1)
            return Expression(.binary(op, left, right), position: position)
        }
    }

    /// An operator symbol or `OPERATOR(schema.op)`.
    mutating func parseBinaryOperator() throws(SQLError) -> BinaryOperator {
        let token = current
        if acceptKeyword("operator") {
            try expectSymbol("(")
            if current.kind == .identifier || current.kind == .quotedIdentifier {
                advance()
                try expectSymbol(".")
            }
            let symbol = current
            guard symbol.kind == .symbol, let op = BinaryOperator(rawValue: symbol.value) else { throw syntaxError() }
            advance()
            try expectSymbol(")")
            return op
        }
        guard token.kind == .symbol, let op = BinaryOperator(rawValue: token.value) else {
            throw error(SQLError.undefinedFunction, "operator does not exist: \(token.value)", at: token)
        }
        advance()
        return op
    }

    /// `x op ANY|SOME|ALL (array or subquery)`; the current token is ANY/SOME/ALL.
    mutating func parseQuantified(left: Expression, op: BinaryOperator, position: Int) throws(SQLError) -> Expression {
        let quantifier: QuantifiedComparison.Quantifier = advance().isKeyword("all") ? .all : .any
        try expectSymbol("(")
        let operand: QuantifiedComparison.Operand
        if let query = try parseSubqueryIfPresent() {
            operand = .subquery(query)
        } else {
            operand = .array(try parseExpression())
        }
        try expectSymbol(")")
        let comparison = QuantifiedComparison(left: left, op: op, quantifier: quantifier, right: operand)
        return Expression(.quantified(comparison), position: position)
    }

    /// `IS [NOT] NULL|TRUE|FALSE|UNKNOWN|DISTINCT FROM x`, `ISNULL`, `NOTNULL`.
    mutating func parseIsTest(left: Expression) throws(SQLError) -> Expression {
        let token = advance()
        if token.isKeyword("isnull") { return Expression(.isNull(left, negated: false), position: token.position) }
        if token.isKeyword("notnull") { return Expression(.isNull(left, negated: true), position: token.position) }
        let negated = acceptKeyword("not")
        if acceptKeyword("null") { return Expression(.isNull(left, negated: negated), position: token.position) }
        if acceptKeyword("true") {
            return Expression(.isBoolean(left, value: true, negated: negated), position: token.position)
        }
        if acceptKeyword("false") {
            return Expression(.isBoolean(left, value: false, negated: negated), position: token.position)
        }
        if acceptKeyword("unknown") {
            return Expression(.isBoolean(left, value: nil, negated: negated), position: token.position)
        }
        if acceptKeyword("distinct") {
            try expectKeyword("from")
            let right = try parseExpression(minimumPrecedence: Precedence.isTest + 1)
            return Expression(.isDistinctFrom(left, right, negated: negated), position: token.position)
        }
        throw syntaxError()
    }

    /// `[NOT] LIKE|ILIKE|BETWEEN|IN ...`
    mutating func parsePatternMatch(left: Expression) throws(SQLError) -> Expression {
        let position = current.position  // PostgreSQL points at NOT in `NOT LIKE`
        let negated = acceptKeyword("not")
        let token = advance()
        let operandPrecedence = Precedence.patternMatch + 1
        switch token.value {
        case "like", "ilike":
            let pattern = try parseExpression(minimumPrecedence: operandPrecedence)
            var escape: Expression?
            if acceptKeyword("escape") { escape = try parseExpression(minimumPrecedence: operandPrecedence) }
            let like = LikeExpression(value: left, pattern: pattern, escape: escape,
                                      caseInsensitive: token.value == "ilike", negated: negated)
            return Expression(.like(like), position: position)
        case "between":
            var symmetric = false
            if acceptKeyword("symmetric") { symmetric = true } else { _ = acceptKeyword("asymmetric") }
            let low = try parseExpression(minimumPrecedence: operandPrecedence)
            try expectKeyword("and")
            let high = try parseExpression(minimumPrecedence: operandPrecedence)
            let between = BetweenExpression(value: left, low: low, high: high, symmetric: symmetric, negated: negated)
            return Expression(.between(between), position: position)
        case "in":
            try expectSymbol("(")
            if let query = try parseSubqueryIfPresent() {
                try expectSymbol(")")
                return Expression(.inSubquery(left, query, negated: negated), position: position)
            }
            let list = try parseExpressionList()
            try expectSymbol(")")
            return Expression(.inList(left, list, negated: negated), position: position)
        default:
            // SIMILAR TO is not supported.
            throw syntaxError(at: token)
        }
    }

    /// After an opening parenthesis: a query if one starts here, else nil with nothing consumed.
    /// `((SELECT 1) + 1)` is an expression, so a leading `(` is tried as a query and undone if
    /// the query is not followed by the closing parenthesis.
    mutating func parseSubqueryIfPresent() throws(SQLError) -> Query? {
        if current.isKeyword("select") || current.isKeyword("values") || current.isKeyword("with") {
            return try parseQuery()
        }
        guard current.isSymbol("(") else { return nil }
        let saved = index
        let savedParameter = highestParameter
        if let query = try? parseQuery(), current.isSymbol(")") { return query }
        index = saved
        highestParameter = savedParameter
        return nil
    }
}
