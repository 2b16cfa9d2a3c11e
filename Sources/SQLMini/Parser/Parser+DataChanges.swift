// INSERT, UPDATE and DELETE (gram.y's InsertStmt, UpdateStmt, DeleteStmt).
//
// Invariants: `INSERT ... VALUES` without ORDER BY/LIMIT becomes .values (so DEFAULT may appear
// in its rows); any other source is a full Query; an UPDATE target alias is never the word SET.

extension ParserState {
    mutating func parseInsert() throws(SQLError) -> InsertStatement {
        try expectKeyword("insert")
        try expectKeyword("into")
        let table = try parseQualifiedName()
        var alias: String?
        if acceptKeyword("as") { alias = try parseName().name }
        var columns: [Identifier] = []
        if isSymbol("("), !(peek().isKeyword("select") || peek().isKeyword("values") || peek().isSymbol("(")) {
            columns = try parseParenthesizedNameList()
        }
        let source: InsertStatement.Source
        if acceptKeywords("default", "values") {
            source = .defaultValues
        } else {
            if isKeyword("overriding") { throw error(SQLError.featureNotSupported, "OVERRIDING is not supported") }
            let query = try parseQuery()
            if case .values(let rows) = query.body, query.orderBy.isEmpty, query.limit == nil, query.offset == nil {
                source = .values(rows)
            } else {
                source = .query(query)
            }
        }
        if isKeyword("on") && peek().isKeyword("conflict") {
            throw error(SQLError.featureNotSupported, "ON CONFLICT is not supported")
        }
        var statement = InsertStatement(table: table, alias: alias, columns: columns, source: source)
        if acceptKeyword("returning") { statement.returning = try parseSelectList() }
        return statement
    }

    mutating func parseUpdate() throws(SQLError) -> UpdateStatement {
        try expectKeyword("update")
        _ = acceptKeyword("only")
        let table = try parseQualifiedName()
        let alias = try parseAlias(excluding: ["set"])
        try expectKeyword("set")
        var assignments: [Assignment] = []
        repeat {
            if isSymbol("(") { throw error(SQLError.featureNotSupported, "multiple-column UPDATE is not supported") }
            let column = try parseName()
            try expectSymbol("=")
            assignments.append(Assignment(column: column, value: try parseExpression()))
        } while acceptSymbol(",")
        var statement = UpdateStatement(table: table, alias: alias?.name, assignments: assignments, whereClause: nil)
        if acceptKeyword("from") { statement.from = try parseFromList() }
        statement.whereClause = try parseSearchCondition()
        if acceptKeyword("returning") { statement.returning = try parseSelectList() }
        return statement
    }

    mutating func parseDelete() throws(SQLError) -> DeleteStatement {
        try expectKeyword("delete")
        try expectKeyword("from")
        _ = acceptKeyword("only")
        let table = try parseQualifiedName()
        let alias = try parseAlias()
        var statement = DeleteStatement(table: table, alias: alias?.name, whereClause: nil)
        if acceptKeyword("using") { statement.using = try parseFromList() }
        statement.whereClause = try parseSearchCondition()
        if acceptKeyword("returning") { statement.returning = try parseSelectList() }
        return statement
    }

    /// UPDATE's and DELETE's `[WHERE condition]`; positioned updates (WHERE CURRENT OF) are not supported.
    private mutating func parseSearchCondition() throws(SQLError) -> Expression? {
        guard acceptKeyword("where") else { return nil }
        if isKeyword("current") && peek().isKeyword("of") {
            throw error(SQLError.featureNotSupported, "WHERE CURRENT OF is not supported")
        }
        return try parseExpression()
    }
}
