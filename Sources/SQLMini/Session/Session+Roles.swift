// Session+Roles: CREATE ROLE / CREATE USER, ALTER ROLE, DROP ROLE.
//
// Roles are rows of the catalog's authid relation, written in the statement's transaction like
// any DDL (so they are transactional and WAL-logged). A password is stored as a verifier made by
// the server's `passwordHasher` (SCRAM-SHA-256 lives in PGWire, which SQLMini must not import);
// a password given already hashed (`SCRAM-SHA-256$...` or `md5` + 32 hex digits) is stored as is,
// as PostgreSQL does.

extension Session {
    func runCreateRole(_ statement: CreateRoleStatement, context: ExecutionContext) throws -> String {
        guard role.superuser || role.createRole else {
            throw SQLError(SQLError.insufficientPrivilege, "permission denied to create role")
        }
        let name = statement.name.name
        if name.hasPrefix("pg_") {
            throw SQLError(SQLError.reservedName, "role name \"\(name)\" is reserved",
                           detail: "Role names starting with \"pg_\" are reserved.")
        }
        let catalog = database.engine.catalog(for: context)
        if catalog.role(named: name) != nil {
            throw SQLError(SQLError.duplicateObject, "role \"\(name)\" already exists")
        }
        let xid = try context.writableTransaction(for: "CREATE ROLE")
        let oid: UInt32
        do { oid = try database.storage.allocateOID() } catch { throw sqlError(from: error) }
        var newRole = CatalogRole(oid: oid, name: name, superuser: false, inherit: true, createRole: false,
                                  createDatabase: false, canLogin: false, replication: false,
                                  bypassRowLevelSecurity: false, connectionLimit: -1, password: nil)
        try apply(statement.options, to: &newRole)
        try database.engine.store.insert(.authid, newRole.row, xid: xid, command: context.commandID)
        try database.engine.catalogChanged(by: context)
        return "CREATE ROLE"
    }

    func runAlterRole(_ statement: AlterRoleStatement, context: ExecutionContext) throws -> String {
        let name = statement.name.name
        guard var target = database.engine.catalog(for: context).role(named: name) else {
            throw SQLError(SQLError.undefinedObject, "role \"\(name)\" does not exist")
        }
        let onlyOwnPassword = target.oid == role.oid && statement.options.allSatisfy {
            if case .password = $0 { return true } else { return false }
        }
        guard role.superuser || role.createRole || onlyOwnPassword else {
            throw SQLError(SQLError.insufficientPrivilege, "permission denied")
        }
        try apply(statement.options, to: &target)
        let xid = try context.writableTransaction(for: "ALTER ROLE")
        let oid = target.oid
        let replacement = target.row
        try database.engine.store.modify(.authid, xid: xid, command: context.commandID, snapshot: context.snapshot,
                                         where: { $0.first == .oid(oid) }, replacement: { _ in replacement })
        try database.engine.catalogChanged(by: context)
        return "ALTER ROLE"
    }

    func runDropRole(_ statement: DropRoleStatement, context: ExecutionContext) throws -> String {
        guard role.superuser || role.createRole else {
            throw SQLError(SQLError.insufficientPrivilege, "permission denied to drop role")
        }
        let catalog = database.engine.catalog(for: context)
        for identifier in statement.names {
            guard let target = catalog.role(named: identifier.name) else {
                if statement.ifExists {
                    context.notice(SQLNotice(SQLError.successfulCompletion,
                                             "role \"\(identifier.name)\" does not exist, skipping", severity: .notice))
                    continue
                }
                throw SQLError(SQLError.undefinedObject, "role \"\(identifier.name)\" does not exist")
            }
            if target.oid == role.oid {
                throw SQLError(SQLError.objectInUse, "current user cannot be dropped")
            }
            if target.oid == CatalogConstants.bootstrapSuperuser {
                throw SQLError("2BP01", "cannot drop role \(target.name) because it is required by the database system")
            }
            let xid = try context.writableTransaction(for: "DROP ROLE")
            let oid = target.oid
            try database.engine.store.delete(.authid, xid: xid, command: context.commandID, snapshot: context.snapshot,
                                             where: { $0.first == .oid(oid) })
        }
        try database.engine.catalogChanged(by: context)
        return "DROP ROLE"
    }

    private func apply(_ options: [RoleOption], to target: inout CatalogRole) throws {
        for option in options {
            switch option {
            case .superuser(let flag):
                guard role.superuser else {
                    throw SQLError(SQLError.insufficientPrivilege, "must be superuser to change superuser attribute")
                }
                target.superuser = flag
            case .createDatabase(let flag): target.createDatabase = flag
            case .createRole(let flag): target.createRole = flag
            case .inherit(let flag): target.inherit = flag
            case .login(let flag): target.canLogin = flag
            case .replication(let flag):
                guard role.superuser else {
                    throw SQLError(SQLError.insufficientPrivilege, "must be superuser to change replication attribute")
                }
                target.replication = flag
            case .bypassRowLevelSecurity(let flag): target.bypassRowLevelSecurity = flag
            case .connectionLimit(let limit): target.connectionLimit = Int32(clamping: limit)
            case .password(let password): target.password = try password.map { try verifier(for: target.name, password: $0) }
            case .validUntil:
                throw SQLError(SQLError.featureNotSupported, "VALID UNTIL is not supported")
            }
        }
    }

    /// The verifier stored for a password: kept as is when the client already hashed it.
    private func verifier(for user: String, password: String) throws -> String {
        if password.hasPrefix("SCRAM-SHA-256$") { return password }
        if password.count == 35, password.hasPrefix("md5"),
           password.dropFirst(3).allSatisfy({ $0.isHexDigit }) { return password }
        guard let hasher = database.passwordHasher else {
            throw SQLError(SQLError.featureNotSupported, "passwords cannot be set: the server has no password hasher")
        }
        return hasher(user, password)
    }
}
