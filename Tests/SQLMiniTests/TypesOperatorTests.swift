// TypesOperatorTests: operator resolution and semantics (NULLs, overflow, integer division,
// promotion, unknown literals, LIKE and the regular expressions psql sends) and casts.

import Testing
@testable import SQLMini

@Suite("Types: operators and casts")
struct TypesOperatorTests {
    func eval(_ op: String, _ l: Value, _ lt: SQLType, _ r: Value, _ rt: SQLType) throws -> Value {
        try Operators.resolveBinary(op, left: lt, right: rt).evaluate(l, r)
    }

    @Test func arithmeticAndPromotion() throws {
        #expect(try eval("+", .int4(1), .int4, .int8(2), .int8) == .int8(3))
        #expect(try Operators.resolveBinary("+", left: .int4, right: .int8).resultType == .int8)
        #expect(try Operators.resolveBinary("+", left: .int4, right: .numeric).resultType == .numeric)
        #expect(try Operators.resolveBinary("*", left: .numeric, right: .float8).resultType == .float8)
        #expect(try Operators.resolveBinary("+", left: .int2, right: .int2).resultType == .int2)
        #expect(try Operators.resolveBinary("+", left: .float4, right: .int4).resultType == .float8)
        #expect(try eval("/", .int4(-7), .int4, .int4(2), .int4) == .int4(-3))
        #expect(try eval("%", .int4(-7), .int4, .int4(2), .int4) == .int4(-1))
        #expect(try eval("/", .int4(7), .int4, .numeric(Numeric(2)), .numeric).text(as: .numeric) == "3.5000000000000000")
        #expect(try eval("+", .int4(10), .int4, .text("-4908"), .unknown) == .int4(-4898))   // abalance + '-4908'
        #expect(try eval("-", .numeric(Numeric(parsing: "1.5")!), .numeric, .int4(2), .int4).text(as: .numeric) == "-0.5")
        #expect(try eval("*", .numeric(Numeric(parsing: "1.50")!), .numeric, .numeric(Numeric(parsing: "2.0")!), .numeric).text(as: .numeric) == "3.000")
        #expect(try eval("/", .float8(1), .float8, .float8(3), .float8).text(as: .float8) == "0.3333333333333333")
        #expect(try eval("+", .null, .int4, .int4(1), .int4) == .null)
    }

    @Test func overflowAndDivisionByZero() {
        let cases: [(String, Value, SQLType, Value, SQLType, String, String)] = [
            ("+", .int4(Int32.max), .int4, .int4(1), .int4, "22003", "integer out of range"),
            ("*", .int8(Int64.max), .int8, .int8(2), .int8, "22003", "bigint out of range"),
            ("-", .int2(Int16.min), .int2, .int2(1), .int2, "22003", "smallint out of range"),
            ("/", .int4(Int32.min), .int4, .int4(-1), .int4, "22003", "integer out of range"),
            ("/", .int4(1), .int4, .int4(0), .int4, "22012", "division by zero"),
            ("%", .int8(1), .int8, .int8(0), .int8, "22012", "division by zero"),
            ("/", .float8(1), .float8, .float8(0), .float8, "22012", "division by zero"),
            ("/", .numeric(Numeric(1)), .numeric, .numeric(.zero), .numeric, "22012", "division by zero"),
            ("*", .float8(1e300), .float8, .float8(1e300), .float8, "22003", "value out of range: overflow"),
        ]
        for (op, l, lt, r, rt, state, message) in cases {
            #expect(throws: SQLError(state, message)) { try eval(op, l, lt, r, rt) }
        }
        #expect(throws: SQLError(SQLError.numericValueOutOfRange, "integer out of range")) {
            try Operators.resolveUnary("-", operand: .int4).evaluate(.int4(Int32.min))
        }
    }

    @Test func comparisonsWithNullsAndMixedTypes() throws {
        #expect(try eval("=", .int4(1), .int4, .int8(1), .int8) == .bool(true))
        #expect(try eval("<", .int4(1), .int4, .numeric(Numeric(parsing: "1.5")!), .numeric) == .bool(true))
        #expect(try eval("=", .null, .int4, .int4(1), .int4) == .null)
        #expect(try eval("<>", .text("a"), .text, .null, .text) == .null)
        #expect(try eval("!=", .text("a"), .text, .text("b"), .text) == .bool(true))
        #expect(try eval("=", .oid(16389), .oidType, .text("16389"), .unknown) == .bool(true))    // c.oid = '16389'
        #expect(try eval("=", .oid(0), .oidType, .int4(0), .int4) == .bool(true))                // reloftype = 0
        #expect(try eval("=", .text("ab  "), .bpchar, .text("ab"), .unknown) == .bool(true))       // character(n) ignores padding
        #expect(try eval("<", .text("B"), .text, .text("a"), .text) == .bool(true))                 // C collation: bytes
        #expect(try eval("<", .text("é"), .text, .text("z"), .text) == .bool(false))
        #expect(try eval("=", .text("r"), .char, .text("r"), .unknown) == .bool(true))             // relkind = 'r'
        #expect(try eval(">", .float8(.nan), .float8, .float8(.infinity), .float8) == .bool(true))
        #expect(try eval("=", .float8(.nan), .float8, .float8(.nan), .float8) == .bool(true))
        #expect(try eval("=", .date(0), .date, .timestamp(0), .timestamp) == .bool(true))
        #expect(try eval("=", .array(ArrayValue(elementType: .oidType, elements: [.oid(0)])), .oidArray, .text("{0}"), .unknown) == .bool(true))
        #expect(throws: SQLError(SQLError.undefinedFunction, "operator does not exist: integer = text",
                                 hint: "No operator matches the given name and argument types. You might need to add explicit type casts.")) {
            try Operators.resolveBinary("=", left: .int4, right: .text)
        }
    }

    @Test func threeValuedLogic() {
        let t = Value.bool(true), f = Value.bool(false), n = Value.null
        #expect(Operators.and(f, n) == f && Operators.and(t, n) == n && Operators.and(t, t) == t)
        #expect(Operators.or(t, n) == t && Operators.or(f, n) == n && Operators.or(f, f) == f)
        #expect(Operators.not(n) == n && Operators.not(t) == f)
    }

    @Test func anyAndAll() throws {
        let eq = try Operators.resolveBinary("=", left: .oidType, right: .oidType)
        let roles = Value.array(ArrayValue(elementType: .oidType, elements: [.oid(10), .oid(20)]))
        #expect(try Operators.quantified(eq, .oid(20), roles, all: false) == .bool(true))
        #expect(try Operators.quantified(eq, .oid(30), roles, all: false) == .bool(false))
        let withNull = Value.array(ArrayValue(elementType: .oidType, elements: [.oid(10), .null]))
        #expect(try Operators.quantified(eq, .oid(30), withNull, all: false) == .null)
        #expect(try Operators.quantified(eq, .oid(10), withNull, all: false) == .bool(true))
        #expect(try Operators.quantified(eq, .oid(10), roles, all: true) == .bool(false))
        #expect(try Operators.quantified(eq, .oid(1), .null, all: false) == .null)
    }

    /// (operator, subject, pattern, expected) — including every pattern psql sends.
    static let patterns: [(String, String, String, Bool)] = [
        ("~", "mimuw", "^(mimuw)$", true), ("~", "mimuw2", "^(mimuw)$", false), ("~", "pgbench_accounts", "^(pgbench_.*)$", true),
        ("!~", "pg_toast", "^pg_toast", false), ("!~", "public", "^pg_toast", true), ("!~", "pg_monitor", "^pg_", false),
        ("!~", "postgres", "^pg_", true), ("~*", "MIMUW", "^(mimuw)$", true), ("!~*", "abc", "B", false), ("~", "a.b", "a\\.b", true),
        ("~~", "abc", "a%", true), ("~~", "abc", "a_c", true), ("~~", "abc", "a_", false), ("~~", "a%c", "a\\%c", true),
        ("~~", "abc", "a\\%c", false), ("~~", "", "%", true), ("~~", "abcabc", "%b%b%", true), ("LIKE", "xyz", "%z", true),
        ("ILIKE", "ABC", "a%", true), ("NOT LIKE", "abc", "a%", false), ("!~~*", "ABC", "x%", true),
    ]

    @Test(arguments: patterns.indices)
    func patternMatching(_ index: Int) throws {
        let (op, subject, pattern, expected) = TypesOperatorTests.patterns[index]
        #expect(try eval(op, .text(subject), .name, .text(pattern), .unknown) == .bool(expected), "\(subject) \(op) \(pattern)")
    }

    @Test func characterPaddingInPatterns() throws {
        // Pattern matching sees character(n)'s trailing blanks, comparison does not.
        #expect(try eval("~~", .text("ab  "), .bpchar, .text("ab"), .unknown) == .bool(false))
        #expect(try eval("~~", .text("ab  "), .bpchar, .text("ab%"), .unknown) == .bool(true))
        #expect(try eval("=", .text("ab  "), .bpchar, .text("ab"), .bpchar) == .bool(true))
    }

    @Test func concatenation() throws {
        #expect(try eval("||", .text("a"), .text, .int4(5), .int4) == .text("a5"))
        #expect(try eval("||", .text("a"), .unknown, .text("b"), .unknown) == .text("ab"))
        #expect(try eval("||", .null, .text, .text("b"), .text) == .null)
        let arr = Value.array(ArrayValue(elementType: .int4, elements: [.int4(1)]))
        #expect(try eval("||", arr, .int4Array, .int4(2), .int4) == .array(ArrayValue(elementType: .int4, elements: [.int4(1), .int4(2)])))
    }

    @Test func dateTimeArithmetic() throws {
        let t = try Value.parse("2026-01-31 10:00:00", as: .timestamp)
        #expect(try eval("+", t, .timestamp, .text("1 month"), .unknown).text(as: .timestamp) == "2026-02-28 10:00:00")
        #expect(try eval("-", t, .timestamp, .interval(Interval(days: 1)), .interval).text(as: .timestamp) == "2026-01-30 10:00:00")
        #expect(try eval("-", t, .timestamp, try Value.parse("2026-01-30 08:00:00", as: .timestamp), .timestamp).text(as: .interval) == "1 day 02:00:00")
        #expect(try eval("+", .date(0), .date, .int4(1), .int4).text(as: .date) == "2000-01-02")
        #expect(try eval("-", .date(10), .date, .date(3), .date) == .int4(7))
        #expect(try eval("-", .pgLSN(0x16B3748), .pgLSN, .pgLSN(0x16B3700), .pgLSN).text(as: .numeric) == "72")
        // Out-of-range results are errors, never traps.
        #expect(throws: SQLError.self) { try eval("+", t, .timestamp, .interval(Interval(days: Int32.max)), .interval) }
        #expect(throws: SQLError.self) { try eval("+", t, .timestamp, .interval(Interval(months: Int32.max)), .interval) }
        #expect(throws: SQLError.self) { try Casts.cast(.date(Int32.max - 1), from: .date, to: .timestamp) }
        #expect(Value.compare(.date(Int32.max - 1), .timestamp(Int64.max - 1)) > 0)
    }

    @Test func casts() throws {
        func cast(_ v: Value, _ from: SQLType, _ to: SQLType, _ context: CastContext = .explicit) throws -> String? {
            try Casts.cast(v, from: from, to: to, context: context).text(as: to)
        }
        #expect(try cast(.int2(5), .int2, .int4) == "5")
        #expect(try cast(.float8(2.5), .float8, .int4) == "2")                  // rint: half to even
        #expect(try cast(.float8(3.5), .float8, .int4) == "4")
        #expect(try cast(.numeric(Numeric(parsing: "2.5")!), .numeric, .int4) == "3")   // numeric: half away from zero
        #expect(try cast(.bool(true), .bool, .int4) == "1")
        #expect(try cast(.int4(0), .int4, .bool) == "f")
        #expect(try cast(.text("abc  "), .bpchar, .text) == "abc")
        #expect(try cast(.text("abcdef"), .text, .varchar(length: 3)) == "abc")           // explicit: silent truncation
        #expect(try cast(.int4(42), .int4, .text) == "42")
        #expect(try cast(.text("42"), .text, .int4) == "42")
        #expect(try cast(.timestamptz(0), .timestamptz, .timestamp, .assignment) == "2000-01-01 00:00:00")
        #expect(try cast(.timestamp(86_400_000_000 + 5), .timestamp, .date) == "2000-01-02")
        #expect(try cast(.oid(1259), .oidType, .regclass) == "1259")
        #expect(try cast(.text("{1,2}"), .unknown, .int2Array) == "{1,2}")
        #expect(try cast(.array(ArrayValue(elementType: .int2, elements: [.int2(1), .int2(3)])), .int2vector, .int2Array) == "{1,3}")
        #expect(try cast(.int8(123), .int8, .numeric(precision: 5, scale: 2)) == "123.00")
        #expect(try cast(.float8(0.1), .float8, .numeric) == "0.1")
        #expect(throws: SQLError(SQLError.numericValueOutOfRange, "integer out of range")) { try cast(.int8(1 << 40), .int8, .int4, .assignment) }
        #expect(throws: SQLError(SQLError.stringDataRightTruncation, "value too long for type character(2)")) {
            try cast(.text("abc"), .text, .bpchar(length: 2), .assignment)
        }
        #expect(Casts.context(from: .int8, to: .int4) == .assignment)
        #expect(Casts.context(from: .int4, to: .int8) == .implicit)
        #expect(Casts.context(from: .text, to: .int4) == .explicit)
        #expect(Casts.context(from: .int4, to: .text) == .assignment)
        #expect(Casts.context(from: .unknown, to: .oidArray) == .implicit)
        #expect(Casts.context(from: .timestamptz, to: .timestamp) == .assignment)
    }

    @Test func numericArithmeticScales() throws {
        func n(_ s: String) -> Numeric { Numeric(parsing: s)! }
        #expect(try Numeric.divide(n("10"), n("3")).description == "3.3333333333333333")
        #expect(try Numeric.divide(n("1"), n("3")).description == "0.33333333333333333333")
        #expect(try Numeric.divide(n("1"), n("8")).description == "0.12500000000000000000")
        #expect(try Numeric.divide(n("100000"), n("3")).description == "33333.333333333333")
        #expect(try Numeric.divide(n("-7.5"), n("2.5")).description == "-3.0000000000000000")
        #expect(try Numeric.add(n("1.5"), n("2.25")).description == "3.75")
        #expect(try Numeric.remainder(n("-7"), n("3")).description == "-1")
        #expect(try n("2.345").rounded(toScale: 2).description == "2.35")
        #expect(try n("-2.345").rounded(toScale: 2).description == "-2.35")
        #expect(n("1.0") == n("1.00") && n("1.0").hashValue == n("1").hashValue)
    }
}
