// pg_class, pg_attribute, pg_attrdef, pg_am: relations and their columns (PostgreSQL 15 layout).
//
// relkind 'r' table, 'i' index, 'S' sequence, 'v' view; relpersistence 'p' (permanent);
// relreplident 'd' (default) for tables, 'n' otherwise; relam heap (2) for tables, btree (403) for
// indexes. Dropped columns do not exist here, so attisdropped is always false.

extension SystemTable {
    static let pgClass = SystemTable("pg_class", oid: BuiltinOID.pgClassRelation, columns: [
        ("oid", .oidType), ("relname", .name), ("relnamespace", .oidType), ("reltype", .oidType),
        ("reloftype", .oidType), ("relowner", .oidType), ("relam", .oidType), ("relfilenode", .oidType),
        ("reltablespace", .oidType), ("relpages", .int4), ("reltuples", .float4), ("relallvisible", .int4),
        ("reltoastrelid", .oidType), ("relhasindex", .bool), ("relisshared", .bool), ("relpersistence", .char),
        ("relkind", .char), ("relnatts", .int2), ("relchecks", .int2), ("relhasrules", .bool),
        ("relhastriggers", .bool), ("relhassubclass", .bool), ("relrowsecurity", .bool),
        ("relforcerowsecurity", .bool), ("relispopulated", .bool), ("relreplident", .char),
        ("relispartition", .bool), ("relrewrite", .oidType), ("relfrozenxid", .xid), ("relminmxid", .xid),
        ("relacl", .aclitemArray), ("reloptions", .textArray), ("relpartbound", .pgNodeTree),
    ]) { view in
        view.relations.map { relation in
            let isTable = relation.kind == "r"
            let isView = relation.kind == "v"
            return [
                .oid(relation.oid), .name(relation.name), .oid(relation.namespaceOID), .oid(0),
                .oid(0), .oid(relation.ownerOID), .oid(relation.accessMethodOID), .oid(isView ? 0 : relation.oid),
                .oid(0), .int4(relation.pages), .float4(relation.tuples), .int4(0),
                .oid(0), .bool(relation.hasIndex), .bool(false), .char("p"),
                .char(relation.kind), .int2(Int16(clamping: relation.columns.count)), .int2(0), .bool(isView),
                .bool(false), .bool(false), .bool(false),
                .bool(false), .bool(true), .char(isTable ? "d" : "n"),
                .bool(false), .oid(0), .oid(isTable ? 1 : 0), .oid(isTable ? 1 : 0),
                .null, .null, .null,
            ]
        }
    }

    static let pgAttribute = SystemTable("pg_attribute", oid: 1249, columns: [
        ("attrelid", .oidType), ("attname", .name), ("atttypid", .oidType), ("attstattarget", .int4),
        ("attlen", .int2), ("attnum", .int2), ("attndims", .int4), ("attcacheoff", .int4),
        ("atttypmod", .int4), ("attbyval", .bool), ("attalign", .char), ("attstorage", .char),
        ("attcompression", .char), ("attnotnull", .bool), ("atthasdef", .bool), ("atthasmissing", .bool),
        ("attidentity", .char), ("attgenerated", .char), ("attisdropped", .bool), ("attislocal", .bool),
        ("attinhcount", .int4), ("attcollation", .oidType), ("attacl", .aclitemArray),
        ("attoptions", .textArray), ("attfdwoptions", .textArray),
    ]) { view in
        view.relations.flatMap { relation in
            relation.columns.map { column in
                let length = column.type.length
                return [
                    .oid(relation.oid), .name(column.name), .oid(column.type.oid), .int4(-1),
                    .int2(length), .int2(column.number), .int4(column.type.isArray ? 1 : 0), .int4(-1),
                    .int4(column.type.typmod), .bool(isPassedByValue(column.type)),
                    .char(String(column.type.info?.alignment ?? "i")), .char(length == -1 ? "x" : "p"),
                    .char(""), .bool(column.notNull), .bool(column.defaultExpression != nil), .bool(false),
                    .char(""), .char(""), .bool(false), .bool(true),
                    .int4(0), .oid(collation(of: column.type)), .null,
                    .null, .null,
                ]
            }
        }
    }

    static let pgAttrdef = SystemTable("pg_attrdef", oid: 2604, columns: [
        ("oid", .oidType), ("adrelid", .oidType), ("adnum", .int2), ("adbin", .pgNodeTree),
    ]) { view in
        view.relations.flatMap { relation in
            relation.columns.compactMap { column -> [Value]? in
                guard let expression = column.defaultExpression else { return nil }
                return [.oid(0), .oid(relation.oid), .int2(column.number), .text(expression)]
            }
        }
    }

    static let pgAm = SystemTable("pg_am", oid: 2601, columns: [
        ("oid", .oidType), ("amname", .name), ("amhandler", .regproc), ("amtype", .char),
    ]) { _ in
        [
            [.oid(CatalogConstants.heapAccessMethod), .name("heap"), .oid(3), .char("t")],
            [.oid(CatalogConstants.btreeAccessMethod), .name("btree"), .oid(330), .char("i")],
        ]
    }

    /// typbyval: fixed-length types of 1, 2, 4 or 8 bytes are passed by value.
    static func isPassedByValue(_ type: SQLType) -> Bool {
        [1, 2, 4, 8].contains(type.length) && type.oid != SQLType.name.oid
    }

    /// The collation a column of this type gets by default (typcollation): "default" for the
    /// character types, "C" for name, none (0) for the rest.
    static func collation(of type: SQLType) -> UInt32 {
        switch type.oid {
        case SQLType.text.oid, SQLType.varchar.oid, SQLType.bpchar.oid: return BuiltinOID.defaultCollation
        case SQLType.name.oid: return BuiltinOID.cCollation
        default: return 0
        }
    }
}
