// CREATE ROLE / CREATE USER, ALTER ROLE / ALTER USER and DROP ROLE / DROP USER.
//
// Invariants: CREATE USER is CREATE ROLE with LOGIN added first (so an explicit NOLOGIN wins);
// options may be given in any order, with or without WITH.

extension ParserState {
    mutating func parseCreateRole() throws(SQLError) -> CreateRoleStatement {
        let isUser = advance().isKeyword("user")
        let name = try parseRoleName()
        _ = acceptKeyword("with")
        var options = try parseRoleOptions()
        if isUser { options.insert(.login(true), at: 0) }
        return CreateRoleStatement(name: name, options: options)
    }

    mutating func parseAlterRole() throws(SQLError) -> AlterRoleStatement {
        advance()
        let name = try parseRoleName()
        _ = acceptKeyword("with")
        let options = try parseRoleOptions()
        if options.isEmpty { throw syntaxError() }
        return AlterRoleStatement(name: name, options: options)
    }

    mutating func parseDropRole() throws(SQLError) -> DropRoleStatement {
        advance()
        let ifExists = acceptKeywords("if", "exists")
        var names = [try parseRoleName()]
        while acceptSymbol(",") { names.append(try parseRoleName()) }
        return DropRoleStatement(names: names, ifExists: ifExists)
    }

    /// A role name: any identifier (PostgreSQL's RoleSpec; CURRENT_USER etc. are not supported).
    private mutating func parseRoleName() throws(SQLError) -> Identifier {
        guard current.kind == .quotedIdentifier || (current.kind == .identifier && Keywords.isColumnName(current.value))
        else { throw syntaxError() }
        let token = advance()
        return Identifier(token.value, position: token.position)
    }

    private static let flagOptions: [String: RoleOption] = [
        "superuser": .superuser(true), "nosuperuser": .superuser(false),
        "createdb": .createDatabase(true), "nocreatedb": .createDatabase(false),
        "createrole": .createRole(true), "nocreaterole": .createRole(false),
        "inherit": .inherit(true), "noinherit": .inherit(false),
        "login": .login(true), "nologin": .login(false),
        "replication": .replication(true), "noreplication": .replication(false),
        "bypassrls": .bypassRowLevelSecurity(true), "nobypassrls": .bypassRowLevelSecurity(false),
    ]

    private mutating func parseRoleOptions() throws(SQLError) -> [RoleOption] {
        var options: [RoleOption] = []
        while current.kind == .identifier {
            let token = current
            if let flag = ParserState.flagOptions[token.value] {
                advance()
                options.append(flag)
            } else if acceptKeyword("password") || acceptKeywords("encrypted", "password") {
                if acceptKeyword("null") { options.append(.password(nil)) } else {
                    options.append(.password(try parseStringConstant()))
                }
            } else if acceptKeywords("connection", "limit") {
                options.append(.connectionLimit(try parseIntegerConstant()))
            } else if acceptKeywords("valid", "until") {
                options.append(.validUntil(try parseStringConstant()))
            } else {
                throw syntaxError()
            }
        }
        return options
    }
}
