// pg_authid, pg_roles, pg_user, pg_auth_members, pg_database: roles and databases.
//
// pg_roles and pg_user are PostgreSQL's views over pg_authid: they hide the password verifier
// behind `********`. There is no role membership yet (pg_auth_members is empty). Every database
// is UTF8 (encoding 6) with the libc locale C.UTF-8.

extension SystemTable {
    static let pgAuthid = SystemTable("pg_authid", oid: 1260, columns: [
        ("oid", .oidType), ("rolname", .name), ("rolsuper", .bool), ("rolinherit", .bool),
        ("rolcreaterole", .bool), ("rolcreatedb", .bool), ("rolcanlogin", .bool), ("rolreplication", .bool),
        ("rolbypassrls", .bool), ("rolconnlimit", .int4), ("rolpassword", .text), ("rolvaliduntil", .timestamptz),
    ]) { view in
        view.roles.map { role in
            [
                .oid(role.oid), .name(role.name), .bool(role.superuser), .bool(role.inherit),
                .bool(role.createRole), .bool(role.createDatabase), .bool(role.canLogin), .bool(role.replication),
                .bool(role.bypassRowLevelSecurity), .int4(role.connectionLimit),
                .optionalText(role.passwordVerifier), .null,
            ]
        }
    }

    static let pgRoles = SystemTable("pg_roles", oid: 12_001, columns: [
        ("rolname", .name), ("rolsuper", .bool), ("rolinherit", .bool), ("rolcreaterole", .bool),
        ("rolcreatedb", .bool), ("rolcanlogin", .bool), ("rolreplication", .bool), ("rolconnlimit", .int4),
        ("rolpassword", .text), ("rolvaliduntil", .timestamptz), ("rolbypassrls", .bool),
        ("rolconfig", .textArray), ("oid", .oidType),
    ]) { view in
        view.roles.map { role in
            [
                .name(role.name), .bool(role.superuser), .bool(role.inherit), .bool(role.createRole),
                .bool(role.createDatabase), .bool(role.canLogin), .bool(role.replication), .int4(role.connectionLimit),
                .text(hiddenPassword), .null, .bool(role.bypassRowLevelSecurity),
                .null, .oid(role.oid),
            ]
        }
    }

    static let pgUser = SystemTable("pg_user", oid: 12_002, columns: [
        ("usename", .name), ("usesysid", .oidType), ("usecreatedb", .bool), ("usesuper", .bool),
        ("userepl", .bool), ("usebypassrls", .bool), ("passwd", .text), ("valuntil", .timestamptz),
        ("useconfig", .textArray),
    ]) { view in
        view.roles.filter(\.canLogin).map { role in
            [
                .name(role.name), .oid(role.oid), .bool(role.createDatabase), .bool(role.superuser),
                .bool(role.replication), .bool(role.bypassRowLevelSecurity), .text(hiddenPassword), .null,
                .null,
            ]
        }
    }

    static let pgAuthMembers = SystemTable("pg_auth_members", oid: 1261, columns: [
        ("roleid", .oidType), ("member", .oidType), ("grantor", .oidType), ("admin_option", .bool),
    ])

    static let pgDatabase = SystemTable("pg_database", oid: 1262, columns: [
        ("oid", .oidType), ("datname", .name), ("datdba", .oidType), ("encoding", .int4),
        ("datlocprovider", .char), ("datistemplate", .bool), ("datallowconn", .bool), ("datconnlimit", .int4),
        ("datfrozenxid", .xid), ("datminmxid", .xid), ("dattablespace", .oidType), ("datcollate", .text),
        ("datctype", .text), ("daticulocale", .text), ("datcollversion", .text), ("datacl", .aclitemArray),
    ]) { view in
        view.databases.map { database in
            let acl: Value = database.accessPrivileges.map {
                .array(ArrayValue(elementType: .aclitem, elements: $0.map(Value.text)))
            } ?? .null
            return [
                .oid(database.oid), .name(database.name), .oid(database.ownerOID), .int4(utf8Encoding),
                .char("c"), .bool(database.isTemplate), .bool(database.allowConnections), .int4(-1),
                .oid(1), .oid(1), .oid(BuiltinOID.defaultTablespace), .text(defaultLocale),
                .text(defaultLocale), .null, .null, acl,
            ]
        }
    }

    /// What the views show instead of a password verifier.
    static let hiddenPassword = "********"
    /// pg_encoding_to_char(6) = 'UTF8'.
    static let utf8Encoding: Int32 = 6
    static let defaultLocale = "C.UTF-8"
}
