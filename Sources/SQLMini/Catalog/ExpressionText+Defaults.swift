// How a column default is stored (and so what \d and pg_get_expr show): PostgreSQL stores the
// default coerced to the column's type and prints constants with ruleutils' get_const_expr rules,
// so `char(2) default 'A'` shows `'A'::bpchar`, `int default -1` shows `'-1'::integer`, while
// `numeric(10,2) default 0.00`, `int8 default 5` and `boolean default false` show bare constants
// (the implicit casts around them are not printed).
//
// Invariants: the text parses back to an expression giving the same value; anything that is not a
// bare constant is printed by ExpressionText.sql unchanged.

extension ExpressionText {
    static func columnDefault(_ expression: Expression, type: SQLType) -> String {
        guard case .literal(let literal) = expression.kind else { return sql(expression) }
        switch literal {
        case .integer(let v):
            // An int4 constant (int8 when it does not fit), then an implicit cast to the column type.
            if Int64(Int32.min)...Int64(Int32.max) ~= v { return v < 0 ? "'\(v)'::integer" : String(v) }
            return "'\(v)'::bigint"
        case .numeric(let text):
            return constant(text, type: .numeric)
        case .string(let text):
            // An unknown literal becomes a constant of the column's type (typmod applied by a hidden cast).
            let base = SQLType(oid: type.oid)
            guard let value = try? Value.parse(text, as: base), let canonical = value.text(as: base) else { return sql(expression) }
            return constant(canonical, type: base)
        case .boolean, .null:
            return sql(expression)
        }
    }

    /// get_const_expr: a constant's text, quoted and labelled with its type unless it reads back as that type.
    private static func constant(_ text: String, type: SQLType) -> String {
        switch type.oid {
        case SQLType.bool.oid:
            return text == "t" ? "true" : "false"
        case SQLType.int4.oid:
            return text.hasPrefix("-") ? "'\(text)'::integer" : text
        case SQLType.numeric.oid:
            let looksLikeFloat = text.first.map { $0.isASCII && $0.isNumber } == true && text.contains(where: { ".eE".contains($0) })
            return looksLikeFloat ? text : "\(quoteLiteral(text))::numeric"
        case SQLType.bpchar.oid:
            return "\(quoteLiteral(text))::bpchar"     // format_type(bpchar, -1) is "bpchar", not "character"
        default:
            return "\(quoteLiteral(text))::\(type.formatted)"
        }
    }
}
