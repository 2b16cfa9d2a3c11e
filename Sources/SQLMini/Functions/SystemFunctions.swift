// SystemFunctions: session and server information (version(), current_user, current_setting,
// set_config, pg_backend_pid, inet_server_addr, txid_current, privilege checks, pg_typeof).
// minipg has no privilege system yet: has_*_privilege and pg_has_role answer true.

enum SystemFunctions {
    /// What version() prints.
    static let versionString = "PostgreSQL 15.0 (minipg 0.1) on x86_64-pc-linux-gnu, compiled by Swift 6.3"

    static func text(_ s: String) -> Value { .text(s) }

    static let definitions: [FunctionDefinition] = [
        .fn("version", [], .text) { _, _ in .text(versionString) },
        .fn("current_setting", [.text]) { args, ctx in
            .text(try ctx.settings.currentSetting(args[0].stringValue ?? "") ?? "")
        },
        .fn("current_setting", [.text, .bool], .text) { args, ctx in
            try ctx.settings.currentSetting(args[0].stringValue ?? "", missingOK: args[1].boolValue ?? false).map(Value.text) ?? .null
        },
        .fn("set_config", [.text, .text, .bool], .text, strict: false) { args, ctx in
            guard let name = args[0].stringValue else {
                throw SQLError(SQLError.nullValueNotAllowed, "SET requires parameter name")
            }
            return .text(try ctx.setSetting(name, to: args[1].stringValue ?? "", isLocal: args[2].boolValue ?? false))
        },
        .fn("current_database", [], .name) { _, ctx in .text(ctx.databaseName) },
        .fn("current_catalog", [], .name) { _, ctx in .text(ctx.databaseName) },
        .fn("current_user", [], .name) { _, ctx in .text(ctx.currentUser) },
        .fn("current_role", [], .name) { _, ctx in .text(ctx.currentUser) },
        .fn("user", [], .name) { _, ctx in .text(ctx.currentUser) },
        .fn("session_user", [], .name) { _, ctx in .text(ctx.sessionUser) },
        .fn("current_schema", [], .name) { _, ctx in
            ctx.currentSchemas(includeImplicit: false).first.map(Value.text) ?? .null
        },
        .fn("current_schemas", [.bool], .nameArray) { args, ctx in
            let names = ctx.currentSchemas(includeImplicit: args[0].boolValue ?? false)
            return .array(ArrayValue(elementType: .name, elements: names.map(Value.text)))
        },
        .fn("pg_backend_pid", [], .int4) { _, ctx in .int4(ctx.backendPID) },
        .fn("pg_postmaster_start_time", [], .timestamptz) { _, ctx in .timestamptz(ctx.serverStartTimestamp) },
        .fn("pg_is_in_recovery", [], .bool) { _, ctx in .bool(ctx.isInRecovery) },
        .fn("pg_reload_conf", [], .bool) { _, ctx in .bool(try ctx.reloadConfiguration()) },
        .fn("txid_current", [], .int8) { _, ctx in .int8(try ctx.currentTransactionID()) },
        .fn("pg_current_xact_id", [], .xid8) { _, ctx in .int8(try ctx.currentTransactionID()) },
        .fn("inet_server_addr", [], .inet) { _, ctx in ctx.serverAddress.map { .text($0.host) } ?? .null },
        .fn("inet_server_port", [], .int4) { _, ctx in ctx.serverAddress.map { .int4(Int32(clamping: $0.port)) } ?? .null },
        .fn("inet_client_addr", [], .inet) { _, ctx in ctx.clientAddress.map { .text($0.host) } ?? .null },
        .fn("inet_client_port", [], .int4) { _, ctx in ctx.clientAddress.map { .int4(Int32(clamping: $0.port)) } ?? .null },
        FunctionDefinition("pg_typeof", [.any], returns: .regtype, strict: false) { _, types, _ in .oid(types[0].oid) },
        // Privileges: minipg has no GRANT yet, so every check passes.
        FunctionDefinition("has_table_privilege", [.any, .any], returns: .bool) { _, _, _ in .bool(true) },
        FunctionDefinition("has_table_privilege", [.any, .any, .any], returns: .bool) { _, _, _ in .bool(true) },
        FunctionDefinition("has_schema_privilege", [.any, .any], returns: .bool) { _, _, _ in .bool(true) },
        FunctionDefinition("has_schema_privilege", [.any, .any, .any], returns: .bool) { _, _, _ in .bool(true) },
        FunctionDefinition("has_database_privilege", [.any, .any], returns: .bool) { _, _, _ in .bool(true) },
        FunctionDefinition("has_database_privilege", [.any, .any, .any], returns: .bool) { _, _, _ in .bool(true) },
        FunctionDefinition("has_column_privilege", [.any, .any, .any], returns: .bool) { _, _, _ in .bool(true) },
        FunctionDefinition("has_column_privilege", [.any, .any, .any, .any], returns: .bool) { _, _, _ in .bool(true) },
        FunctionDefinition("has_function_privilege", [.any, .any], returns: .bool) { _, _, _ in .bool(true) },
        FunctionDefinition("has_function_privilege", [.any, .any, .any], returns: .bool) { _, _, _ in .bool(true) },
        FunctionDefinition("has_sequence_privilege", [.any, .any], returns: .bool) { _, _, _ in .bool(true) },
        FunctionDefinition("has_sequence_privilege", [.any, .any, .any], returns: .bool) { _, _, _ in .bool(true) },
        FunctionDefinition("pg_has_role", [.any, .any], returns: .bool) { _, _, _ in .bool(true) },
        FunctionDefinition("pg_has_role", [.any, .any, .any], returns: .bool) { _, _, _ in .bool(true) },
        // Conditional expressions as functions (the executor may evaluate them as special forms instead).
        FunctionDefinition("coalesce", [.anyElement], result: { $0.first ?? .text }, strict: false, variadic: true) { args, _, _ in
            ConditionalExpressions.coalesce(args)
        },
        FunctionDefinition("nullif", [.anyElement, .anyElement], result: { $0.first ?? .text }, strict: false) { args, types, _ in
            ConditionalExpressions.nullIf(args[0], args[1], type: types[0])
        },
        FunctionDefinition("greatest", [.anyElement], result: { $0.first ?? .text }, strict: false, variadic: true) { args, types, _ in
            ConditionalExpressions.greatest(args, type: types.first ?? .text)
        },
        FunctionDefinition("least", [.anyElement], result: { $0.first ?? .text }, strict: false, variadic: true) { args, types, _ in
            ConditionalExpressions.least(args, type: types.first ?? .text)
        },
    ]
}

extension FunctionDefinition {
    /// A function whose result type is its first parameter's (current_setting(text) → text).
    static func fn(_ name: String, _ parameters: [SQLType],
                   _ body: @escaping @Sendable ([Value], FunctionContext) throws -> Value) -> FunctionDefinition {
        fn(name, parameters, parameters.first ?? .text, body)
    }
}

/// The value logic of COALESCE, NULLIF, GREATEST and LEAST (NULL arguments are skipped by
/// GREATEST/LEAST, as in PostgreSQL), and the common type of a list of expressions.
public enum ConditionalExpressions {
    public static func coalesce(_ values: [Value]) -> Value { values.first { !$0.isNull } ?? .null }

    public static func nullIf(_ a: Value, _ b: Value, type: SQLType) -> Value {
        Value.equals(a, b, ignoringTrailingSpaces: type.oid == SQLType.bpchar.oid) == true ? .null : a
    }

    public static func greatest(_ values: [Value], type: SQLType) -> Value {
        values.filter { !$0.isNull }.max { Value.compare($0, $1, ignoringTrailingSpaces: type.oid == SQLType.bpchar.oid) < 0 } ?? .null
    }

    public static func least(_ values: [Value], type: SQLType) -> Value {
        values.filter { !$0.isNull }.min { Value.compare($0, $1, ignoringTrailingSpaces: type.oid == SQLType.bpchar.oid) < 0 } ?? .null
    }

    /// PostgreSQL's select_common_type for CASE, COALESCE, VALUES and UNION: unknowns take the
    /// other types' type (text if all are unknown); 42804 when two types cannot meet.
    public static func commonType(_ types: [SQLType], context: String = "CASE") throws -> SQLType {
        var result: SQLType? = nil
        for type in types where type.oid != SQLType.unknown.oid {
            guard let current = result else { result = type; continue }
            if current.oid == type.oid { if current.typmod != type.typmod { result = current.withoutModifier }; continue }
            guard let common = Operators.commonType(current, type) else {
                throw SQLError(SQLError.datatypeMismatch, "\(context) types \(current.formatted) and \(type.formatted) cannot be matched")
            }
            result = common
        }
        return result ?? .text
    }
}
