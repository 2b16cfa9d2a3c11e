// CREATE ROLE / CREATE USER, ALTER ROLE and DROP ROLE: rows of minipg_authid. Passwords are
// stored as the verifier the session's password hasher makes (SCRAM-SHA-256 or md5 per
// password_encryption); without a hasher (engine tests) a password cannot be set.
import Storage

extension DDLExecutor {
    func createRole(_ create: CreateRoleStatement) throws {
        let name = create.name.name
        if catalog.role(named: name) != nil {
            throw SQLError(SQLError.duplicateObject, "role \"\(name)\" already exists", position: create.name.position)
        }
        let xid = try transaction("CREATE ROLE")
        var role = CatalogRole(oid: try engine.storage.allocateOID(), name: name, superuser: false, inherit: true,
                               createRole: false, createDatabase: false, canLogin: false, replication: false,
                               bypassRowLevelSecurity: false, connectionLimit: -1, password: nil)
        try apply(create.options, to: &role)
        try store.insert(.authid, role.row, xid: xid, command: command)
        try engine.catalogChanged(by: context)
    }

    func alterRole(_ alter: AlterRoleStatement) throws {
        guard var role = catalog.role(named: alter.name.name) else {
            throw SQLError(SQLError.undefinedObject, "role \"\(alter.name.name)\" does not exist", position: alter.name.position)
        }
        let xid = try transaction("ALTER ROLE")
        try apply(alter.options, to: &role)
        let updated = role
        try store.modify(.authid, xid: xid, command: command, snapshot: context.snapshot,
                         where: { $0.first == .oid(updated.oid) }, replacement: { _ in updated.row })
        try engine.catalogChanged(by: context)
    }

    func dropRole(_ drop: DropRoleStatement) throws {
        var victims: [CatalogRole] = []
        for identifier in drop.names {
            guard let role = catalog.role(named: identifier.name) else {
                if drop.ifExists {
                    context.notice(SQLNotice(SQLError.successfulCompletion, "role \"\(identifier.name)\" does not exist, skipping",
                                             severity: .notice))
                    continue
                }
                throw SQLError(SQLError.undefinedObject, "role \"\(identifier.name)\" does not exist", position: identifier.position)
            }
            if role.oid == CatalogConstants.bootstrapSuperuser {
                throw SQLError("2BP01", "cannot drop role \(role.name) because it is required by the database system")
            }
            if role.name == context.user {
                throw SQLError(SQLError.objectInUse, "current user cannot be dropped")
            }
            victims.append(role)
        }
        guard !victims.isEmpty else { return }
        let xid = try transaction("DROP ROLE")
        let oids = Set(victims.map { Value.oid($0.oid) })
        try store.delete(.authid, xid: xid, command: command, snapshot: context.snapshot) { oids.contains($0[0]) }
        try engine.catalogChanged(by: context)
    }

    private func apply(_ options: [RoleOption], to role: inout CatalogRole) throws {
        for option in options {
            switch option {
            case .superuser(let b): role.superuser = b
            case .createDatabase(let b): role.createDatabase = b
            case .createRole(let b): role.createRole = b
            case .inherit(let b): role.inherit = b
            case .login(let b): role.canLogin = b
            case .replication(let b): role.replication = b
            case .bypassRowLevelSecurity(let b): role.bypassRowLevelSecurity = b
            case .connectionLimit(let n): role.connectionLimit = Int32(clamping: n)
            case .validUntil: break
            case .password(let password):
                guard let password else { role.password = nil; continue }
                if password.hasPrefix("SCRAM-SHA-256$") || (password.hasPrefix("md5") && password.count == 35) {
                    role.password = password
                } else if let hasher = context.passwordHasher {
                    role.password = hasher(role.name, password)
                } else {
                    throw SQLError(SQLError.featureNotSupported, "passwords cannot be set without a password hasher")
                }
            }
        }
    }
}
