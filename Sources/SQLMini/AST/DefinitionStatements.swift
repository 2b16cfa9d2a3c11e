// CREATE TABLE, CREATE INDEX, ALTER TABLE, DROP and TRUNCATE.
//
// Invariants: constraint column lists keep the written order (it is the index key order);
// storage options (`WITH (fillfactor=100)`) are kept as written and carry no meaning here.

public struct CreateTableStatement: Sendable, Equatable {
    public var name: QualifiedName
    public var ifNotExists: Bool
    /// CREATE TEMP/TEMPORARY/UNLOGGED TABLE
    public var persistence: Persistence
    public var columns: [ColumnDefinition]
    public var constraints: [TableConstraint]
    /// `WITH (fillfactor=100)`
    public var options: [StorageOption]

    public enum Persistence: Sendable, Equatable { case permanent, temporary, unlogged }

    public init(name: QualifiedName, ifNotExists: Bool = false, persistence: Persistence = .permanent,
                columns: [ColumnDefinition], constraints: [TableConstraint] = [], options: [StorageOption] = []) {
        self.name = name
        self.ifNotExists = ifNotExists
        self.persistence = persistence
        self.columns = columns
        self.constraints = constraints
        self.options = options
    }
}

/// `name=value` in a WITH (...) list; value nil when only the name is given.
public struct StorageOption: Sendable, Equatable {
    public var name: String
    public var value: String?

    public init(name: String, value: String?) {
        self.name = name
        self.value = value
    }
}

public struct ColumnDefinition: Sendable, Equatable {
    public var name: Identifier
    public var type: TypeName
    public var constraints: [ColumnConstraint]

    public init(name: Identifier, type: TypeName, constraints: [ColumnConstraint] = []) {
        self.name = name
        self.type = type
        self.constraints = constraints
    }
}

public struct ColumnConstraint: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case notNull
        case null
        case defaultValue(Expression)
        case primaryKey
        case unique
    }
    /// `CONSTRAINT name ...`
    public var name: String?
    public var kind: Kind
    public var position: Int

    public init(name: String? = nil, kind: Kind, position: Int) {
        self.name = name
        self.kind = kind
        self.position = position
    }
}

public struct TableConstraint: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case primaryKey([Identifier])
        case unique([Identifier])
    }
    /// `CONSTRAINT name ...`; nil lets the engine pick PostgreSQL's default (`t_pkey`, `t_a_key`).
    public var name: String?
    public var kind: Kind
    public var position: Int

    public init(name: String? = nil, kind: Kind, position: Int) {
        self.name = name
        self.kind = kind
        self.position = position
    }
}

/// `CREATE [UNIQUE] INDEX [IF NOT EXISTS] [name] ON t [USING method] (col [ASC|DESC] [NULLS ...], ...)`
public struct CreateIndexStatement: Sendable, Equatable {
    public struct Element: Sendable, Equatable {
        public var column: Identifier
        public var descending: Bool
        public var nullsFirst: Bool?
        public init(column: Identifier, descending: Bool = false, nullsFirst: Bool? = nil) {
            self.column = column
            self.descending = descending
            self.nullsFirst = nullsFirst
        }
    }
    /// nil: PostgreSQL's generated name (`t_a_idx`).
    public var name: String?
    public var table: QualifiedName
    public var unique: Bool
    public var ifNotExists: Bool
    /// `USING btree`; nil means the default (btree).
    public var method: String?
    public var elements: [Element]
    public var options: [StorageOption]

    public init(name: String?, table: QualifiedName, unique: Bool = false, ifNotExists: Bool = false,
                method: String? = nil, elements: [Element], options: [StorageOption] = []) {
        self.name = name
        self.table = table
        self.unique = unique
        self.ifNotExists = ifNotExists
        self.method = method
        self.elements = elements
        self.options = options
    }
}

/// `ALTER TABLE [IF EXISTS] t action, action, ...`
public struct AlterTableStatement: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        /// `ADD [COLUMN] [IF NOT EXISTS] col type ...`
        case addColumn(ColumnDefinition, ifNotExists: Bool)
        /// `ADD [CONSTRAINT n] PRIMARY KEY (..) | UNIQUE (..)`
        case addConstraint(TableConstraint)
    }
    public var table: QualifiedName
    public var ifExists: Bool
    public var actions: [Action]

    public init(table: QualifiedName, ifExists: Bool = false, actions: [Action]) {
        self.table = table
        self.ifExists = ifExists
        self.actions = actions
    }
}

/// `DROP TABLE|INDEX [IF EXISTS] a, b [CASCADE|RESTRICT]`
public struct DropStatement: Sendable, Equatable {
    public enum ObjectType: String, Sendable, Equatable { case table = "TABLE", index = "INDEX" }
    public var objectType: ObjectType
    public var names: [QualifiedName]
    public var ifExists: Bool
    public var cascade: Bool

    public init(objectType: ObjectType, names: [QualifiedName], ifExists: Bool = false, cascade: Bool = false) {
        self.objectType = objectType
        self.names = names
        self.ifExists = ifExists
        self.cascade = cascade
    }
}

/// `TRUNCATE [TABLE] a, b [RESTART IDENTITY] [CASCADE]`
public struct TruncateStatement: Sendable, Equatable {
    public var tables: [QualifiedName]
    public var restartIdentity: Bool
    public var cascade: Bool

    public init(tables: [QualifiedName], restartIdentity: Bool = false, cascade: Bool = false) {
        self.tables = tables
        self.restartIdentity = restartIdentity
        self.cascade = cascade
    }
}
