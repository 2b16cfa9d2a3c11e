// FROM clauses: relations, subqueries and set-returning functions with their aliases, comma
// lists, and JOINs (gram.y's from_list / table_ref / joined_table).
//
// Invariants: joins are left-deep and bind tighter than commas, so in
// `FROM a, b LEFT JOIN c ON ...` the join is between b and c only; a subquery in FROM must have
// an alias (PostgreSQL 15's rule); a name followed by `(` is a function in FROM.

extension ParserState {
    mutating func parseFromList() throws(SQLError) -> [TableReference] {
        var items = [try parseTableReference()]
        while acceptSymbol(",") { items.append(try parseTableReference()) }
        return items
    }

    mutating func parseTableReference() throws(SQLError) -> TableReference {
        try enterNesting()
        defer { nestingDepth -= 1 }
        var left = try parseTablePrimary()
        while true {
            if acceptKeywords("cross", "join") {
                left = .join(Join(kind: .cross, left: left, right: try parseTablePrimary(), condition: .none))
                continue
            }
            let natural = acceptKeyword("natural")
            let kind: Join.Kind
            if acceptKeyword("join") {
                kind = .inner
            } else if acceptKeyword("inner") {
                try expectKeyword("join")
                kind = .inner
            } else if let outer = [("left", Join.Kind.left), ("right", .right), ("full", .full)].first(where: { isKeyword($0.0) }) {
                advance()
                _ = acceptKeyword("outer")
                try expectKeyword("join")
                kind = outer.1
            } else {
                if natural { throw syntaxError() }
                return left
            }
            let right = try parseTablePrimary()
            let condition: Join.Condition
            if natural {
                condition = .natural
            } else if acceptKeyword("on") {
                condition = .on(try parseExpression())
            } else if acceptKeyword("using") {
                condition = .using(try parseParenthesizedNameList())
            } else {
                throw syntaxError()
            }
            left = .join(Join(kind: kind, left: left, right: right, condition: condition))
        }
    }

    private mutating func parseTablePrimary() throws(SQLError) -> TableReference {
        let lateral = acceptKeyword("lateral")
        let token = current
        if acceptSymbol("(") {
            if let query = try parseSubqueryIfPresent() {
                try expectSymbol(")")
                guard let alias = try parseAlias() else {
                    throw SQLError(SQLError.syntaxError, "subquery in FROM must have an alias",
                                   hint: "For example, FROM (SELECT ...) [AS] foo.", position: token.position)
                }
                return .subquery(query, alias: alias, lateral: lateral, position: token.position)
            }
            // A parenthesised join: `(a JOIN b ON ...)`.
            let reference = try parseTableReference()
            try expectSymbol(")")
            return reference
        }
        _ = acceptKeyword("only")
        let name = try parseQualifiedName()
        if isSymbol("(") {
            guard case .function(let call) = try parseFunctionCall(name: name).kind else { throw syntaxError(at: token) }
            return .function(call, alias: try parseAlias(), lateral: lateral, position: token.position)
        }
        _ = acceptSymbol("*")  // `t *` (include inheritance children) is the default
        return .relation(name, alias: try parseAlias())
    }

    /// `[AS] name [(col, ...)]`; nil when there is no alias. `excluding` lists words that end the
    /// clause instead (UPDATE t SET ...).
    mutating func parseAlias(excluding: Set<String> = []) throws(SQLError) -> Alias? {
        let name: String
        if acceptKeyword("as") {
            name = try parseLabel().name
        } else if atColumnName, !(current.kind == .identifier && excluding.contains(current.value)) {
            name = advance().value
        } else {
            return nil
        }
        var columns: [String] = []
        if isSymbol("(") { columns = try parseParenthesizedNameList().map(\.name) }
        return Alias(name, columns: columns)
    }
}
