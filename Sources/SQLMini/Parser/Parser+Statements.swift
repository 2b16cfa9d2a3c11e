// Statement dispatch on the first keyword, plus the small utility statements: transaction
// control, SET / RESET / SHOW, VACUUM / ANALYZE / CHECKPOINT and EXPLAIN.
//
// Invariants: END means COMMIT and ABORT means ROLLBACK; a setting name may be dotted
// (`myapp.flag`); the SQL-standard SET forms are mapped to the GUC they set.

extension ParserState {
    mutating func parseStatement() throws(SQLError) -> Statement {
        let token = current
        guard token.kind == .identifier else {
            if token.isSymbol("(") { return .select(try parseQuery()) }
            throw syntaxError()
        }
        switch token.value {
        case "select", "values", "table", "with": return .select(try parseQuery())
        case "insert": return .insert(try parseInsert())
        case "update": return .update(try parseUpdate())
        case "delete": return .delete(try parseDelete())
        case "copy": return .copy(try parseCopy())
        case "create": return try parseCreate()
        case "alter": return try parseAlter()
        case "drop": return try parseDrop()
        case "truncate": return .truncate(try parseTruncate())
        case "begin", "start": return .transaction(try parseBegin())
        case "commit", "end":
            advance()
            try skipTransactionNoise()
            return .transaction(.commit)
        case "rollback", "abort": return .transaction(try parseRollback())
        case "savepoint":
            advance()
            return .transaction(.savepoint(try parseName().name))
        case "release":
            advance()
            _ = acceptKeyword("savepoint")
            return .transaction(.release(try parseName().name))
        case "set": return try parseSet()
        case "reset":
            advance()
            if acceptKeyword("all") { return .reset(name: nil) }
            return .reset(name: try parseSettingName())
        case "show":
            advance()
            if acceptKeyword("all") { return .show(name: "all") }
            return .show(name: try parseSettingName())
        case "vacuum": return .vacuum(try parseVacuum())
        case "analyze", "analyse":
            advance()
            _ = acceptKeyword("verbose")
            return .analyze(tables: atColumnName ? try parseQualifiedNameList() : [])
        case "checkpoint":
            advance()
            return .checkpoint
        case "explain": return .explain(try parseExplain())
        case "deallocate":
            advance()
            _ = acceptKeyword("prepare")
            if acceptKeyword("all") { return .deallocate(name: nil) }
            return .deallocate(name: try parseName().name)
        default: throw syntaxError()
        }
    }

    // MARK: Transactions

    /// `[WORK | TRANSACTION]` after COMMIT, END, ROLLBACK, ABORT and BEGIN.
    private mutating func skipTransactionNoise() throws(SQLError) {
        if !acceptKeyword("work") { _ = acceptKeyword("transaction") }
        try parseChainOption()
    }

    /// `AND NO CHAIN` (the default) is accepted; `AND CHAIN` is not supported.
    private mutating func parseChainOption() throws(SQLError) {
        guard isKeyword("and") else { return }
        if acceptKeywords("and", "no", "chain") { return }
        if isKeyword("and") && peek().isKeyword("chain") {
            throw error(SQLError.featureNotSupported, "AND CHAIN is not supported")
        }
        throw syntaxError()
    }

    private mutating func parseBegin() throws(SQLError) -> TransactionStatement {
        if acceptKeyword("start") {
            try expectKeyword("transaction")
            return .startTransaction(try parseTransactionModes())
        }
        try expectKeyword("begin")
        if !acceptKeyword("work") { _ = acceptKeyword("transaction") }
        return .begin(try parseTransactionModes())
    }

    /// `ISOLATION LEVEL ... | READ ONLY | READ WRITE | [NOT] DEFERRABLE`, comma-separated or not.
    mutating func parseTransactionModes() throws(SQLError) -> TransactionModes {
        var modes = TransactionModes()
        while true {
            if acceptKeywords("isolation", "level") {
                if acceptKeyword("serializable") { modes.isolationLevel = .serializable }
                else if acceptKeywords("repeatable", "read") { modes.isolationLevel = .repeatableRead }
                else if acceptKeywords("read", "committed") { modes.isolationLevel = .readCommitted }
                else if acceptKeywords("read", "uncommitted") { modes.isolationLevel = .readUncommitted }
                else { throw syntaxError() }
            } else if acceptKeywords("read", "only") {
                modes.readOnly = true
            } else if acceptKeywords("read", "write") {
                modes.readOnly = false
            } else if acceptKeyword("deferrable") {
                modes.deferrable = true
            } else if acceptKeywords("not", "deferrable") {
                modes.deferrable = false
            } else {
                return modes
            }
            _ = acceptSymbol(",")
        }
    }

    private mutating func parseRollback() throws(SQLError) -> TransactionStatement {
        advance()
        if !acceptKeyword("work") { _ = acceptKeyword("transaction") }
        if acceptKeyword("to") {
            _ = acceptKeyword("savepoint")
            return .rollbackTo(try parseName().name)
        }
        try parseChainOption()
        return .rollback
    }

    // MARK: SET / SHOW

    /// A setting name: `work_mem`, `"DateStyle"`, `myapp.flag`; SQL spellings mapped to GUC names.
    private mutating func parseSettingName() throws(SQLError) -> String {
        if acceptKeywords("time", "zone") { return "timezone" }
        if acceptKeywords("transaction", "isolation", "level") { return "transaction_isolation" }
        if acceptKeywords("session", "authorization") { return "session_authorization" }
        guard current.kind == .identifier || current.kind == .quotedIdentifier else { throw syntaxError() }
        var name = advance().value
        while acceptSymbol(".") { name += "." + (try parseLabel().name) }
        return name.lowercased()
    }

    private mutating func parseSet() throws(SQLError) -> Statement {
        try expectKeyword("set")
        var local = false
        if acceptKeyword("local") {
            local = true
        } else if acceptKeywords("session", "characteristics") {
            try expectKeyword("as")
            try expectKeyword("transaction")
            return .setTransaction(try parseTransactionModes(), sessionDefault: true)
        } else if !(isKeyword("session") && peek().isKeyword("authorization")) {
            _ = acceptKeyword("session")
        }
        let position = current.position
        if acceptKeyword("role") {
            let value: SetStatement.Value = acceptKeyword("none") ? .defaultValue : .list([try parseSetArgument()])
            return .set(SetStatement(local: local, name: "role", value: value, position: position))
        }
        if acceptKeywords("session", "authorization") {
            let value: SetStatement.Value = acceptKeyword("default") ? .defaultValue : .list([try parseSetArgument()])
            return .set(SetStatement(local: local, name: "session_authorization", value: value, position: position))
        }
        if acceptKeyword("transaction") {
            return .setTransaction(try parseTransactionModes(), sessionDefault: false)
        }
        if acceptKeywords("time", "zone") {
            let value: SetStatement.Value
            if acceptKeyword("default") || acceptKeyword("local") {
                value = .defaultValue
            } else if acceptKeyword("interval") {
                value = .list([.string(try parseStringConstant())])
            } else {
                value = .list([try parseSetArgument()])
            }
            return .set(SetStatement(local: local, name: "timezone", value: value, position: position))
        }
        if acceptKeyword("names") {
            let value: SetStatement.Value = acceptKeyword("default") ? .defaultValue : .list([try parseSetArgument()])
            return .set(SetStatement(local: local, name: "client_encoding", value: value, position: position))
        }
        if isKeyword("schema") && peek().kind == .string {
            advance()
            let value = SetStatement.Value.list([.string(try parseStringConstant())])
            return .set(SetStatement(local: local, name: "search_path", value: value, position: position))
        }
        let name = try parseSettingName()
        guard acceptKeyword("to") || acceptSymbol("=") else { throw syntaxError() }
        if acceptKeyword("default") {
            return .set(SetStatement(local: local, name: name, value: .defaultValue, position: position))
        }
        var arguments = [try parseSetArgument()]
        while acceptSymbol(",") { arguments.append(try parseSetArgument()) }
        return .set(SetStatement(local: local, name: name, value: .list(arguments), position: position))
    }

    /// A value in SET: a string, a number (possibly negative) or a word (`on`, `public`, `"$user"`).
    private mutating func parseSetArgument() throws(SQLError) -> SetArgument {
        let token = current
        switch token.kind {
        case .string:
            advance()
            return .string(token.value)
        case .integer, .numeric:
            advance()
            return .number(token.value)
        case .identifier, .quotedIdentifier:
            advance()
            return .identifier(token.value)
        case .symbol where token.value == "-" || token.value == "+":
            advance()
            guard current.kind == .integer || current.kind == .numeric else { throw syntaxError() }
            let number = advance().value
            return .number(token.value == "-" ? "-" + number : number)
        default:
            throw syntaxError()
        }
    }

    // MARK: Maintenance

    private mutating func parseVacuum() throws(SQLError) -> VacuumStatement {
        try expectKeyword("vacuum")
        var vacuum = VacuumStatement()
        if acceptSymbol("(") {
            repeat {
                let option = try parseLabel()
                var enabled = true
                if !isSymbol(","), !isSymbol(")") { enabled = try parseBooleanOption() }
                switch option.name {
                case "full": vacuum.full = enabled
                case "freeze": vacuum.freeze = enabled
                case "verbose": vacuum.verbose = enabled
                case "analyze", "analyse": vacuum.analyze = enabled
                case "disable_page_skipping", "skip_locked", "index_cleanup", "process_toast", "truncate",
                     "parallel":
                    break
                default:
                    throw SQLError(SQLError.syntaxError, "unrecognized VACUUM option \"\(option.name)\"",
                                   position: option.position)
                }
            } while acceptSymbol(",")
            try expectSymbol(")")
        } else {
            if acceptKeyword("full") { vacuum.full = true }
            if acceptKeyword("freeze") { vacuum.freeze = true }
            if acceptKeyword("verbose") { vacuum.verbose = true }
            if acceptKeyword("analyze") || acceptKeyword("analyse") { vacuum.analyze = true }
        }
        if atColumnName { vacuum.tables = try parseQualifiedNameList() }
        return vacuum
    }

    /// An option value meaning true or false: on/off, true/false, 1/0, 'yes'/'no'.
    mutating func parseBooleanOption() throws(SQLError) -> Bool {
        let token = advance()
        switch token.value.lowercased() {
        case "on", "true", "yes", "1", "t", "y": return true
        case "off", "false", "no", "0", "f", "n": return false
        default:
            throw error(SQLError.syntaxError, "syntax error at or near \"\(source(token.start, token.end))\"", at: token)
        }
    }

    private mutating func parseExplain() throws(SQLError) -> ExplainStatement {
        try expectKeyword("explain")
        var analyze = false
        var verbose = false
        var costs = true
        if acceptSymbol("(") {
            repeat {
                let option = try parseLabel()
                if option.name == "format" {
                    _ = try parseLabel()  // text, json, ...: minipg prints text
                    continue
                }
                var enabled = true
                if !isSymbol(","), !isSymbol(")") { enabled = try parseBooleanOption() }
                switch option.name {
                case "analyze", "analyse": analyze = enabled
                case "verbose": verbose = enabled
                case "costs": costs = enabled
                case "buffers", "timing", "summary", "settings", "wal":
                    break
                default:
                    throw SQLError(SQLError.syntaxError, "unrecognized EXPLAIN option \"\(option.name)\"",
                                   position: option.position)
                }
            } while acceptSymbol(",")
            try expectSymbol(")")
        } else {
            analyze = acceptKeyword("analyze") || acceptKeyword("analyse")
            verbose = acceptKeyword("verbose")
        }
        let explainable = ["select", "values", "table", "insert", "update", "delete", "with"]
        guard isSymbol("(") || explainable.contains(where: { isKeyword($0) }) else { throw syntaxError() }
        return ExplainStatement(analyze: analyze, verbose: verbose, costs: costs, statement: try parseStatement())
    }
}
