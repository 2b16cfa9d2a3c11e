// COPY: `COPY t [(cols)] FROM STDIN | TO STDOUT [[WITH] (option [value], ...)]`, the pre-9.0
// option syntax (`WITH CSV HEADER DELIMITER ','`), and `COPY (query) TO STDOUT`.
//
// Invariants: options are validated here with PostgreSQL's messages (`option "x" not recognized`,
// `COPY format "x" not recognized`, `conflicting or redundant options`); the per-character rules
// (one-byte delimiter, ...) are checked by the COPY code that runs the statement.

extension ParserState {
    mutating func parseCopy() throws(SQLError) -> CopyStatement {
        try expectKeyword("copy")
        let source: CopyStatement.Source
        if acceptSymbol("(") {
            let query = try parseQuery()
            try expectSymbol(")")
            source = .query(query)
        } else {
            let table = try parseQualifiedName()
            var columns: [Identifier] = []
            if isSymbol("(") { columns = try parseParenthesizedNameList() }
            source = .table(table, columns: columns)
        }
        let direction: CopyStatement.Direction
        if case .query = source {
            try expectKeyword("to")
            direction = .to
        } else if acceptKeyword("from") {
            direction = .from
        } else {
            try expectKeyword("to")
            direction = .to
        }
        if isKeyword("program") { throw error(SQLError.featureNotSupported, "COPY PROGRAM is not supported") }
        let endpoint: CopyStatement.Endpoint
        if acceptKeyword("stdin") {
            endpoint = .stdin
        } else if acceptKeyword("stdout") {
            endpoint = .stdout
        } else if current.kind == .string {
            endpoint = .file(advance().value)
        } else {
            throw syntaxError()
        }
        var copy = CopyStatement(source: source, direction: direction, endpoint: endpoint)
        let hadWith = acceptKeyword("with")
        if isSymbol("(") {
            try parseCopyOptionList(into: &copy)
        } else {
            try parseOldStyleCopyOptions(into: &copy)
        }
        if !hadWith, isKeyword("where") { throw error(SQLError.featureNotSupported, "COPY FROM ... WHERE is not supported") }
        return copy
    }

    /// `(FORMAT csv, HEADER, FREEZE on, DELIMITER ',', NULL '')`
    private mutating func parseCopyOptionList(into copy: inout CopyStatement) throws(SQLError) {
        try expectSymbol("(")
        var seen: Set<String> = []
        repeat {
            let option = try parseLabel()
            if seen.contains(option.name) {
                throw SQLError(SQLError.syntaxError, "conflicting or redundant options", position: option.position)
            }
            seen.insert(option.name)
            let valueToken = current
            var value: String?
            switch valueToken.kind {
            case .string, .identifier, .quotedIdentifier, .integer, .numeric:
                value = advance().value
            case .symbol where valueToken.isSymbol("*") || valueToken.isSymbol("("):
                throw error(SQLError.featureNotSupported, "COPY option \"\(option.name)\" is not supported", at: option.position)
            default:
                value = nil
            }
            try applyCopyOption(option, value: value, valueToken: valueToken, to: &copy)
        } while acceptSymbol(",")
        try expectSymbol(")")
    }

    private mutating func applyCopyOption(_ option: Identifier, value: String?, valueToken: Token,
                                          to copy: inout CopyStatement) throws(SQLError) {
        func booleanValue() throws(SQLError) -> Bool {
            guard let value else { return true }
            switch value.lowercased() {
            case "on", "true", "yes", "1", "t", "y": return true
            case "off", "false", "no", "0", "f", "n": return false
            default:
                throw SQLError(SQLError.syntaxError, "\(option.name) requires a Boolean value", position: valueToken.position)
            }
        }
        func stringValue() throws(SQLError) -> String {
            guard let value else {
                throw SQLError(SQLError.syntaxError, "\(option.name) requires a parameter", position: option.position)
            }
            return value
        }
        switch option.name {
        case "format":
            let name = try stringValue()
            guard let format = CopyStatement.Format(rawValue: name.lowercased()) else {
                throw SQLError(SQLError.invalidParameterValue, "COPY format \"\(name)\" not recognized",
                               position: valueToken.position)
            }
            copy.format = format
        case "freeze": copy.freeze = try booleanValue()
        case "header": copy.header = try booleanValue()
        case "delimiter": copy.delimiter = try stringValue()
        case "null": copy.null = try stringValue()
        case "quote": copy.quote = try stringValue()
        case "escape": copy.escape = try stringValue()
        case "encoding": copy.encoding = try stringValue()
        case "force_quote", "force_not_null", "force_null":
            throw SQLError(SQLError.featureNotSupported, "COPY option \"\(option.name)\" is not supported",
                           position: option.position)
        default:
            throw SQLError(SQLError.syntaxError, "option \"\(option.name)\" not recognized", position: option.position)
        }
    }

    /// `BINARY | CSV | HEADER | FREEZE | DELIMITER [AS] 'x' | NULL [AS] 'x' | QUOTE [AS] 'x' |
    /// ESCAPE [AS] 'x' | ENCODING 'x'`, in any order.
    private mutating func parseOldStyleCopyOptions(into copy: inout CopyStatement) throws(SQLError) {
        while current.kind == .identifier {
            if acceptKeyword("binary") { copy.format = .binary }
            else if acceptKeyword("csv") { copy.format = .csv }
            else if acceptKeyword("header") { copy.header = true }
            else if acceptKeyword("freeze") { copy.freeze = true }
            else if acceptKeyword("delimiter") {
                _ = acceptKeyword("as")
                copy.delimiter = try parseStringConstant()
            } else if acceptKeyword("null") {
                _ = acceptKeyword("as")
                copy.null = try parseStringConstant()
            } else if acceptKeyword("quote") {
                _ = acceptKeyword("as")
                copy.quote = try parseStringConstant()
            } else if acceptKeyword("escape") {
                _ = acceptKeyword("as")
                copy.escape = try parseStringConstant()
            } else if acceptKeyword("encoding") {
                copy.encoding = try parseStringConstant()
            } else if isKeyword("force") {
                throw error(SQLError.featureNotSupported, "COPY option FORCE is not supported")
            } else {
                return
            }
        }
    }
}
