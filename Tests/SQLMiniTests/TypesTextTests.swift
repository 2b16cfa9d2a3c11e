// TypesTextTests: text input and output of every type, against what PostgreSQL 15 prints, and
// PostgreSQL's input error texts and SQLSTATEs.

import Testing
@testable import SQLMini

@Suite("Types: text input/output")
struct TypesTextTests {
    /// (type, input, expected output)
    static let roundTrips: [(SQLType, String, String)] = [
        (.bool, "t", "t"), (.bool, "TRUE", "t"), (.bool, " yes ", "t"), (.bool, "off", "f"), (.bool, "0", "f"),
        (.int2, "-32768", "-32768"), (.int4, " 42 ", "42"), (.int4, "+7", "7"), (.int4, "-2147483648", "-2147483648"),
        (.int8, "9223372036854775807", "9223372036854775807"), (.int8, "-9223372036854775808", "-9223372036854775808"),
        (.float8, "1.5", "1.5"), (.float8, "100", "100"), (.float8, "0.1", "0.1"), (.float8, "1e20", "1e+20"),
        (.float8, "1e15", "1e+15"), (.float8, "123456789012345", "123456789012345"), (.float8, "0.0001", "0.0001"),
        (.float8, "0.00001", "1e-05"), (.float8, "-0", "-0"), (.float8, "NaN", "NaN"), (.float8, "infinity", "Infinity"),
        (.float8, "-Infinity", "-Infinity"), (.float8, "3.141592653589793", "3.141592653589793"),
        (.float4, "1234567", "1.234567e+06"), (.float4, "123456", "123456"), (.float4, "0.1", "0.1"),
        (.numeric, "1.50", "1.50"), (.numeric, "-0.001", "-0.001"), (.numeric, "1e3", "1000"), (.numeric, ".5", "0.5"),
        (.numeric, "NaN", "NaN"), (.numeric, "00012.3400", "12.3400"),
        (.numeric(precision: 10, scale: 2), "3.14159", "3.14"), (.numeric(precision: 5, scale: 2), "-2.005", "-2.01"),
        (.text, "héllo", "héllo"), (.varchar(length: 2), "hé", "hé"), (.bpchar(length: 3), "é", "é  "), (.varchar(length: 3), "abc  ", "abc"), (.bpchar(length: 5), "ab", "ab   "),
        (.char, "relkind", "r"), (.char, "", ""),
        (.name, String(repeating: "x", count: 70), String(repeating: "x", count: 63)),
        (.date, "2026-11-29", "2026-11-29"), (.date, "2000-01-01", "2000-01-01"), (.date, "1999-12-31", "1999-12-31"),
        (.date, "2024-02-29", "2024-02-29"), (.date, "infinity", "infinity"), (.date, "epoch", "1970-01-01"),
        (.timestamp, "2026-11-29 19:37:32.123456", "2026-11-29 19:37:32.123456"), (.timestamp, "2026-11-29T19:37:32", "2026-11-29 19:37:32"),
        (.timestamp, "2026-11-29", "2026-11-29 00:00:00"), (.timestamp, "1970-01-01 00:00:00.5", "1970-01-01 00:00:00.5"),
        (.timestamptz, "2026-11-29 19:37:32.5+02", "2026-11-29 17:37:32.5+00"), (.timestamptz, "2026-11-29 19:37:32Z", "2026-11-29 19:37:32+00"),
        (.timestamptz, "2026-11-29 10:00:00-05:30", "2026-11-29 15:30:00+00"), (.timestamptz, "2026-11-29 10:00:00 UTC", "2026-11-29 10:00:00+00"),
        (.interval, "1 day", "1 day"), (.interval, "00:00:01.5", "00:00:01.5"), (.interval, "2 days", "2 days"),
        (.interval, "1 year 2 months 3 days 04:05:06", "1 year 2 mons 3 days 04:05:06"), (.interval, "-1 days", "-1 days"),
        (.interval, "1 day -1 hour", "1 day -01:00:00"), (.interval, "90 minutes", "01:30:00"), (.interval, "0 seconds", "00:00:00"),
        (.interval, "1.5 days", "1 day 12:00:00"), (.interval, "5 min", "00:05:00"), (.interval, "1 day ago", "-1 days"),
        (.oidType, "16389", "16389"), (.oidType, "-1", "4294967295"), (.xid, "731", "731"),
        (.pgLSN, "0/16B3748", "0/16B3748"), (.pgLSN, "16/b374d848", "16/B374D848"),
        (.bytea, "\\x4142ff", "\\x4142ff"), (.bytea, "ab\\000c", "\\x61620063"),
        (.int4Array, "{1,2,3}", "{1,2,3}"), (.int4Array, " { 1 , 2 } ", "{1,2}"), (.textArray, "{}", "{}"),
        (.textArray, #"{a,"b c",NULL,"",null,"NULL","x\"y","a\\b"}"#, #"{a,"b c",NULL,"",NULL,"NULL","x\"y","a\\b"}"#),
        (.oidArray, "{0}", "{0}"), (.charArray, "{a,b}", "{a,b}"), (.int2vector, "1 2", "1 2"),
        (.boolArray, "{t,f}", "{t,f}"),
    ]

    @Test(arguments: roundTrips.indices)
    func roundTrip(_ index: Int) throws {
        let (type, input, expected) = TypesTextTests.roundTrips[index]
        let value = try Value.parse(input, as: type)
        #expect(value.text(as: type) == expected, "\(type.formatted) '\(input)'")
    }

    /// (type, input, SQLSTATE, message)
    static let inputErrors: [(SQLType, String, String, String)] = [
        (.int4, "abc", "22P02", #"invalid input syntax for type integer: "abc""#),
        (.int4, "", "22P02", #"invalid input syntax for type integer: """#),
        (.int4, "1.5", "22P02", #"invalid input syntax for type integer: "1.5""#),
        (.int4, "99999999999", "22003", #"value "99999999999" is out of range for type integer"#),
        (.int2, "40000", "22003", #"value "40000" is out of range for type smallint"#),
        (.int8, "9223372036854775808", "22003", #"value "9223372036854775808" is out of range for type bigint"#),
        (.float8, "x", "22P02", #"invalid input syntax for type double precision: "x""#),
        (.float8, "1e400", "22003", #""1e400" is out of range for type double precision"#),
        (.float4, "1e40", "22003", #""1e40" is out of range for type real"#),
        (.numeric, "1.2.3", "22P02", #"invalid input syntax for type numeric: "1.2.3""#),
        (.numeric(precision: 5, scale: 2), "1234.5", "22003", "numeric field overflow"),
        (.bool, "maybe", "22P02", #"invalid input syntax for type boolean: "maybe""#),
        (.varchar(length: 3), "abcd", "22001", "value too long for type character varying(3)"),
        (.bpchar(length: 2), "abc", "22001", "value too long for type character(2)"),
        (.date, "2026-02-30", "22008", #"date/time field value out of range: "2026-02-30""#),
        (.date, "yesterday-ish", "22007", #"invalid input syntax for type date: "yesterday-ish""#),
        (.timestamp, "2026-11-29 25:00", "22007", #"invalid input syntax for type timestamp without time zone: "2026-11-29 25:00""#),
        (.interval, "1 fortnight", "22007", #"invalid input syntax for type interval: "1 fortnight""#),
        (.pgLSN, "16B3748", "22P02", #"invalid input syntax for type pg_lsn: "16B3748""#),
        (.date, "999999999999999999-01-01", "22008", #"date/time field value out of range: "999999999999999999-01-01""#),
        (.int4Array, "{1,2", "22P02", #"malformed array literal: "{1,2""#),
        (.int4Array, "{1,x}", "22P02", #"invalid input syntax for type integer: "x""#),
        (.numeric, "1" + String(repeating: "0", count: 40), "22003", "value overflows numeric format"),
        (.varchar(length: 2), "héé", "22001", "value too long for type character varying(2)"),
    ]

    @Test(arguments: inputErrors.indices)
    func inputError(_ index: Int) {
        let (type, input, state, message) = TypesTextTests.inputErrors[index]
        do {
            let value = try Value.parse(input, as: type)
            Issue.record("\(type.formatted) '\(input)' parsed as \(value)")
        } catch let error as SQLError {
            #expect(error.sqlState == state)
            #expect(error.message == message)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func relativeMoments() throws {
        // Read in an order that stays true even if midnight passes between the reads.
        guard case .date(let today) = try Value.parse("today", as: .date),
              case .timestamp(let midnight) = try Value.parse("today", as: .timestamp),
              case .timestamptz(let now) = try Value.parse("now", as: .timestamptz),
              case .date(let tomorrow) = try Value.parse("tomorrow", as: .date) else {
            Issue.record("wrong representation")
            return
        }
        #expect(tomorrow - today >= 1 && tomorrow - today <= 2)
        #expect(midnight >= Int64(today) * DateTime.microsecondsPerDay)
        #expect(now >= midnight)
    }

    @Test func numericFieldOverflowDetail() {
        #expect(throws: SQLError(SQLError.numericValueOutOfRange, "numeric field overflow",
                                 detail: "A field with precision 5, scale 2 must round to an absolute value less than 10^3.")) {
            try Value.parse("1234.5", as: .numeric(precision: 5, scale: 2))
        }
    }

    @Test func formatType() throws {
        let cases: [(SQLType, String)] = [
            (.int4, "integer"), (.int8, "bigint"), (.int2, "smallint"), (.text, "text"), (.bool, "boolean"),
            (.varchar(length: 10), "character varying(10)"), (.varchar, "character varying"), (.bpchar(length: 84), "character(84)"),
            (.timestamp, "timestamp without time zone"), (.timestamptz, "timestamp with time zone"),
            (.numeric(precision: 10, scale: 2), "numeric(10,2)"), (.numeric, "numeric"), (.float8, "double precision"),
            (.float4, "real"), (.char, "\"char\""), (.name, "name"), (.textArray, "text[]"), (.int2Array, "smallint[]"),
            (SQLType(oid: 1015, typmod: 14), "character varying(10)[]"), (.regclass, "regclass"), (.pgLSN, "pg_lsn"),
            (SQLType(oid: 1114, typmod: 3), "timestamp(3) without time zone"), (SQLType(oid: 99999), "???"),
        ]
        for (type, expected) in cases { #expect(type.formatted == expected) }
    }

    @Test func typeNameResolution() throws {
        #expect(try BuiltinTypes.resolve(TypeName("int4", position: 1)) == .int4)
        #expect(try BuiltinTypes.resolve(TypeName("bpchar", modifiers: [84], position: 1)) == .bpchar(length: 84))
        #expect(try BuiltinTypes.resolve(TypeName("char", position: 1)) == .char)
        #expect(try BuiltinTypes.resolve(TypeName(schema: "pg_catalog", "int2", arrayDimensions: 1, position: 1)) == .int2Array)
        #expect(try BuiltinTypes.resolve(TypeName("numeric", modifiers: [10, 2], position: 1)).typmod == 655_366)
        #expect(try BuiltinTypes.resolve(name: "character varying", modifiers: [10]) == .varchar(length: 10))
        #expect(try BuiltinTypes.resolve(name: "double precision") == .float8)
        #expect(throws: SQLError(SQLError.undefinedObject, #"type "nosuch" does not exist"#, position: 5)) {
            try BuiltinTypes.resolve(TypeName("nosuch", position: 5))
        }
    }

    @Test func typeTableFacts() {
        #expect(SQLType.int4.length == 4 && SQLType.text.length == -1 && SQLType.name.length == 64 && SQLType.unknown.length == -2)
        #expect(SQLType.int4.arrayType == .int4Array && SQLType.textArray.elementType == .text)
        #expect(SQLType.bpchar(length: 84).typmod == 88)
        let oids = Set(BuiltinTypes.all.map(\.oid))
        for oid: UInt32 in [16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 28, 30, 700, 701, 705, 1042, 1043, 1082, 1114, 1184, 1186,
                            1700, 2205, 2206, 4089, 3220, 869, 1003, 1005, 1007, 1009, 1028, 1002, 1033, 1034, 194, 2278, 2249, 2276, 2277] {
            #expect(oids.contains(oid), "type \(oid)")
        }
    }

    @Test func regclassOutputUsesCatalog() throws {
        let catalog = FakeCatalog()
        #expect(Value.oid(16389).text(as: .regclass, catalog: catalog) == "mimuw")
        #expect(Value.oid(99).text(as: .regclass, catalog: catalog) == "99")
        #expect(Value.oid(0).text(as: .regclass, catalog: catalog) == "-")
        #expect(Value.oid(23).text(as: .regtype) == "integer")
        #expect(Value.oid(2200).text(as: .regnamespace, catalog: catalog) == "public")
        #expect(try Value.parse("mimuw", as: .regclass, catalog: catalog) == .oid(16389))
        #expect(throws: SQLError(SQLError.undefinedTable, #"relation "nosuch" does not exist"#)) {
            try Value.parse("nosuch", as: .regclass, catalog: catalog)
        }
    }
}

/// A catalog with one table (mimuw, 16389) in public (2200), owned by postgres (10).
final class FakeCatalog: CatalogLookup {
    func relationName(_ oid: UInt32) -> String? { oid == 16389 ? "mimuw" : nil }
    func relationOID(_ name: String) -> UInt32? { name == "mimuw" || name == "public.mimuw" ? 16389 : nil }
    func typeName(_ oid: UInt32) -> String? { nil }
    func namespaceName(_ oid: UInt32) -> String? { oid == 2200 ? "public" : (oid == 11 ? "pg_catalog" : nil) }
    func namespaceOID(_ name: String) -> UInt32? { name == "public" ? 2200 : nil }
    func roleName(_ oid: UInt32) -> String? { oid == 10 ? "postgres" : nil }
    func roleOID(_ name: String) -> UInt32? { name == "postgres" ? 10 : nil }
    func functionName(_ oid: UInt32) -> String? { nil }
    func isRelationVisible(_ oid: UInt32) -> Bool { oid == 16389 }
    func indexDefinition(_ oid: UInt32, column: Int, pretty: Bool) -> String? {
        oid == 16390 ? "CREATE UNIQUE INDEX mimuw_pkey ON mimuw USING btree (id)" : nil
    }
    func constraintDefinition(_ oid: UInt32, pretty: Bool) -> String? { oid == 16391 ? "PRIMARY KEY (id)" : nil }
}
