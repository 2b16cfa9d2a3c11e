// Type names, as in `::type`, CAST(x AS type), column definitions and typed literals.
//
// Invariants: the SQL-standard spellings are normalised to PostgreSQL's internal names exactly
// as gram.y does (see TypeName); `char`/`character` without a length get length 1, `float(p)`
// is float4 for p <= 24 and float8 above; array suffixes (`[]`, `[3]`, `ARRAY`) only count
// dimensions, like PostgreSQL, which ignores the sizes.

extension ParserState {
    /// Words that begin a SQL-standard type name with its own grammar.
    static let sqlTypeKeywords: Set<String> = [
        "bigint", "bit", "boolean", "char", "character", "dec", "decimal", "double", "float", "int", "integer",
        "interval", "national", "nchar", "numeric", "real", "smallint", "time", "timestamp", "varchar",
    ]
    /// Single-word synonyms for internal names.
    static let typeSynonyms: [String: String] = [
        "int": "int4", "integer": "int4", "smallint": "int2", "bigint": "int8", "real": "float4",
        "boolean": "bool", "dec": "numeric", "decimal": "numeric",
    ]
    /// float(p): precisions up to this many bits are float4 (gram.y).
    static let float4MaximumPrecision = 24
    static let floatMaximumPrecision = 53

    mutating func parseTypeName() throws(SQLError) -> TypeName {
        var type = try parseBaseTypeName()
        // Array bounds: `int2[]`, `int[3][3]`, `int ARRAY`, `int ARRAY[3]`.
        while true {
            if isSymbol("[") {
                advance()
                if current.kind == .integer { advance() }
                try expectSymbol("]")
                type.arrayDimensions += 1
            } else if isKeyword("array") {
                advance()
                if acceptSymbol("[") {
                    if current.kind == .integer { advance() }
                    try expectSymbol("]")
                }
                type.arrayDimensions += 1
            } else {
                return type
            }
        }
    }

    private mutating func parseBaseTypeName() throws(SQLError) -> TypeName {
        let token = current
        let position = token.position
        guard token.kind == .identifier || token.kind == .quotedIdentifier else { throw syntaxError() }
        if token.kind == .identifier {
            switch token.value {
            case "double":
                advance()
                try expectKeyword("precision")
                return TypeName("float8", position: position)
            case "float":
                advance()
                guard isSymbol("(") else { return TypeName("float8", position: position) }
                let precision = try parseTypeModifiers()
                guard let bits = precision.first, precision.count == 1 else { throw syntaxError() }
                if bits < 1 {
                    throw error(SQLError.invalidParameterValue, "precision for type float must be at least 1 bit", at: token)
                }
                if bits > ParserState.floatMaximumPrecision {
                    throw error(SQLError.invalidParameterValue, "precision for type float must be less than 54 bits", at: token)
                }
                return TypeName(bits <= ParserState.float4MaximumPrecision ? "float4" : "float8", position: position)
            case "character", "char", "nchar", "national":
                advance()
                if token.value == "national" {
                    guard acceptKeyword("character") || acceptKeyword("char") else { throw syntaxError() }
                }
                let varying = acceptKeyword("varying")
                let modifiers = isSymbol("(") ? try parseTypeModifiers() : []
                if varying { return TypeName("varchar", modifiers: modifiers, position: position) }
                return TypeName("bpchar", modifiers: modifiers.isEmpty ? [1] : modifiers, position: position)
            case "varchar":
                advance()
                return TypeName("varchar", modifiers: isSymbol("(") ? try parseTypeModifiers() : [], position: position)
            case "bit":
                advance()
                let varying = acceptKeyword("varying")
                let modifiers = isSymbol("(") ? try parseTypeModifiers() : []
                if varying { return TypeName("varbit", modifiers: modifiers, position: position) }
                return TypeName("bit", modifiers: modifiers.isEmpty ? [1] : modifiers, position: position)
            case "timestamp", "time":
                advance()
                let modifiers = isSymbol("(") ? try parseTypeModifiers() : []
                var withTimeZone = false
                if acceptKeyword("with") {
                    try expectKeyword("time")
                    try expectKeyword("zone")
                    withTimeZone = true
                } else if acceptKeyword("without") {
                    try expectKeyword("time")
                    try expectKeyword("zone")
                }
                let name = token.value + (withTimeZone ? "tz" : "")
                return TypeName(name, modifiers: modifiers, position: position)
            case "interval":
                advance()
                // Interval field qualifiers (YEAR TO MONTH, ...) are accepted and ignored.
                while ["year", "month", "day", "hour", "minute", "second", "to"].contains(current.value),
                      current.kind == .identifier {
                    advance()
                }
                return TypeName("interval", modifiers: isSymbol("(") ? try parseTypeModifiers() : [], position: position)
            default:
                if let synonym = ParserState.typeSynonyms[token.value] {
                    advance()
                    return TypeName(synonym, modifiers: isSymbol("(") ? try parseTypeModifiers() : [], position: position)
                }
            }
        }
        // A generic (possibly qualified) type name: text, name, oid, pg_catalog.regclass, "char".
        if token.kind == .identifier && !Keywords.isFunctionName(token.value) { throw syntaxError() }
        advance()
        var schema: String?
        var name = token.value
        if isSymbol("."), peek().kind == .identifier || peek().kind == .quotedIdentifier {
            advance()
            schema = name
            name = advance().value
        }
        let modifiers = isSymbol("(") ? try parseTypeModifiers() : []
        return TypeName(schema: schema, name, modifiers: modifiers, position: position)
    }

    /// `(n)` or `(p, s)`.
    mutating func parseTypeModifiers() throws(SQLError) -> [Int] {
        try expectSymbol("(")
        var modifiers = [try parseIntegerConstant()]
        while acceptSymbol(",") { modifiers.append(try parseIntegerConstant()) }
        try expectSymbol(")")
        return modifiers
    }

    /// `timestamp '2024-01-01 00:00'`, `double precision '1.5'`, `interval '1 day'`: a SQL type
    /// keyword followed by a string constant. Nil (with nothing consumed) when no string follows.
    mutating func parseTypedLiteralIfPresent() throws(SQLError) -> Expression? {
        let saved = index
        let start = current
        guard let type = try? parseTypeName(), current.kind == .string else {
            index = saved
            return nil
        }
        let literal = advance()
        return Expression(.cast(Expression(.literal(.string(literal.value)), position: literal.position), type),
                          position: start.position)
    }
}
