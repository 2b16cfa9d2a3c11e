// CatalogFunctions: the functions psql's describe queries call on catalog rows — format_type,
// pg_get_userbyid, pg_table_is_visible, pg_get_expr, pg_get_indexdef, pg_get_constraintdef,
// pg_encoding_to_char, the description lookups (minipg stores no comments: NULL) and the relation
// size functions with pg_size_pretty.

enum CatalogFunctions {
    /// PostgreSQL's encoding number for UTF8 (pg_database.encoding).
    static let utf8EncodingNumber: Int32 = 6

    static let definitions: [FunctionDefinition] = [
        .fn("format_type", [.oidType, .int4], .text, strict: false) { args, ctx in
            guard let oid = args[0].oidValue else { return .null }
            let typmod = args[1].int32Value ?? -1
            if BuiltinTypes.byOID[oid] != nil { return .text(SQLType(oid: oid, typmod: typmod).formatted) }
            return .text(ctx.catalog?.typeName(oid) ?? "???")
        },
        .fn("pg_get_userbyid", [.oidType], .name) { args, ctx in
            let oid = args[0].oidValue ?? 0
            return .text(ctx.catalog?.roleName(oid) ?? "unknown (OID=\(oid))")
        },
        .fn("pg_table_is_visible", [.oidType], .bool) { args, ctx in
            .bool(ctx.catalog?.isRelationVisible(args[0].oidValue ?? 0) ?? false)
        },
        .fn("pg_type_is_visible", [.oidType], .bool) { _, _ in .bool(true) },
        .fn("pg_function_is_visible", [.oidType], .bool) { _, _ in .bool(true) },
        .fn("pg_collation_is_visible", [.oidType], .bool) { _, _ in .bool(true) },
        .fn("pg_opclass_is_visible", [.oidType], .bool) { _, _ in .bool(true) },
        .fn("pg_statistics_obj_is_visible", [.oidType], .bool) { _, _ in .bool(true) },
        // Our pg_node_tree values are the expression's SQL text already.
        .fn("pg_get_expr", [.pgNodeTree, .oidType], .text) { args, _ in args[0] },
        .fn("pg_get_expr", [.pgNodeTree, .oidType, .bool], .text) { args, _ in args[0] },
        .fn("pg_get_expr", [.text, .oidType], .text) { args, _ in args[0] },
        .fn("pg_get_expr", [.text, .oidType, .bool], .text) { args, _ in args[0] },
        .fn("pg_get_indexdef", [.oidType], .text) { args, ctx in
            ctx.catalog?.indexDefinition(args[0].oidValue ?? 0, column: 0, pretty: false).map(Value.text) ?? .null
        },
        .fn("pg_get_indexdef", [.oidType, .int4, .bool], .text) { args, ctx in
            ctx.catalog?.indexDefinition(args[0].oidValue ?? 0, column: Int(args[1].int32Value ?? 0),
                                         pretty: args[2].boolValue ?? false).map(Value.text) ?? .null
        },
        .fn("pg_get_constraintdef", [.oidType], .text) { args, ctx in
            ctx.catalog?.constraintDefinition(args[0].oidValue ?? 0, pretty: false).map(Value.text) ?? .null
        },
        .fn("pg_get_constraintdef", [.oidType, .bool], .text) { args, ctx in
            ctx.catalog?.constraintDefinition(args[0].oidValue ?? 0, pretty: args[1].boolValue ?? false).map(Value.text) ?? .null
        },
        .fn("pg_encoding_to_char", [.int4], .name) { args, _ in
            .text(args[0].int32Value == utf8EncodingNumber ? "UTF8" : (args[0].int32Value == 0 ? "SQL_ASCII" : ""))
        },
        .fn("pg_char_to_encoding", [.name], .int4) { args, _ in
            let name = (args[0].stringValue ?? "").uppercased()
            return .int4(name == "UTF8" || name == "UNICODE" ? utf8EncodingNumber : (name == "SQL_ASCII" ? 0 : -1))
        },
        .fn("pg_relation_is_publishable", [.regclass], .bool) { _, _ in .bool(false) },
        .fn("pg_get_statisticsobjdef_columns", [.oidType], .text) { _, _ in .null },
        .fn("pg_get_partkeydef", [.oidType], .text) { _, _ in .null },
        .fn("pg_get_viewdef", [.oidType], .text) { _, _ in .null },
        .fn("pg_get_viewdef", [.oidType, .bool], .text) { _, _ in .null },
        .fn("pg_get_triggerdef", [.oidType], .text) { _, _ in .null },
        .fn("pg_get_triggerdef", [.oidType, .bool], .text) { _, _ in .null },
        .fn("pg_get_serial_sequence", [.text, .text], .text) { _, _ in .null },
        .fn("pg_tablespace_location", [.oidType], .text) { _, _ in .text("") },
        // Comments are not stored by minipg.
        .fn("obj_description", [.oidType], .text) { _, _ in .null },
        .fn("obj_description", [.oidType, .name], .text) { _, _ in .null },
        .fn("col_description", [.oidType, .int4], .text) { _, _ in .null },
        .fn("shobj_description", [.oidType, .name], .text) { _, _ in .null },
        // Sizes
        .fn("pg_relation_size", [.regclass], .int8) { args, ctx in try size(ctx.relationSize(args[0].oidValue ?? 0)) },
        .fn("pg_relation_size", [.regclass, .text], .int8) { args, ctx in
            // Only the main fork exists; the fsm, vm and init forks are empty.
            args[1].stringValue == "main" ? try size(ctx.relationSize(args[0].oidValue ?? 0)) : .int8(0)
        },
        .fn("pg_table_size", [.regclass], .int8) { args, ctx in try size(ctx.relationSize(args[0].oidValue ?? 0)) },
        .fn("pg_indexes_size", [.regclass], .int8) { args, ctx in try size(ctx.indexesSize(args[0].oidValue ?? 0)) },
        .fn("pg_total_relation_size", [.regclass], .int8) { args, ctx in
            let oid = args[0].oidValue ?? 0
            guard let table = try ctx.relationSize(oid) else { return .null }
            return .int8(table + (try ctx.indexesSize(oid) ?? 0))
        },
        .fn("pg_size_pretty", [.int8], .text) { args, _ in .text(prettySize(args[0].integerValue ?? 0)) },
        .fn("pg_size_pretty", [.numeric], .text) { args, _ in
            .text(prettySize(args[0].numericValue?.roundedInt64 ?? 0))
        },
    ]

    private static func size(_ bytes: Int64?) -> Value { bytes.map(Value.int8) ?? .null }

    /// PostgreSQL's pg_size_pretty: bytes below 10 kB, then the first unit below 10240 of it,
    /// rounding half up on the bit shifted out last.
    static func prettySize(_ bytes: Int64) -> String {
        let limit: Int64 = 10 * 1024, limit2 = limit * 2 - 1
        if abs(bytes) < limit { return "\(bytes) bytes" }
        func halfRounded(_ x: Int64) -> Int64 { (x + (x < 0 ? -1 : 1)) / 2 }
        var size = bytes >> 9          // keep one extra bit for rounding
        for unit in ["kB", "MB", "GB", "TB"] {
            if abs(size) < limit2 || unit == "TB" { return "\(halfRounded(size)) \(unit)" }
            size >>= 10
        }
        return "\(halfRounded(size)) PB"
    }
}
