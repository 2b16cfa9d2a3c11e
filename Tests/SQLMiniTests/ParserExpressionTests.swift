// ParserExpressionTests: operator precedence as in PostgreSQL 15, constants, casts, names,
// function calls, CASE, subqueries and arrays.

import Testing
@testable import SQLMini

@Suite("Parser: expressions")
struct ParserExpressionTests {
    /// A compact rendering of an expression tree, fully parenthesised, to compare shapes.
    static func render(_ e: Expression) -> String {
        switch e.kind {
        case .literal(let literal):
            switch literal {
            case .integer(let v): return "\(v)"
            case .numeric(let s): return s
            case .string(let s): return "'\(s)'"
            case .boolean(let b): return b ? "true" : "false"
            case .null: return "null"
            }
        case .column(let c): return (c.qualifiers + [c.name]).joined(separator: ".")
        case .parameter(let n): return "$\(n)"
        case .defaultValue: return "default"
        case .unary(let op, let x): return "(\(op.rawValue) \(render(x)))"
        case .binary(let op, let l, let r): return "(\(render(l)) \(op.rawValue) \(render(r)))"
        case .isNull(let x, let negated): return "(\(render(x)) is \(negated ? "not " : "")null)"
        case .isBoolean(let x, let value, let negated):
            return "(\(render(x)) is \(negated ? "not " : "")\(value.map { "\($0)" } ?? "unknown"))"
        case .isDistinctFrom(let l, let r, let negated):
            return "(\(render(l)) is \(negated ? "not " : "")distinct from \(render(r)))"
        case .like(let like):
            return "(\(render(like.value)) \(like.negated ? "not " : "")\(like.caseInsensitive ? "ilike" : "like") \(render(like.pattern)))"
        case .between(let b): return "(\(render(b.value)) \(b.negated ? "not " : "")between \(render(b.low)) and \(render(b.high)))"
        case .inList(let x, let list, let negated):
            return "(\(render(x)) \(negated ? "not " : "")in [\(list.map(render).joined(separator: ", "))])"
        case .inSubquery(let x, _, let negated): return "(\(render(x)) \(negated ? "not " : "")in subquery)"
        case .quantified(let q):
            let right: String
            switch q.right {
            case .array(let a): right = render(a)
            case .subquery: right = "subquery"
            }
            return "(\(render(q.left)) \(q.op.rawValue) \(q.quantifier.rawValue) \(right))"
        case .cast(let x, let type):
            let mods = type.modifiers.isEmpty ? "" : "(\(type.modifiers.map(String.init).joined(separator: ",")))"
            let name = (type.schema.map { $0 + "." } ?? "") + type.name + mods + String(repeating: "[]", count: type.arrayDimensions)
            return "(\(render(x))::\(name))"
        case .collate(let x, let name): return "(\(render(x)) collate \(name))"
        case .function(let f):
            let args = f.star ? "*" : (f.distinct ? "distinct " : "") + f.arguments.map(render).joined(separator: ", ")
            return "\(f.name)(\(args))"
        case .sqlValueFunction(let f): return f.rawValue
        case .caseWhen(let c):
            var s = "case"
            if let operand = c.operand { s += " " + render(operand) }
            for w in c.whens { s += " when \(render(w.condition)) then \(render(w.result))" }
            if let e = c.elseResult { s += " else " + render(e) }
            return s + " end"
        case .exists: return "exists(subquery)"
        case .subquery: return "(subquery)"
        case .array(let elements): return "array[\(elements.map(render).joined(separator: ", "))]"
        case .arraySubquery: return "array(subquery)"
        case .arraySubscript(let x, let lower, let upper):
            return "\(render(x))[\(render(lower))\(upper.map { ":" + render($0) } ?? "")]"
        case .row(let elements): return "row(\(elements.map(render).joined(separator: ", ")))"
        }
    }

    static let cases: [(String, String)] = [
        // precedence
        ("1 + 2 * 3", "(1 + (2 * 3))"),
        ("(1 + 2) * 3", "((1 + 2) * 3)"),
        ("1 - 2 - 3", "((1 - 2) - 3)"),
        ("a or b and c", "(a OR (b AND c))"),
        ("not a = b", "(NOT (a = b))"),
        ("not a and b", "((NOT a) AND b)"),
        ("a = b is null", "((a = b) is null)"),
        ("a is not null and b", "((a is not null) AND b)"),
        ("x || y = z", "((x || y) = z)"),
        ("a + -4908", "(a + -4908)"),
        ("- a", "(- a)"),
        ("-2147483648", "-2147483648"),
        ("-1.5", "-1.5"),
        ("(tid - 1) / 10 + 1", "(((tid - 1) / 10) + 1)"),
        ("2 ^ 3 * 4", "((2 ^ 3) * 4)"),
        ("a % 2", "(a % 2)"),
        ("n.nspname !~ '^pg_toast'", "(n.nspname !~ '^pg_toast')"),
        ("a ~* 'x' and b !~* 'y'", "((a ~* 'x') AND (b !~* 'y'))"),
        ("c.relname OPERATOR(pg_catalog.~) '^(mimuw)$' COLLATE pg_catalog.default",
         "(c.relname ~ ('^(mimuw)$' collate pg_catalog.default))"),
        ("a between 1 and 2 and b", "((a between 1 and 2) AND b)"),
        ("a not between 1 and 2", "(a not between 1 and 2)"),
        ("a like 'x%' or a not ilike 'y'", "((a like 'x%') OR (a not ilike 'y'))"),
        ("c.relkind IN ('r','p','')", "(c.relkind in ['r', 'p', ''])"),
        ("a not in (1, 2)", "(a not in [1, 2])"),
        ("a in (select 1)", "(a in subquery)"),
        ("a is distinct from b", "(a is distinct from b)"),
        ("a is not true", "(a is not true)"),
        ("a isnull", "(a is null)"),
        ("a != b", "(a <> b)"),
        ("s.t.a = $1", "(s.t.a = $1)"),
        // casts and types
        ("1::int", "(1::int4)"),
        ("-1::int", "(- (1::int4))"),
        ("x::pg_catalog.regclass::pg_catalog.text", "((x::pg_catalog.regclass)::pg_catalog.text)"),
        ("prattrs::pg_catalog.int2[]", "(prattrs::pg_catalog.int2[])"),
        ("cast(a as varchar(10))", "(a::varchar(10))"),
        ("a::character varying", "(a::varchar)"),
        ("a::char", "(a::bpchar(1))"),
        (#"a::"char""#, "(a::char)"),
        ("a::double precision", "(a::float8)"),
        ("a::timestamp with time zone", "(a::timestamptz)"),
        ("a::timestamp without time zone", "(a::timestamp)"),
        ("a::numeric(10, 2)", "(a::numeric(10,2))"),
        ("a::integer[]", "(a::int4[])"),
        ("date '2024-01-01'", "('2024-01-01'::date)"),
        ("timestamp '2024-01-01 10:00'", "('2024-01-01 10:00'::timestamp)"),
        ("interval '1 day'", "('1 day'::interval)"),
        ("'{0}'::oid[]", "('{0}'::oid[])"),
        // functions and special forms
        ("count(*)", "count(*)"),
        ("count(distinct a)", "count(distinct a)"),
        ("pg_catalog.pg_get_expr(d.adbin, d.adrelid, true)", "pg_catalog.pg_get_expr(d.adbin, d.adrelid, true)"),
        ("now()", "now()"),
        ("left('abc', 1)", "left('abc', 1)"),
        ("current_schema()", "current_schema()"),
        ("current_schema", "current_schema"),
        ("CURRENT_TIMESTAMP", "current_timestamp"),
        ("current_date", "current_date"),
        ("current_user", "current_user"),
        ("session_user", "session_user"),
        ("case c.relkind when 'r' then 'table' when 'v' then 'view' end",
         "case c.relkind when 'r' then 'table' when 'v' then 'view' end"),
        ("case when a then null else 1 end", "case when a then null else 1 end"),
        ("exists (select 1)", "exists(subquery)"),
        ("(select 1)", "(subquery)"),
        ("((select 1) + 1)", "((subquery) + 1)"),
        ("oid = any (pol.polroles)", "(oid = ANY pol.polroles)"),
        ("a = any (select 1)", "(a = ANY subquery)"),
        ("a < all ('{1,2}')", "(a < ALL '{1,2}')"),
        ("array[1, 2]", "array[1, 2]"),
        ("array[[1], [2]]", "array[array[1], array[2]]"),
        ("array(select 1)", "array(subquery)"),
        ("prattrs[s]", "prattrs[s]"),
        ("a[1:2]", "a[1:2]"),
        ("(a, b)", "row(a, b)"),
        ("E'\\n'", "'\n'"),
        ("x at time zone 'UTC'", "pg_catalog.timezone('UTC', x)"),
        ("extract(year from d)", "pg_catalog.extract('year', d)"),
        ("position('b' in 'abc')", "pg_catalog.position('abc', 'b')"),
        ("substring(s from 2 for 3)", "pg_catalog.substring(s, 2, 3)"),
        ("substring(s for 3)", "pg_catalog.substring(s, 1, 3)"),
        ("substring(s, 2)", "pg_catalog.substring(s, 2)"),
        ("trim(both 'x' from s)", "pg_catalog.btrim(s, 'x')"),
        ("trim(leading from s)", "pg_catalog.ltrim(s)"),
        ("trim(trailing 'y' from s)", "pg_catalog.rtrim(s, 'y')"),
        ("trim(s)", "pg_catalog.btrim(s)"),
        ("true and false", "(true AND false)"),
        ("9223372036854775808", "9223372036854775808"),
        ("-9223372036854775808", "-9223372036854775808"),
    ]

    @Test(arguments: cases)
    func parsesWithPostgreSQLShape(_ input: String, _ expected: String) throws {
        let expression = try ParserTestSupport.expression(input)
        #expect(Self.render(expression) == expected)
    }

    @Test func literalKinds() throws {
        #expect(try ParserTestSupport.expression("42").kind == .literal(.integer(42)))
        #expect(try ParserTestSupport.expression("3000000000").kind == .literal(.integer(3_000_000_000)))
        #expect(try ParserTestSupport.expression("1.50").kind == .literal(.numeric("1.50")))
        #expect(try ParserTestSupport.expression("'it''s'").kind == .literal(.string("it's")))
        #expect(try ParserTestSupport.expression("null").kind == .literal(.null))
        #expect(try ParserTestSupport.expression("FALSE").kind == .literal(.boolean(false)))
    }

    @Test func positionsPointAtTheToken() throws {
        let e = try ParserTestSupport.expression("a + b")   // "SELECT a + b"
        #expect(e.position == 10)
        guard case .binary(_, let left, let right) = e.kind else { Issue.record("not binary"); return }
        #expect(left.position == 8)
        #expect(right.position == 12)
    }

    @Test func selectItemsAndAliases() throws {
        let query = try ParserTestSupport.query(#"select *, t.*, a AS "Name", b c, d as from_x, 1 from t"#)
        guard case .select(let core) = query.body else { Issue.record("not a select"); return }
        #expect(core.targets.count == 6)
        #expect(core.targets[0] == .wildcard(qualifiers: [], position: 8))
        #expect(core.targets[1] == .wildcard(qualifiers: ["t"], position: 11))
        guard case .expression(_, let alias2) = core.targets[2], case .expression(_, let alias3) = core.targets[3],
              case .expression(_, let alias4) = core.targets[4], case .expression(_, let alias5) = core.targets[5]
        else { Issue.record("not expressions"); return }
        #expect(alias2 == "Name")
        #expect(alias3 == "c")
        #expect(alias4 == "from_x")
        #expect(alias5 == nil)
    }
}
