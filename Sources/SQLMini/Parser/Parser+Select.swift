// Queries: SELECT blocks, VALUES, set operations, and the ORDER BY / LIMIT / OFFSET / FOR UPDATE
// that follow them (gram.y's select_no_parens / simple_select).
//
// Invariants: INTERSECT binds tighter than UNION and EXCEPT, which associate to the left; ORDER
// BY, LIMIT and OFFSET after a set operation apply to the whole result; a query may carry at most
// one of each (`multiple ORDER BY clauses not allowed`, as PostgreSQL says).

extension ParserState {
    mutating func parseQuery() throws(SQLError) -> Query {
        try enterNesting()
        defer { nestingDepth -= 1 }
        var query = try parseSetOperations(minimumLevel: 1)
        try parseQueryTail(into: &query)
        return query
    }

    /// UNION/EXCEPT are level 1, INTERSECT level 2.
    private mutating func parseSetOperations(minimumLevel: Int) throws(SQLError) -> Query {
        var left = try parseQueryTerm()
        while true {
            let op: SetOperation.Operator
            let level: Int
            if isKeyword("union") { (op, level) = (.union, 1) }
            else if isKeyword("except") { (op, level) = (.except, 1) }
            else if isKeyword("intersect") { (op, level) = (.intersect, 2) }
            else { return left }
            if level < minimumLevel { return left }
            advance()
            let all = acceptKeyword("all")
            if !all { _ = acceptKeyword("distinct") }
            let right = try parseSetOperations(minimumLevel: level + 1)
            let operation = SetOperation(op: op, all: all, left: left, right: right)
            left = Query(body: .setOperation(operation), position: left.position)
        }
    }

    /// One SELECT, VALUES, `TABLE t`, or a parenthesised query.
    private mutating func parseQueryTerm() throws(SQLError) -> Query {
        let token = current
        if acceptSymbol("(") {
            let query = try parseQuery()
            try expectSymbol(")")
            return query
        }
        if isKeyword("select") {
            return Query(body: .select(try parseSelectCore()), position: token.position)
        }
        if acceptKeyword("values") {
            return Query(body: .values(try parseValuesRows()), position: token.position)
        }
        if acceptKeyword("table") {
            let name = try parseQualifiedName()
            let core = SelectCore(targets: [.wildcard(qualifiers: [], position: token.position)],
                                  from: [.relation(name, alias: nil)])
            return Query(body: .select(core), position: token.position)
        }
        if isKeyword("with") {
            throw error(SQLError.featureNotSupported, "WITH queries are not supported")
        }
        throw syntaxError()
    }

    /// `(a, b), (c, d)` after VALUES.
    mutating func parseValuesRows() throws(SQLError) -> [[Expression]] {
        var rows: [[Expression]] = []
        repeat {
            try expectSymbol("(")
            rows.append(try parseExpressionList())
            try expectSymbol(")")
        } while acceptSymbol(",")
        return rows
    }

    /// ORDER BY, LIMIT, OFFSET, FETCH FIRST and FOR UPDATE, in any of PostgreSQL's orders.
    private mutating func parseQueryTail(into query: inout Query) throws(SQLError) {
        if acceptKeywords("order", "by") {
            let items = try parseOrderByList()
            // A parenthesised query already sorted: PostgreSQL points at the first sort key.
            if !query.orderBy.isEmpty {
                throw error(SQLError.syntaxError, "multiple ORDER BY clauses not allowed", at: items[0].expression.position)
            }
            query.orderBy = items
        }
        // LIMIT, OFFSET (or FETCH FIRST) and FOR UPDATE, each at most once, in any order; a repeat
        // ends the query, and whatever follows is then a syntax error.
        var sawLimit = false
        var sawOffset = false
        var sawLocking = false
        while true {
            let token = current
            if !sawLimit, acceptKeyword("limit") {
                sawLimit = true
                if isKeyword("all") {
                    let all = advance()
                    if query.limit != nil { throw error(SQLError.syntaxError, "multiple LIMIT clauses not allowed", at: all) }
                    continue
                }
                try setLimit(try parseExpression(), of: &query)
                if isSymbol(",") {
                    throw error(SQLError.featureNotSupported, "LIMIT #,# syntax is not supported", at: token)
                }
            } else if !sawOffset, acceptKeyword("offset") {
                sawOffset = true
                let offset = try parseExpression()
                if query.offset != nil {
                    throw error(SQLError.syntaxError, "multiple OFFSET clauses not allowed", at: offset.position)
                }
                query.offset = offset
                _ = acceptKeyword("row") || acceptKeyword("rows")
            } else if !sawLimit, acceptKeyword("fetch") {
                sawLimit = true
                guard acceptKeyword("first") || acceptKeyword("next") else { throw syntaxError() }
                if isKeyword("row") || isKeyword("rows") {
                    try setLimit(Expression(.literal(.integer(1)), position: token.position), of: &query)
                } else {
                    try setLimit(try parseExpression(minimumPrecedence: Precedence.unaryMinus), of: &query)
                }
                guard acceptKeyword("row") || acceptKeyword("rows") else { throw syntaxError() }
                try expectKeyword("only")
            } else if !sawLocking, isKeyword("for") {
                sawLocking = true
                query.locking = try parseLockingClause()
            } else {
                return
            }
        }
    }

    private func setLimit(_ limit: Expression, of query: inout Query) throws(SQLError) {
        if query.limit != nil { throw error(SQLError.syntaxError, "multiple LIMIT clauses not allowed", at: limit.position) }
        query.limit = limit
    }

    private mutating func parseLockingClause() throws(SQLError) -> RowLockingClause {
        try expectKeyword("for")
        let strength: RowLockingClause.Strength
        if acceptKeyword("update") { strength = .update }
        else if acceptKeyword("share") { strength = .share }
        else if acceptKeywords("no", "key", "update") { strength = .noKeyUpdate }
        else if acceptKeywords("key", "share") { strength = .keyShare }
        else { throw syntaxError() }
        var clause = RowLockingClause(strength: strength)
        if acceptKeyword("of") { clause.tables = try parseQualifiedNameList() }
        if acceptKeyword("nowait") { clause.waitPolicy = .noWait }
        else if acceptKeywords("skip", "locked") { clause.waitPolicy = .skipLocked }
        return clause
    }

    mutating func parseOrderByList() throws(SQLError) -> [OrderByItem] {
        var items: [OrderByItem] = []
        repeat {
            var item = OrderByItem(expression: try parseExpression())
            if acceptKeyword("desc") { item.descending = true } else { _ = acceptKeyword("asc") }
            if acceptKeyword("nulls") {
                if acceptKeyword("first") { item.nullsFirst = true }
                else if acceptKeyword("last") { item.nullsFirst = false }
                else { throw syntaxError() }
            }
            items.append(item)
        } while acceptSymbol(",")
        return items
    }

    /// `SELECT [DISTINCT [ON (...)]] targets [FROM ...] [WHERE ...] [GROUP BY ...] [HAVING ...]`
    mutating func parseSelectCore() throws(SQLError) -> SelectCore {
        try expectKeyword("select")
        var core = SelectCore(targets: [])
        if acceptKeyword("distinct") {
            if acceptKeyword("on") {
                try expectSymbol("(")
                core.distinct = .distinctOn(try parseExpressionList())
                try expectSymbol(")")
            } else {
                core.distinct = .distinct
            }
        } else {
            _ = acceptKeyword("all")
        }
        if !atEndOfSelectList { core.targets = try parseSelectList() }
        if isKeyword("into") { throw error(SQLError.featureNotSupported, "SELECT INTO is not supported") }
        if acceptKeyword("from") { core.from = try parseFromList() }
        if acceptKeyword("where") { core.whereClause = try parseExpression() }
        if acceptKeywords("group", "by") {
            _ = acceptKeyword("all")
            core.groupBy = try parseExpressionList()
        }
        if acceptKeyword("having") { core.having = try parseExpression() }
        if isKeyword("window") { throw error(SQLError.featureNotSupported, "WINDOW is not supported") }
        return core
    }

    /// `SELECT` may have an empty target list (`SELECT FROM t`, `SELECT;`).
    private var atEndOfSelectList: Bool {
        current.kind == .endOfInput || isSymbol(";") || isSymbol(")")
            || ["from", "where", "group", "having", "union", "intersect", "except", "order", "limit", "offset", "for", "into"]
                .contains { isKeyword($0) }
    }

    /// A select list or RETURNING list.
    mutating func parseSelectList() throws(SQLError) -> [SelectItem] {
        var items: [SelectItem] = []
        repeat { items.append(try parseSelectItem()) } while acceptSymbol(",")
        return items
    }

    private mutating func parseSelectItem() throws(SQLError) -> SelectItem {
        let token = current
        if acceptSymbol("*") { return .wildcard(qualifiers: [], position: token.position) }
        // `t.*` / `s.t.*`
        var offset = 0
        var qualifiers: [String] = []
        while peek(offset).kind == .identifier || peek(offset).kind == .quotedIdentifier, peek(offset + 1).isSymbol(".") {
            qualifiers.append(peek(offset).value)
            if peek(offset + 2).isSymbol("*") {
                index += offset + 3
                return .wildcard(qualifiers: qualifiers, position: token.position)
            }
            offset += 2
        }
        let expression = try parseExpression()
        if acceptKeyword("as") { return .expression(expression, alias: try parseLabel().name) }
        if current.kind == .quotedIdentifier || (current.kind == .identifier && Keywords.isColumnName(current.value)) {
            return .expression(expression, alias: advance().value)
        }
        return .expression(expression, alias: nil)
    }
}
