// FunctionsTests: built-in function resolution and results with a fixed FunctionContext, and
// set-returning functions. (Aggregates are the executor's and are tested through the engine.)

import Testing
@testable import SQLMini

/// A FunctionContext with fixed answers.
final class FakeFunctionContext: FunctionContext {
    var catalog: CatalogLookup? = FakeCatalog()
    var settings: SessionSettings
    var transactionTimestamp: Int64 = 849_296_252_123_456          // 2026-11-29 19:37:32.123456
    var statementTimestamp: Int64 = 849_296_252_123_456
    var serverStartTimestamp: Int64 = 0
    var databaseName = "postgres"
    var currentUser = "postgres"
    var sessionUser = "postgres"
    var backendPID: Int32 = 4242
    var isInRecovery = false
    var walInsertLSN: UInt64 = 0x16B3800
    var walFlushLSN: UInt64 = 0x16B3748
    var walWriteLSN: UInt64 = 0x16B3748
    var timeline: UInt32 = 1
    var walSegmentSize = 16 * 1024 * 1024
    var serverAddress: (host: String, port: Int)? = ("127.0.0.1", 5432)
    var clientAddress: (host: String, port: Int)? = ("127.0.0.1", 50000)

    init() throws {
        settings = try SessionSettings(server: ServerSettings(), user: "postgres", isSuperuser: true)
    }
    func setSetting(_ name: String, to value: String, isLocal: Bool) throws -> String {
        try settings.set(name, to: value, isLocal: isLocal)
        return try settings.show(name)
    }
    func clockTimestamp() -> Int64 { transactionTimestamp + 1 }
    func currentSchemas(includeImplicit: Bool) -> [String] { includeImplicit ? ["pg_catalog", "public"] : ["public"] }
    func relationSize(_ oid: UInt32) throws -> Int64? { oid == 16389 ? 16384 : nil }
    func indexesSize(_ oid: UInt32) throws -> Int64? { oid == 16389 ? 8192 : nil }
    func currentTransactionID() throws -> Int64 { 731 }
}

@Suite("Functions")
struct FunctionsTests {
    func call(_ name: String, _ args: [(Value, SQLType)], context: FakeFunctionContext? = nil) throws -> String? {
        let fn = try FunctionRegistry.resolve(name, argumentTypes: args.map(\.1))
        let ctx = try context ?? FakeFunctionContext()
        return try fn.invoke(args.map(\.0), ctx).text(as: fn.resultType, catalog: ctx.catalog)
    }
    func t(_ s: String) -> (Value, SQLType) { (.text(s), .unknown) }
    func i(_ v: Int32) -> (Value, SQLType) { (.int4(v), .int4) }

    @Test func serverAndSessionInformation() throws {
        #expect(try call("version", []) == "PostgreSQL 15.0 (minipg 0.1) on x86_64-pc-linux-gnu, compiled by Swift 6.3")
        #expect(try call("pg_catalog.current_setting", [t("server_version")]) == "15.0")
        #expect(try call("current_setting", [t("nosuch.thing"), (.bool(true), .bool)]) == nil)
        #expect(throws: SQLError(SQLError.undefinedObject, #"unrecognized configuration parameter "nosuch""#)) {
            try call("current_setting", [t("nosuch")])
        }
        let ctx = try FakeFunctionContext()
        #expect(try call("set_config", [t("statement_timeout"), t("5s"), (.bool(false), .bool)], context: ctx) == "5s")
        #expect(try ctx.settings.show("statement_timeout") == "5s")
        #expect(try call("current_database", []) == "postgres")
        #expect(try call("current_user", []) == "postgres")
        #expect(try call("current_schema", []) == "public")
        #expect(try call("current_schemas", [(.bool(true), .bool)]) == "{pg_catalog,public}")
        #expect(try call("pg_backend_pid", []) == "4242")
        #expect(try call("pg_is_in_recovery", []) == "f")
        #expect(try call("now", []) == "2026-11-29 19:37:32.123456+00")
        #expect(try call("txid_current", []) == "731")
        #expect(try call("inet_server_port", []) == "5432")
        #expect(try call("has_table_privilege", [(.oid(16389), .oidType), t("SELECT")]) == "t")
        #expect(try call("pg_typeof", [i(1)]) == "integer")
    }

    @Test func catalogFunctions() throws {
        #expect(try call("format_type", [(.oid(1042), .oidType), i(88)]) == "character(84)")
        #expect(try call("format_type", [(.oid(23), .oidType), (.null, .int4)]) == "integer")
        #expect(try call("format_type", [(.null, .oidType), i(-1)]) == nil)
        #expect(try call("pg_get_userbyid", [(.oid(10), .oidType)]) == "postgres")
        #expect(try call("pg_get_userbyid", [(.oid(77), .oidType)]) == "unknown (OID=77)")
        #expect(try call("pg_table_is_visible", [(.oid(16389), .oidType)]) == "t")
        #expect(try call("pg_get_expr", [(.text("nextval('t_id_seq'::regclass)"), .pgNodeTree), (.oid(16389), .oidType)]) == "nextval('t_id_seq'::regclass)")
        #expect(try call("pg_get_expr", [(.null, .pgNodeTree), (.oid(16389), .oidType), (.bool(true), .bool)]) == nil)
        #expect(try call("pg_get_expr", [(.text("0"), .text), (.oid(16389), .oidType)]) == "0")
        #expect(try call("pg_get_indexdef", [(.oid(16390), .oidType), i(0), (.bool(true), .bool)]) == "CREATE UNIQUE INDEX mimuw_pkey ON mimuw USING btree (id)")
        #expect(try call("pg_get_constraintdef", [(.oid(16391), .oidType), (.bool(true), .bool)]) == "PRIMARY KEY (id)")
        #expect(try call("pg_encoding_to_char", [i(6)]) == "UTF8")
        #expect(try call("obj_description", [(.oid(16389), .oidType), t("pg_class")]) == nil)
        #expect(try call("pg_relation_is_publishable", [(.oid(16389), .oidType)]) == "f")
        #expect(try call("pg_table_size", [(.oid(16389), .oidType)]) == "16384")
        #expect(try call("pg_total_relation_size", [(.oid(16389), .oidType)]) == "24576")
        #expect(try call("pg_size_pretty", [(.int8(16384), .int8)]) == "16 kB")
        #expect(try call("pg_size_pretty", [(.int8(13 * 1024 * 1024 + 300_000), .int8)]) == "13 MB")
        #expect(try call("pg_size_pretty", [(.int8(10239), .int8)]) == "10239 bytes")
        #expect(try call("pg_size_pretty", [(.int8(10240), .int8)]) == "10 kB")
    }

    @Test func walFunctions() throws {
        #expect(try call("pg_current_wal_lsn", []) == "0/16B3748")
        #expect(try call("pg_current_wal_insert_lsn", []) == "0/16B3800")
        #expect(try call("pg_walfile_name", [(.pgLSN(0x16B3748), .pgLSN)]) == "000000010000000000000001")
        #expect(try call("pg_walfile_name", [(.pgLSN(0x1000000), .pgLSN)]) == "000000010000000000000000")
        #expect(try call("pg_wal_lsn_diff", [(.pgLSN(0x16B3748), .pgLSN), t("0/16B3700")]) == "72")
        #expect(try call("pg_last_wal_replay_lsn", []) == nil)
        let standby = try FakeFunctionContext()
        standby.isInRecovery = true
        #expect(throws: SQLError(SQLError.objectNotInPrerequisiteState, "recovery is in progress",
                                 hint: "WAL control functions cannot be executed during recovery.")) {
            try call("pg_current_wal_lsn", [], context: standby)
        }
    }

    @Test func stringFunctions() throws {
        #expect(try call("length", [t("héllo")]) == "5")
        #expect(try call("octet_length", [t("héllo")]) == "6")
        #expect(try call("upper", [t("abc")]) == "ABC")
        #expect(try call("substr", [t("abcdef"), i(2), i(3)]) == "bcd")
        #expect(try call("substring", [t("abcdef"), i(0), i(3)]) == "ab")
        #expect(try call("substr", [t("abc"), i(5)]) == "")
        #expect(try call("btrim", [t("  x  ")]) == "x")
        #expect(try call("rtrim", [t("xxaxx"), t("x")]) == "xxa")
        #expect(try call("strpos", [t("hello"), t("ll")]) == "3")
        #expect(try call("replace", [t("a-b-c"), t("-"), t("+")]) == "a+b+c")
        #expect(try call("concat", [t("a"), (.null, .text), i(1)]) == "a1")
        #expect(try call("concat_ws", [t(","), t("a"), (.null, .text), t("b")]) == "a,b")
        #expect(try call("lpad", [t("7"), i(3), t("0")]) == "007")
        #expect(try call("split_part", [t("a,b,c"), t(","), i(2)]) == "b")
        #expect(try call("md5", [t("hello")]) == "5d41402abc4b2a76b9719d911017c592")
        #expect(try call("md5", [t("")]) == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(try call("quote_ident", [t("Foo")]) == "\"Foo\"")
        #expect(try call("quote_ident", [t("foo_1")]) == "foo_1")
        #expect(try call("left", [t("abcdef"), i(-2)]) == "abcd")
        #expect(try call("length", [(.null, .text)]) == nil)
        #expect(throws: SQLError(SQLError.programLimitExceeded, "requested length too large")) { try call("repeat", [t("ab"), i(Int32.max)]) }
        #expect(throws: SQLError(SQLError.programLimitExceeded, "requested length too large")) { try call("lpad", [t("ab"), i(Int32.max)]) }
    }

    @Test func mathAndConditionalFunctions() throws {
        #expect(try call("abs", [i(-5)]) == "5")
        #expect(try call("round", [(.numeric(Numeric(parsing: "2.5")!), .numeric)]) == "3")
        #expect(try call("round", [(.float8(2.5), .float8)]) == "2")
        #expect(try call("round", [(.numeric(Numeric(parsing: "1234.5678")!), .numeric), i(2)]) == "1234.57")
        #expect(try call("round", [(.numeric(Numeric(parsing: "1250")!), .numeric), i(-2)]) == "1300")
        #expect(try call("ceil", [(.numeric(Numeric(parsing: "-1.5")!), .numeric)]) == "-1")
        #expect(try call("floor", [(.numeric(Numeric(parsing: "-1.5")!), .numeric)]) == "-2")
        #expect(try call("mod", [i(7), i(3)]) == "1")
        #expect(try call("coalesce", [(.null, .int4), i(2), i(3)]) == "2")
        #expect(try call("greatest", [i(1), (.int8(5), .int8), (.null, .int4)]) == "5")
        #expect(try call("least", [t("b"), t("a")]) == "a")
        #expect(try call("nullif", [i(1), i(1)]) == nil)
        #expect(try ConditionalExpressions.commonType([.unknown, .int4, .int8]) == .int8)
        #expect(try ConditionalExpressions.commonType([.unknown, .unknown]) == .text)
        #expect(throws: SQLError(SQLError.datatypeMismatch, "CASE types integer and boolean cannot be matched")) {
            try ConditionalExpressions.commonType([.int4, .bool])
        }
    }

    @Test func arrayFunctions() throws {
        let arr = (Value.array(ArrayValue(elementType: .text, elements: [.text("a"), .null, .text("c")])), SQLType.textArray)
        #expect(try call("array_to_string", [arr, t(",")]) == "a,c")
        #expect(try call("array_to_string", [arr, t(","), t("*")]) == "a,*,c")
        #expect(try call("array_length", [arr, i(1)]) == "3")
        #expect(try call("array_upper", [arr, i(1)]) == "3")
        #expect(try call("array_upper", [(.array(ArrayValue(elementType: .int4, elements: [])), .int4Array), i(1)]) == nil)
        let schemas = (Value.array(ArrayValue(elementType: .name, elements: [.text("pg_catalog"), .text("public")])), SQLType.nameArray)
        #expect(try call("array_position", [schemas, t("public")]) == "2")     // pgbench's partition check
    }

    @Test func unknownFunctionsAndSignatures() {
        let hint = "No function matches the given name and argument types. You might need to add explicit type casts."
        #expect(throws: SQLError(SQLError.undefinedFunction, "function foo(integer) does not exist", hint: hint)) {
            try FunctionRegistry.resolve("foo", argumentTypes: [.int4])
        }
        #expect(throws: SQLError(SQLError.undefinedFunction, "function length(integer, unknown) does not exist", hint: hint)) {
            try FunctionRegistry.resolve("length", argumentTypes: [.int4, .unknown])
        }
        #expect(throws: SQLError(SQLError.undefinedFunction, "function other.version() does not exist", hint: hint)) {
            try FunctionRegistry.resolve("version", schema: "other", argumentTypes: [])
        }
    }

    @Test func setReturningFunctions() throws {
        func rows(_ name: String, _ args: [(Value, SQLType)]) throws -> [String] {
            let srf = try SetReturningFunctions.resolve(name, argumentTypes: args.map(\.1))
            let next = try srf.start(args.map(\.0))
            var out: [String] = []
            while let v = try next() { out.append(v.text(as: srf.columnType) ?? "NULL") }
            return out
        }
        #expect(try rows("generate_series", [i(1), i(5)]) == ["1", "2", "3", "4", "5"])
        #expect(try rows("generate_series", [i(5), i(1), i(-2)]) == ["5", "3", "1"])
        #expect(try rows("generate_series", [(.int8(Int64.max - 1), .int8), (.int8(Int64.max), .int8)]).count == 2)
        #expect(try rows("generate_series", [i(1), (.null, .int4)]).isEmpty)
        #expect(try rows("unnest", [(.array(ArrayValue(elementType: .int4, elements: [.int4(1), .null])), .int4Array)]) == ["1", "NULL"])
        #expect(try SetReturningFunctions.resolve("generate_series", argumentTypes: [.int4, .int4]).columnType == .int4)
    }
}
