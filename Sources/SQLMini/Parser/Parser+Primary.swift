// Expressions, part 2: the primaries — constants, $n, column references, function calls, CASE,
// CAST, EXISTS, ARRAY, ROW, parenthesised expressions and subqueries, typed literals such as
// `date '2024-01-01'`, and the SQL keywords that are functions (CURRENT_TIMESTAMP, ...); EXTRACT,
// POSITION, SUBSTRING and TRIM are in Parser+SpecialFunctions.swift.
//
// Invariants: a reserved keyword never becomes a column reference; a name followed by `(` is a
// function call, and a (possibly qualified) name followed by a string constant is a typed literal
// (a cast of the string), as in gram.y's AexprConst.

extension ParserState {
    static let sqlValueFunctions: [String: SQLValueFunction] = [
        "current_date": .currentDate, "current_time": .currentTime, "current_timestamp": .currentTimestamp,
        "localtime": .localTime, "localtimestamp": .localTimestamp, "current_role": .currentRole,
        "current_user": .currentUser, "session_user": .sessionUser, "user": .user,
        "current_catalog": .currentCatalog,
    ]
    /// Functions that take a precision: CURRENT_TIMESTAMP(3) is CURRENT_TIMESTAMP cast to timestamptz(3).
    static let precisionTypes: [SQLValueFunction: String] = [
        .currentTime: "timetz", .currentTimestamp: "timestamptz", .localTime: "time", .localTimestamp: "timestamp",
    ]

    mutating func parsePrimaryExpression() throws(SQLError) -> Expression {
        let token = current
        switch token.kind {
        case .integer:
            advance()
            if let value = Int64(token.value) { return Expression(.literal(.integer(value)), position: token.position) }
            return Expression(.literal(.numeric(token.value)), position: token.position)
        case .numeric:
            advance()
            return Expression(.literal(.numeric(token.value)), position: token.position)
        case .string:
            advance()
            return Expression(.literal(.string(token.value)), position: token.position)
        case .parameter:
            advance()
            guard let number = Int(token.value), number >= 1, number <= ParserState.maximumParameterNumber else {
                throw error(SQLError.undefinedParameter, "there is no parameter $\(token.value)", at: token)
            }
            highestParameter = max(highestParameter, number)
            return Expression(.parameter(number), position: token.position)
        case .symbol:
            if token.isSymbol("(") { return try parseParenthesized() }
            throw syntaxError()
        case .identifier:
            if let keywordExpression = try parseKeywordExpression() { return keywordExpression }
            return try parseNameExpression()
        case .quotedIdentifier:
            return try parseNameExpression()
        case .endOfInput:
            throw syntaxError()
        }
    }

    /// `(expr)`, `(a, b)` (a row), or `(SELECT ...)` (a scalar subquery).
    mutating func parseParenthesized() throws(SQLError) -> Expression {
        let open = advance()
        if let query = try parseSubqueryIfPresent() {
            try expectSymbol(")")
            return Expression(.subquery(query), position: open.position)
        }
        let first = try parseExpression()
        if acceptSymbol(",") {
            var elements = [first]
            elements.append(contentsOf: try parseExpressionList())
            try expectSymbol(")")
            return Expression(.row(elements), position: open.position)
        }
        try expectSymbol(")")
        return first
    }

    /// Expressions introduced by a keyword; nil if the current word is not one of them.
    mutating func parseKeywordExpression() throws(SQLError) -> Expression? {
        let token = current
        let position = token.position
        switch token.value {
        case "true", "false":
            advance()
            return Expression(.literal(.boolean(token.value == "true")), position: position)
        case "null":
            advance()
            return Expression(.literal(.null), position: position)
        case "default":
            advance()
            return Expression(.defaultValue, position: position)
        case "case":
            return try parseCase()
        case "cast":
            advance()
            try expectSymbol("(")
            let value = try parseExpression()
            try expectKeyword("as")
            let type = try parseTypeName()
            try expectSymbol(")")
            return Expression(.cast(value, type), position: position)
        case "exists":
            guard peek().isSymbol("(") else { return nil }
            advance()
            advance()
            let query = try parseQuery()
            try expectSymbol(")")
            return Expression(.exists(query), position: position)
        case "array":
            advance()
            if acceptSymbol("(") {
                let query = try parseQuery()
                try expectSymbol(")")
                return Expression(.arraySubquery(query), position: position)
            }
            guard isSymbol("[") else { throw syntaxError() }
            return try parseArrayBrackets()
        case "row":
            guard peek().isSymbol("(") else { return nil }
            advance()
            advance()
            var elements: [Expression] = []
            if !isSymbol(")") { elements = try parseExpressionList() }
            try expectSymbol(")")
            return Expression(.row(elements), position: position)
        case "current_schema":
            if peek().isSymbol("(") { return nil }
            advance()
            return Expression(.sqlValueFunction(.currentSchema), position: position)
        case "extract", "position", "substring", "trim":
            guard peek().isSymbol("(") else { return nil }
            return try parseSpecialFunction()
        default:
            if let function = ParserState.sqlValueFunctions[token.value] {
                advance()
                var expression = Expression(.sqlValueFunction(function), position: position)
                if let typeName = ParserState.precisionTypes[function], acceptSymbol("(") {
                    let precision = try parseIntegerConstant()
                    try expectSymbol(")")
                    expression = Expression(.cast(expression, TypeName(typeName, modifiers: [precision], position: position)),
                                            position: position)
                }
                return expression
            }
            if ParserState.sqlTypeKeywords.contains(token.value), let literal = try parseTypedLiteralIfPresent() {
                return literal
            }
            if Keywords.reserved.contains(token.value) { throw syntaxError() }
            return nil
        }
    }

    /// `[a, b, ...]` after ARRAY, where elements may themselves be bare `[...]` sub-arrays.
    mutating func parseArrayBrackets() throws(SQLError) -> Expression {
        try enterNesting()
        defer { nestingDepth -= 1 }
        let open = current
        try expectSymbol("[")
        var elements: [Expression] = []
        if !isSymbol("]") {
            repeat {
                elements.append(isSymbol("[") ? try parseArrayBrackets() : try parseExpression())
            } while acceptSymbol(",")
        }
        try expectSymbol("]")
        return Expression(.array(elements), position: open.position)
    }

    /// `CASE [operand] WHEN ... THEN ... [ELSE ...] END`
    mutating func parseCase() throws(SQLError) -> Expression {
        let token = advance()
        var operand: Expression?
        if !isKeyword("when") { operand = try parseExpression() }
        var whens: [CaseExpression.When] = []
        while acceptKeyword("when") {
            let condition = try parseExpression()
            try expectKeyword("then")
            whens.append(CaseExpression.When(condition: condition, result: try parseExpression()))
        }
        if whens.isEmpty { throw syntaxError() }
        var elseResult: Expression?
        if acceptKeyword("else") { elseResult = try parseExpression() }
        try expectKeyword("end")
        let caseExpression = CaseExpression(operand: operand, whens: whens, elseResult: elseResult)
        return Expression(.caseWhen(caseExpression), position: token.position)
    }

    /// A column reference, a function call or a typed literal, starting with a name.
    mutating func parseNameExpression() throws(SQLError) -> Expression {
        let first = advance()
        var parts = [first.value]
        while isSymbol("."), peek().kind == .identifier || peek().kind == .quotedIdentifier {
            advance()
            parts.append(advance().value)
        }
        if isSymbol("(") {
            guard parts.count <= 2 else { throw syntaxError(at: first) }
            if first.kind == .identifier, parts.count == 1, !Keywords.isFunctionName(first.value) {
                throw syntaxError(at: first)
            }
            let name = parts.count == 2 ? QualifiedName(schema: parts[0], parts[1], position: first.position)
                                        : QualifiedName(parts[0], position: first.position)
            return try parseFunctionCall(name: name)
        }
        if first.kind == .identifier, parts.count == 1, !Keywords.isColumnName(first.value) {
            throw syntaxError(at: first)
        }
        if current.kind == .string, parts.count <= 2 {
            // Typed literal: `date '2024-01-01'`, `pg_catalog.int4 '1'`.
            let type = TypeName(schema: parts.count == 2 ? parts[0] : nil, parts[parts.count - 1], position: first.position)
            let literal = advance()
            return Expression(.cast(Expression(.literal(.string(literal.value)), position: literal.position), type),
                              position: first.position)
        }
        guard parts.count <= 4 else { throw syntaxError(at: first) }
        let name = parts.removeLast()
        // database.schema.table.column: the database part is dropped (it must be the current one).
        if parts.count == 3 { parts.removeFirst() }
        return Expression(.column(ColumnReference(qualifiers: parts, name)), position: first.position)
    }

    /// The argument list of a call, from the `(`: `(*)`, `(DISTINCT x)`, `(a, b ORDER BY c)`.
    mutating func parseFunctionCall(name: QualifiedName) throws(SQLError) -> Expression {
        try expectSymbol("(")
        var call = FunctionCall(name: name, arguments: [])
        if acceptSymbol("*") {
            call.star = true
        } else if !isSymbol(")") {
            if acceptKeyword("distinct") { call.distinct = true } else { _ = acceptKeyword("all") }
            call.arguments = try parseExpressionList()
            if acceptKeywords("order", "by") { call.orderBy = try parseOrderByList() }
        }
        try expectSymbol(")")
        if isKeyword("over") || isKeyword("filter") || isKeyword("within") {
            throw error(SQLError.featureNotSupported, "\(current.value.uppercased()) is not supported")
        }
        return Expression(.function(call), position: name.position)
    }
}
