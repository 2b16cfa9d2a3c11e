// pg_namespace, pg_type, pg_collation, pg_tablespace: schemas, the built-in types, collations and
// tablespaces. Types come from the types module's table (BuiltinTypes.all); there are no
// user-defined types. Collations are PostgreSQL's three built-in ones (default, C, POSIX).

extension SystemTable {
    static let pgNamespace = SystemTable("pg_namespace", oid: 2615, columns: [
        ("oid", .oidType), ("nspname", .name), ("nspowner", .oidType), ("nspacl", .aclitemArray),
    ]) { view in
        view.namespaces.map { [.oid($0.oid), .name($0.name), .oid($0.ownerOID), .null] }
    }

    static let pgType = SystemTable("pg_type", oid: 1247, columns: [
        ("oid", .oidType), ("typname", .name), ("typnamespace", .oidType), ("typowner", .oidType),
        ("typlen", .int2), ("typbyval", .bool), ("typtype", .char), ("typcategory", .char),
        ("typispreferred", .bool), ("typisdefined", .bool), ("typdelim", .char), ("typrelid", .oidType),
        ("typsubscript", .regproc), ("typelem", .oidType), ("typarray", .oidType), ("typinput", .regproc),
        ("typoutput", .regproc), ("typreceive", .regproc), ("typsend", .regproc), ("typmodin", .regproc),
        ("typmodout", .regproc), ("typanalyze", .regproc), ("typalign", .char), ("typstorage", .char),
        ("typnotnull", .bool), ("typbasetype", .oidType), ("typtypmod", .int4), ("typndims", .int4),
        ("typcollation", .oidType), ("typdefaultbin", .pgNodeTree), ("typdefault", .text),
        ("typacl", .aclitemArray),
    ]) { _ in
        BuiltinTypes.all.map { info in
            let type = SQLType(oid: info.oid)
            return [
                .oid(info.oid), .name(info.name), .oid(CatalogConstants.pgCatalogNamespace), .oid(CatalogConstants.bootstrapSuperuser),
                .int2(info.length), .bool(isPassedByValue(type)), .char(info.category == .pseudo ? "p" : "b"),
                .char(String(info.category.rawValue)),
                .bool(info.isPreferred), .bool(true), .char(","), .oid(0),
                .oid(0), .oid(info.elementOID ?? 0), .oid(info.arrayOID ?? 0), .oid(0),
                .oid(0), .oid(0), .oid(0), .oid(0),
                .oid(0), .oid(0), .char(String(info.alignment)), .char(info.length == -1 ? "x" : "p"),
                .bool(false), .oid(0), .int4(-1), .int4(0),
                .oid(collation(of: type)), .null, .null,
                .null,
            ]
        }
    }

    static let pgCollation = SystemTable("pg_collation", oid: 3456, columns: [
        ("oid", .oidType), ("collname", .name), ("collnamespace", .oidType), ("collowner", .oidType),
        ("collprovider", .char), ("collisdeterministic", .bool), ("collencoding", .int4),
        ("collcollate", .text), ("collctype", .text), ("colliculocale", .text), ("collversion", .text),
    ]) { _ in
        let builtins: [(UInt32, String, String, Int32, String?)] = [
            (BuiltinOID.defaultCollation, "default", "d", -1, nil),
            (BuiltinOID.cCollation, "C", "c", -1, "C"),
            (BuiltinOID.posixCollation, "POSIX", "c", -1, "POSIX"),
        ]
        return builtins.map { oid, name, provider, encoding, locale in
            [
                .oid(oid), .name(name), .oid(CatalogConstants.pgCatalogNamespace), .oid(CatalogConstants.bootstrapSuperuser),
                .char(provider), .bool(true), .int4(encoding),
                .optionalText(locale), .optionalText(locale), .null, .null,
            ]
        }
    }

    static let pgTablespace = SystemTable("pg_tablespace", oid: 1213, columns: [
        ("oid", .oidType), ("spcname", .name), ("spcowner", .oidType), ("spcacl", .aclitemArray),
        ("spcoptions", .textArray),
    ]) { _ in
        [
            [.oid(BuiltinOID.defaultTablespace), .name("pg_default"), .oid(CatalogConstants.bootstrapSuperuser), .null, .null],
            [.oid(BuiltinOID.globalTablespace), .name("pg_global"), .oid(CatalogConstants.bootstrapSuperuser), .null, .null],
        ]
    }
}
