// ExpressionText: a parsed expression printed back as SQL — how column defaults are stored in the
// catalog (minipg's pg_node_tree is SQL text, read back with Parser.parseExpression) and what
// pg_get_expr shows, e.g. `nextval('t_id_seq'::regclass)`.
//
// Invariants: the text parses back to an equivalent expression (operators are parenthesised,
// strings quoted with '' doubled, identifiers quoted when they are not plain lower case).

enum ExpressionText {
    static func sql(_ expression: Expression) -> String {
        switch expression.kind {
        case .literal(let literal):
            switch literal {
            case .integer(let v): return String(v)
            case .numeric(let s): return s
            case .string(let s): return quoteLiteral(s)
            case .boolean(let b): return b ? "true" : "false"
            case .null: return "NULL"
            }
        case .column(let reference):
            return (reference.qualifiers + [reference.name]).map(quoteIdentifier).joined(separator: ".")
        case .parameter(let n): return "$\(n)"
        case .defaultValue: return "DEFAULT"
        case .unary(let op, let e):
            return op == .not ? "(NOT \(sql(e)))" : "(\(op.rawValue)\(sql(e)))"
        case .binary(let op, let a, let b): return "(\(sql(a)) \(op.rawValue) \(sql(b)))"
        case .isNull(let e, let negated): return "(\(sql(e)) IS \(negated ? "NOT " : "")NULL)"
        case .isBoolean(let e, let value, let negated):
            let word = value.map { $0 ? "TRUE" : "FALSE" } ?? "UNKNOWN"
            return "(\(sql(e)) IS \(negated ? "NOT " : "")\(word))"
        case .isDistinctFrom(let a, let b, let negated):
            return "(\(sql(a)) IS \(negated ? "NOT " : "")DISTINCT FROM \(sql(b)))"
        case .like(let l):
            let op = (l.negated ? "NOT " : "") + (l.caseInsensitive ? "ILIKE" : "LIKE")
            return "(\(sql(l.value)) \(op) \(sql(l.pattern))\(l.escape.map { " ESCAPE \(sql($0))" } ?? ""))"
        case .between(let b):
            return "(\(sql(b.value)) \(b.negated ? "NOT " : "")BETWEEN \(sql(b.low)) AND \(sql(b.high)))"
        case .inList(let e, let items, let negated):
            return "(\(sql(e)) \(negated ? "NOT " : "")IN (\(items.map(sql).joined(separator: ", "))))"
        case .cast(let e, let type): return "\(sql(e))::\(typeText(type))"
        case .collate(let e, _): return sql(e)
        case .function(let call):
            let name = (call.name.schema.map { [$0] } ?? []) + [call.name.name]
            let arguments = call.star ? "*" : (call.distinct ? "DISTINCT " : "") + call.arguments.map(sql).joined(separator: ", ")
            return "\(name.joined(separator: "."))(\(arguments))"
        case .sqlValueFunction(let f): return f.rawValue.uppercased()
        case .caseWhen(let c):
            var text = "CASE"
            if let operand = c.operand { text += " " + sql(operand) }
            for when in c.whens { text += " WHEN \(sql(when.condition)) THEN \(sql(when.result))" }
            if let otherwise = c.elseResult { text += " ELSE \(sql(otherwise))" }
            return text + " END"
        case .array(let items): return "ARRAY[\(items.map(sql).joined(separator: ", "))]"
        case .arraySubscript(let a, let lower, let upper):
            return "(\(sql(a)))[\(sql(lower))\(upper.map { ":" + sql($0) } ?? "")]"
        case .row(let items): return "ROW(\(items.map(sql).joined(separator: ", ")))"
        case .inSubquery, .quantified, .exists, .subquery, .arraySubquery:
            return "NULL"
        }
    }

    static func typeText(_ type: TypeName) -> String {
        var text = (type.schema.map { $0 + "." } ?? "") + type.name
        if !type.modifiers.isEmpty { text += "(\(type.modifiers.map(String.init).joined(separator: ",")))" }
        return text + String(repeating: "[]", count: type.arrayDimensions)
    }

    static func quoteLiteral(_ text: String) -> String {
        "'" + text.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "''") + "'"
    }

    static func quoteIdentifier(_ name: String) -> String {
        let plain = !name.isEmpty
            && name.unicodeScalars.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "_" }
            && !(name.unicodeScalars.first.map { $0 >= "0" && $0 <= "9" } ?? true)
        return plain ? name : "\"" + name.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
    }
}
