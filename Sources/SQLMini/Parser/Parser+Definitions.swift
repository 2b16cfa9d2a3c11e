// CREATE TABLE, CREATE INDEX, ALTER TABLE, DROP TABLE/INDEX and TRUNCATE.
//
// Invariants: column and table constraints are kept in source order; `WITH (name=value)` storage
// options are kept as text; CREATE/ALTER/DROP ROLE and USER are in Parser+Roles.swift.

extension ParserState {
    mutating func parseCreate() throws(SQLError) -> Statement {
        try expectKeyword("create")
        if isKeyword("role") || isKeyword("user") { return .createRole(try parseCreateRole()) }
        var persistence = CreateTableStatement.Persistence.permanent
        if acceptKeyword("temp") || acceptKeyword("temporary") {
            persistence = .temporary
        } else if acceptKeyword("unlogged") {
            persistence = .unlogged
        }
        if acceptKeyword("table") { return .createTable(try parseCreateTable(persistence: persistence)) }
        if persistence == .permanent {
            if acceptKeyword("unique") {
                try expectKeyword("index")
                return .createIndex(try parseCreateIndex(unique: true))
            }
            if acceptKeyword("index") { return .createIndex(try parseCreateIndex(unique: false)) }
        }
        throw syntaxError()
    }

    private mutating func parseIfNotExists() -> Bool { acceptKeywords("if", "not", "exists") }

    private mutating func parseCreateTable(persistence: CreateTableStatement.Persistence) throws(SQLError)
        -> CreateTableStatement {
        let ifNotExists = parseIfNotExists()
        var statement = CreateTableStatement(name: try parseQualifiedName(), ifNotExists: ifNotExists,
                                             persistence: persistence, columns: [])
        try expectSymbol("(")
        if !isSymbol(")") {
            repeat {
                if isKeyword("constraint") || isKeyword("primary") || isKeyword("unique") {
                    statement.constraints.append(try parseTableConstraint())
                } else {
                    statement.columns.append(try parseColumnDefinition())
                }
            } while acceptSymbol(",")
        }
        try expectSymbol(")")
        if acceptKeyword("with") { statement.options = try parseStorageOptions() }
        if acceptKeywords("on", "commit") {
            // PRESERVE ROWS is what every table does; DELETE ROWS / DROP would need temporary tables.
            guard acceptKeywords("preserve", "rows") else {
                throw error(SQLError.featureNotSupported, "ON COMMIT \(current.value.uppercased()) is not supported")
            }
        }
        return statement
    }

    /// `(name [= value], ...)` after WITH.
    mutating func parseStorageOptions() throws(SQLError) -> [StorageOption] {
        try expectSymbol("(")
        var options: [StorageOption] = []
        repeat {
            var name = try parseLabel().name
            while acceptSymbol(".") { name += "." + (try parseLabel().name) }
            var value: String?
            if acceptSymbol("=") {
                let token = advance()
                switch token.kind {
                case .identifier, .quotedIdentifier, .string, .integer, .numeric: value = token.value
                default: throw syntaxError(at: token)
                }
            }
            options.append(StorageOption(name: name, value: value))
        } while acceptSymbol(",")
        try expectSymbol(")")
        return options
    }

    mutating func parseColumnDefinition() throws(SQLError) -> ColumnDefinition {
        let name = try parseName()
        var column = ColumnDefinition(name: name, type: try parseTypeName())
        while true {
            let token = current
            var constraintName: String?
            if acceptKeyword("constraint") { constraintName = try parseName().name }
            let kind: ColumnConstraint.Kind
            if acceptKeywords("not", "null") {
                kind = .notNull
            } else if acceptKeyword("null") {
                kind = .null
            } else if acceptKeyword("default") {
                // b_expr in gram.y: no AND/OR/NOT/IS at the top level, so `DEFAULT 0 NOT NULL` works.
                kind = .defaultValue(try parseExpression(minimumPrecedence: Precedence.comparison))
            } else if acceptKeywords("primary", "key") {
                kind = .primaryKey
            } else if acceptKeyword("unique") {
                kind = .unique
            } else if constraintName == nil, acceptKeyword("collate") {
                // Only the database's one collation exists; `COLLATE "C"` and friends are accepted.
                _ = try parseLabel()
                if acceptSymbol(".") { _ = try parseLabel() }
                continue
            } else if isKeyword("check") || isKeyword("references") || isKeyword("generated") {
                throw error(SQLError.featureNotSupported, "\(current.value.uppercased()) constraints are not supported")
            } else {
                if constraintName != nil { throw syntaxError() }
                return column
            }
            column.constraints.append(ColumnConstraint(name: constraintName, kind: kind, position: token.position))
        }
    }

    /// `[CONSTRAINT name] PRIMARY KEY (cols) | UNIQUE (cols)`
    mutating func parseTableConstraint() throws(SQLError) -> TableConstraint {
        let token = current
        var name: String?
        if acceptKeyword("constraint") { name = try parseName().name }
        let kind: TableConstraint.Kind
        if acceptKeywords("primary", "key") {
            kind = .primaryKey(try parseParenthesizedNameList())
        } else if acceptKeyword("unique") {
            kind = .unique(try parseParenthesizedNameList())
        } else if isKeyword("check") || isKeyword("foreign") || isKeyword("exclude") {
            throw error(SQLError.featureNotSupported, "\(current.value.uppercased()) constraints are not supported")
        } else {
            throw syntaxError()
        }
        return TableConstraint(name: name, kind: kind, position: token.position)
    }

    /// After CREATE [UNIQUE] INDEX.
    private mutating func parseCreateIndex(unique: Bool) throws(SQLError) -> CreateIndexStatement {
        if isKeyword("concurrently") {
            throw error(SQLError.featureNotSupported, "CREATE INDEX CONCURRENTLY is not supported")
        }
        let ifNotExists = parseIfNotExists()
        var name: String?
        if !isKeyword("on") { name = try parseName().name }
        if ifNotExists && name == nil { throw syntaxError() }
        try expectKeyword("on")
        _ = acceptKeyword("only")
        let table = try parseQualifiedName()
        var method: String?
        if acceptKeyword("using") { method = try parseName().name }
        try expectSymbol("(")
        var elements: [CreateIndexStatement.Element] = []
        repeat {
            if isSymbol("(") { throw error(SQLError.featureNotSupported, "indexes on expressions are not supported") }
            var element = CreateIndexStatement.Element(column: try parseName())
            if acceptKeyword("desc") { element.descending = true } else { _ = acceptKeyword("asc") }
            if acceptKeyword("nulls") {
                if acceptKeyword("first") { element.nullsFirst = true }
                else if acceptKeyword("last") { element.nullsFirst = false }
                else { throw syntaxError() }
            }
            elements.append(element)
        } while acceptSymbol(",")
        try expectSymbol(")")
        var statement = CreateIndexStatement(name: name, table: table, unique: unique, ifNotExists: ifNotExists,
                                             method: method, elements: elements)
        if acceptKeyword("with") { statement.options = try parseStorageOptions() }
        if isKeyword("where") { throw error(SQLError.featureNotSupported, "partial indexes are not supported") }
        return statement
    }

    mutating func parseAlter() throws(SQLError) -> Statement {
        try expectKeyword("alter")
        if isKeyword("role") || isKeyword("user") { return .alterRole(try parseAlterRole()) }
        try expectKeyword("table")
        let ifExists = acceptKeywords("if", "exists")
        _ = acceptKeyword("only")
        var statement = AlterTableStatement(table: try parseQualifiedName(), ifExists: ifExists, actions: [])
        repeat {
            try expectKeyword("add")
            if isKeyword("constraint") || isKeyword("primary") || isKeyword("unique") || isKeyword("check")
                || isKeyword("foreign") {
                statement.actions.append(.addConstraint(try parseTableConstraint()))
            } else {
                _ = acceptKeyword("column")
                let ifNotExists = parseIfNotExists()
                statement.actions.append(.addColumn(try parseColumnDefinition(), ifNotExists: ifNotExists))
            }
        } while acceptSymbol(",")
        return .alterTable(statement)
    }

    mutating func parseDrop() throws(SQLError) -> Statement {
        try expectKeyword("drop")
        if isKeyword("role") || isKeyword("user") { return .dropRole(try parseDropRole()) }
        let objectType: DropStatement.ObjectType
        if acceptKeyword("table") {
            objectType = .table
        } else if acceptKeyword("index") {
            if isKeyword("concurrently") {
                throw error(SQLError.featureNotSupported, "DROP INDEX CONCURRENTLY is not supported")
            }
            objectType = .index
        } else {
            throw syntaxError()
        }
        let ifExists = acceptKeywords("if", "exists")
        let names = try parseQualifiedNameList()
        var cascade = false
        if acceptKeyword("cascade") { cascade = true } else { _ = acceptKeyword("restrict") }
        return .drop(DropStatement(objectType: objectType, names: names, ifExists: ifExists, cascade: cascade))
    }

    mutating func parseTruncate() throws(SQLError) -> TruncateStatement {
        try expectKeyword("truncate")
        _ = acceptKeyword("table")
        var tables: [QualifiedName] = []
        repeat {
            _ = acceptKeyword("only")
            tables.append(try parseQualifiedName())
            _ = acceptSymbol("*")
        } while acceptSymbol(",")
        var statement = TruncateStatement(tables: tables)
        if acceptKeywords("restart", "identity") { statement.restartIdentity = true }
        else { _ = acceptKeywords("continue", "identity") }
        if acceptKeyword("cascade") { statement.cascade = true } else { _ = acceptKeyword("restrict") }
        return statement
    }
}
