// Transaction control, SET/SHOW settings, VACUUM, and role management.
//
// Invariants: END is parsed as COMMIT and ABORT as ROLLBACK (their command tags are COMMIT and
// ROLLBACK); setting names are lower-cased, and the SQL-standard spellings are mapped to the GUC
// names (`TIME ZONE` -> timezone, `NAMES` -> client_encoding, `SCHEMA` -> search_path,
// `TRANSACTION ISOLATION LEVEL` -> transaction_isolation).

public enum TransactionStatement: Sendable, Equatable {
    /// BEGIN [WORK|TRANSACTION] [modes]
    case begin(TransactionModes)
    /// START TRANSACTION [modes]: BEGIN under its SQL-standard name (command tag START TRANSACTION)
    case startTransaction(TransactionModes)
    /// COMMIT / END [WORK|TRANSACTION]
    case commit
    /// ROLLBACK / ABORT [WORK|TRANSACTION]
    case rollback
    case savepoint(String)
    /// RELEASE [SAVEPOINT] name
    case release(String)
    /// ROLLBACK [WORK|TRANSACTION] TO [SAVEPOINT] name
    case rollbackTo(String)
}

public enum IsolationLevel: String, Sendable, Equatable {
    case readUncommitted = "read uncommitted"
    case readCommitted = "read committed"
    case repeatableRead = "repeatable read"
    case serializable = "serializable"
}

/// `ISOLATION LEVEL ...`, `READ ONLY|WRITE`, `[NOT] DEFERRABLE`; nil = not specified.
public struct TransactionModes: Sendable, Equatable {
    public var isolationLevel: IsolationLevel?
    public var readOnly: Bool?
    public var deferrable: Bool?

    public init(isolationLevel: IsolationLevel? = nil, readOnly: Bool? = nil, deferrable: Bool? = nil) {
        self.isolationLevel = isolationLevel
        self.readOnly = readOnly
        self.deferrable = deferrable
    }
}

public struct SetStatement: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        /// `TO DEFAULT` (and `SET TIME ZONE DEFAULT|LOCAL`)
        case defaultValue
        /// The comma-separated list, e.g. `search_path TO "$user", public`
        case list([SetArgument])
    }
    /// `SET LOCAL` lasts until the end of the transaction.
    public var local: Bool
    public var name: String
    public var value: Value
    public var position: Int

    public init(local: Bool = false, name: String, value: Value, position: Int) {
        self.local = local
        self.name = name
        self.value = value
        self.position = position
    }
}

/// One element of a SET value list, as PostgreSQL distinguishes them when flattening the list to
/// a string (identifiers are quoted again where needed, strings are not).
public enum SetArgument: Sendable, Equatable {
    case string(String)
    /// An identifier or keyword (`on`, `public`, `"$user"`)
    case identifier(String)
    /// A number as written, possibly with a leading `-`.
    case number(String)
}

/// `VACUUM [FULL] [FREEZE] [VERBOSE] [ANALYZE] [t, ...]` or `VACUUM (ANALYZE, ...) [t, ...]`
public struct VacuumStatement: Sendable, Equatable {
    public var full: Bool
    public var freeze: Bool
    public var verbose: Bool
    public var analyze: Bool
    public var tables: [QualifiedName]

    public init(full: Bool = false, freeze: Bool = false, verbose: Bool = false, analyze: Bool = false,
                tables: [QualifiedName] = []) {
        self.full = full
        self.freeze = freeze
        self.verbose = verbose
        self.analyze = analyze
        self.tables = tables
    }
}

/// Options of CREATE ROLE / CREATE USER / ALTER ROLE.
public enum RoleOption: Sendable, Equatable {
    case superuser(Bool)
    case createDatabase(Bool)
    case createRole(Bool)
    case inherit(Bool)
    case login(Bool)
    case replication(Bool)
    case bypassRowLevelSecurity(Bool)
    case connectionLimit(Int)
    /// `PASSWORD 'x'` / `ENCRYPTED PASSWORD 'x'`; nil for `PASSWORD NULL`.
    case password(String?)
    case validUntil(String)
}

/// `CREATE ROLE|USER name [[WITH] option ...]`; CREATE USER implies LOGIN unless NOLOGIN is given
/// (the parser adds `.login(true)` first, so a later NOLOGIN wins).
public struct CreateRoleStatement: Sendable, Equatable {
    public var name: Identifier
    public var options: [RoleOption]

    public init(name: Identifier, options: [RoleOption]) {
        self.name = name
        self.options = options
    }
}

/// `ALTER ROLE|USER name [WITH] option ...`
public struct AlterRoleStatement: Sendable, Equatable {
    public var name: Identifier
    public var options: [RoleOption]

    public init(name: Identifier, options: [RoleOption]) {
        self.name = name
        self.options = options
    }
}

/// `DROP ROLE|USER [IF EXISTS] a, b`
public struct DropRoleStatement: Sendable, Equatable {
    public var names: [Identifier]
    public var ifExists: Bool

    public init(names: [Identifier], ifExists: Bool = false) {
        self.names = names
        self.ifExists = ifExists
    }
}
