// SQL text for expressions and type names: the inverse of the parser, used to store column
// DEFAULT expressions in pg_attrdef.adbin (minipg's pg_node_tree is SQL text) and to show them
// through pg_get_expr, in the style of PostgreSQL's ruleutils.c: `nextval('t_id_seq'::regclass)`,
// `'x'::text`, `(a + 1) * 2`, `CURRENT_TIMESTAMP`.
//
// Invariants: Parser.parseExpression(e.sqlText) gives back an expression with the same tree
// (positions aside); nested operator expressions are parenthesised, the outermost one is not;
// identifiers are double-quoted exactly when PostgreSQL's quote_ident would quote them.

extension Expression {
    public var sqlText: String { SQLText.expression(self, nested: false) }
}

extension TypeName {
    /// The type as format_type spells it for the built-in names (`integer`, `character varying(20)`,
    /// `timestamp without time zone`), else its own (possibly qualified) name; array suffixes last.
    public var sqlText: String {
        let modifierText = modifiers.isEmpty ? "" : "(" + modifiers.map(String.init).joined(separator: ",") + ")"
        let base: String
        let isBuiltin = schema == nil || schema == "pg_catalog"
        switch isBuiltin ? name : "" {
        case "int2": base = "smallint"
        case "int4": base = "integer"
        case "int8": base = "bigint"
        case "float4": base = "real"
        case "float8": base = "double precision"
        case "bool": base = "boolean"
        case "char": base = "\"char\""
        case "varchar": base = "character varying" + modifierText
        case "bpchar": base = "character" + modifierText
        case "timestamp": base = "timestamp" + modifierText + " without time zone"
        case "timestamptz": base = "timestamp" + modifierText + " with time zone"
        case "time": base = "time" + modifierText + " without time zone"
        case "timetz": base = "time" + modifierText + " with time zone"
        default:
            base = (schema.map { SQLText.identifier($0) + "." } ?? "") + SQLText.identifier(name) + modifierText
        }
        return base + String(repeating: "[]", count: arrayDimensions)
    }
}

enum SQLText {
    /// quote_ident: bare when all lower-case letters, digits, `_` (not leading digit) and not a keyword.
    static func identifier(_ name: String) -> String {
        let safe = !name.isEmpty && name.unicodeScalars.enumerated().allSatisfy { offset, c in
            (c >= "a" && c <= "z") || c == "_" || (offset > 0 && ((c >= "0" && c <= "9") || c == "$"))
        }
        if safe && Keywords.isColumnName(name) && !Keywords.columnNameOnly.contains(name) { return name }
        return "\"" + doubled(name, "\"") + "\""
    }

    static func string(_ value: String) -> String {
        "'" + doubled(value, "'") + "'"
    }

    /// `text` with every `quote` written twice.
    private static func doubled(_ text: String, _ quote: Character) -> String {
        var result = ""
        for character in text {
            if character == quote { result.append(quote) }
            result.append(character)
        }
        return result
    }

    static func list(_ expressions: [Expression]) -> String {
        expressions.map { expression($0, nested: false) }.joined(separator: ", ")
    }

    static func expression(_ e: Expression, nested: Bool) -> String {
        let text: String
        let isOperator: Bool
        switch e.kind {
        case .literal(let literal):
            switch literal {
            case .integer(let value): return value < 0 && nested ? "(\(value))" : "\(value)"
            case .numeric(let value): return value.hasPrefix("-") && nested ? "(\(value))" : value
            case .string(let value): return string(value)
            case .boolean(let value): return value ? "true" : "false"
            case .null: return "NULL"
            }
        case .column(let column):
            return (column.qualifiers + [column.name]).map(identifier).joined(separator: ".")
        case .parameter(let number): return "$\(number)"
        case .defaultValue: return "DEFAULT"
        case .unary(let op, let operand):
            text = (op == .not ? "NOT " : op.rawValue) + expression(operand, nested: true)
            isOperator = true
        case .binary(let op, let left, let right):
            text = expression(left, nested: true) + " \(op.rawValue) " + expression(right, nested: true)
            isOperator = true
        case .isNull(let operand, let negated):
            text = expression(operand, nested: true) + (negated ? " IS NOT NULL" : " IS NULL")
            isOperator = true
        case .isBoolean(let operand, let value, let negated):
            let word = value.map { $0 ? "TRUE" : "FALSE" } ?? "UNKNOWN"
            text = expression(operand, nested: true) + " IS " + (negated ? "NOT " : "") + word
            isOperator = true
        case .isDistinctFrom(let left, let right, let negated):
            text = expression(left, nested: true) + " IS " + (negated ? "NOT " : "") + "DISTINCT FROM "
                + expression(right, nested: true)
            isOperator = true
        case .like(let like):
            text = expression(like.value, nested: true) + (like.negated ? " NOT" : "")
                + (like.caseInsensitive ? " ILIKE " : " LIKE ") + expression(like.pattern, nested: true)
                + (like.escape.map { " ESCAPE " + expression($0, nested: true) } ?? "")
            isOperator = true
        case .between(let between):
            text = expression(between.value, nested: true) + (between.negated ? " NOT" : "") + " BETWEEN "
                + (between.symmetric ? "SYMMETRIC " : "") + expression(between.low, nested: true) + " AND "
                + expression(between.high, nested: true)
            isOperator = true
        case .inList(let operand, let list, let negated):
            text = expression(operand, nested: true) + (negated ? " NOT IN (" : " IN (") + self.list(list) + ")"
            isOperator = true
        case .quantified(let comparison):
            let right: String
            switch comparison.right {
            case .array(let array): right = expression(array, nested: false)
            case .subquery(let query): right = query.sqlText
            }
            text = expression(comparison.left, nested: true) + " \(comparison.op.rawValue) "
                + comparison.quantifier.rawValue + " (" + right + ")"
            isOperator = true
        case .cast(let operand, let type):
            return expression(operand, nested: true) + "::" + type.sqlText
        case .collate(let operand, let collation):
            text = expression(operand, nested: true) + " COLLATE " + identifierPath(collation)
            isOperator = true
        case .function(let call):
            var arguments = call.star ? "*" : (call.distinct ? "DISTINCT " : "") + list(call.arguments)
            if !call.orderBy.isEmpty {
                arguments += " ORDER BY " + call.orderBy.map { item in
                    expression(item.expression, nested: false) + (item.descending ? " DESC" : "")
                }.joined(separator: ", ")
            }
            return identifierPath(call.name) + "(" + arguments + ")"
        case .sqlValueFunction(let function):
            return function.rawValue.uppercased()
        case .caseWhen(let caseExpression):
            var parts = ["CASE"]
            if let operand = caseExpression.operand { parts.append(expression(operand, nested: false)) }
            for when in caseExpression.whens {
                parts.append("WHEN " + expression(when.condition, nested: false) + " THEN " + expression(when.result, nested: false))
            }
            if let elseResult = caseExpression.elseResult { parts.append("ELSE " + expression(elseResult, nested: false)) }
            parts.append("END")
            return parts.joined(separator: " ")
        case .array(let elements):
            return "ARRAY[" + list(elements) + "]"
        case .arraySubscript(let operand, let lower, let upper):
            return expression(operand, nested: true) + "[" + expression(lower, nested: false)
                + (upper.map { ":" + expression($0, nested: false) } ?? "") + "]"
        case .row(let elements):
            return "ROW(" + list(elements) + ")"
        case .inSubquery(let operand, let query, let negated):
            text = expression(operand, nested: true) + (negated ? " NOT IN (" : " IN (") + query.sqlText + ")"
            isOperator = true
        case .exists(let query):
            return "EXISTS (" + query.sqlText + ")"
        case .subquery(let query):
            return "(" + query.sqlText + ")"
        case .arraySubquery(let query):
            return "ARRAY(" + query.sqlText + ")"
        }
        return nested && isOperator ? "(" + text + ")" : text
    }

    static func identifierPath(_ name: QualifiedName) -> String {
        (name.schema.map { identifier($0) + "." } ?? "") + identifier(name.name)
    }
}
