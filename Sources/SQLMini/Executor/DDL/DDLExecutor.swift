// DDLExecutor: CREATE TABLE and the other definition statements. Each writes catalog rows in the
// system relations with the transaction's xid (so it commits or rolls back with it), creates or
// drops relation files through Storage (a dropped file is unlinked only at commit, a created one
// removed at abort), and then reloads the transaction's own view of the catalog.
//
// Invariants: OIDs come from StorageEngine.allocateOID() and name the relation's file until
// TRUNCATE gives it a new one; every serial column owns its sequence; every PRIMARY KEY/UNIQUE
// constraint has an index of the same name.
import Storage
import WAL

struct DDLExecutor {
    let engine: Engine
    let context: ExecutionContext
    let catalog: Catalog

    var store: CatalogStore { engine.store }
    var command: CommandID { context.commandID }

    static func commandTag(_ statement: Statement) -> String {
        switch statement {
        case .createTable: return "CREATE TABLE"
        case .createIndex: return "CREATE INDEX"
        case .alterTable: return "ALTER TABLE"
        case .drop(let drop): return "DROP \(drop.objectType.rawValue)"
        case .truncate: return "TRUNCATE TABLE"
        case .createRole: return "CREATE ROLE"
        case .alterRole: return "ALTER ROLE"
        case .dropRole: return "DROP ROLE"
        default: return "UTILITY"
        }
    }

    /// Runs the statement; returns its command tag.
    func execute(_ statement: Statement) throws -> String {
        switch statement {
        case .createTable(let create): try createTable(create)
        case .createIndex(let create): try createIndex(create)
        case .alterTable(let alter): try alterTable(alter)
        case .drop(let drop): try self.drop(drop)
        case .truncate(let truncate): try self.truncate(truncate)
        case .createRole(let create): try createRole(create)
        case .alterRole(let alter): try alterRole(alter)
        case .dropRole(let drop): try dropRole(drop)
        default: throw SQLError(SQLError.internalError, "not a definition statement")
        }
        return DDLExecutor.commandTag(statement)
    }

    func transaction(_ command: String) throws -> TransactionID { try context.writableTransaction(for: command) }

    /// The namespace a new object named `name` goes to.
    func creationNamespace(_ name: QualifiedName) throws -> UInt32 {
        if let schema = name.schema {
            guard let namespace = catalog.namespace(named: schema) else {
                throw SQLError(SQLError.invalidSchemaName, "schema \"\(schema)\" does not exist", position: name.position)
            }
            return namespace.oid
        }
        guard let namespace = catalog.creationNamespace(searchPath: context.searchPath, user: context.user) else {
            throw SQLError(SQLError.invalidSchemaName, "no schema has been selected to create in", position: name.position)
        }
        return namespace
    }

    /// A relation name not yet used in `namespace`: `base`, else `base1`, `base2`, ...
    func unusedName(_ base: String, namespace: UInt32, taken: Set<String> = []) -> String {
        var candidate = String(base.utf8.prefix(Value.maxNameBytes)) ?? base
        var suffix = 0
        while catalog.relation(named: candidate, namespace: namespace) != nil || taken.contains(candidate) {
            suffix += 1
            candidate = base + String(suffix)
        }
        return candidate
    }

    // MARK: CREATE TABLE

    private func createTable(_ create: CreateTableStatement) throws {
        guard create.persistence != .temporary else {
            throw SQLError(SQLError.featureNotSupported, "temporary tables are not supported", position: create.name.position)
        }
        let namespace = try creationNamespace(create.name)
        let tableName = create.name.name
        if catalog.relation(named: tableName, namespace: namespace) != nil {
            if create.ifNotExists {
                context.notice(SQLNotice(SQLError.duplicateTable, "relation \"\(tableName)\" already exists, skipping",
                                         severity: .notice))
                return
            }
            throw SQLError(SQLError.duplicateTable, "relation \"\(tableName)\" already exists")
        }
        let xid = try transaction("CREATE TABLE")
        let tableOID = try engine.storage.allocateOID()
        var columns: [CatalogColumn] = []
        var sequences: [(name: String, sequence: CatalogSequence)] = []
        var keys: [(kind: CatalogConstraint.Kind, name: String?, columns: [String], position: Int)] = []
        var takenNames: Set<String> = [tableName]
        for definition in create.columns {
            let name = definition.name.name
            if columns.contains(where: { $0.name == name }) {
                throw SQLError(SQLError.duplicateColumn, "column \"\(name)\" specified more than once")
            }
            var column = CatalogColumn(name: name, type: .int4, number: Int16(columns.count + 1), notNull: false,
                                       defaultExpression: nil)
            if let serial = DDLExecutor.serialTypes[definition.type.name], definition.type.schema == nil,
               !definition.type.isArray {
                column.type = serial
                column.notNull = true
                let sequenceName = unusedName("\(tableName)_\(name)_seq", namespace: namespace, taken: takenNames)
                takenNames.insert(sequenceName)
                let sequence = CatalogSequence(oid: try engine.storage.allocateOID(), type: serial, start: 1, increment: 1,
                                               minValue: 1, maxValue: DDLExecutor.maximum(of: serial), cache: 1, cycle: false,
                                               ownerTable: tableOID, ownerColumn: column.number)
                sequences.append((sequenceName, sequence))
                column.defaultExpression = "nextval(\(ExpressionText.quoteLiteral(sequenceName))::regclass)"
            } else {
                column.type = try BuiltinTypes.resolve(definition.type)
            }
            for constraint in definition.constraints {
                switch constraint.kind {
                case .notNull: column.notNull = true
                case .null: column.notNull = false
                case .defaultValue(let expression):
                    try validateDefault(expression, column: column)
                    column.defaultExpression = ExpressionText.columnDefault(expression, type: column.type)
                case .primaryKey: keys.append((.primaryKey, constraint.name, [name], constraint.position))
                case .unique: keys.append((.unique, constraint.name, [name], constraint.position))
                }
            }
            columns.append(column)
        }
        for constraint in create.constraints {
            switch constraint.kind {
            case .primaryKey(let names): keys.append((.primaryKey, constraint.name, names.map(\.name), constraint.position))
            case .unique(let names): keys.append((.unique, constraint.name, names.map(\.name), constraint.position))
            }
        }
        if keys.filter({ $0.kind == .primaryKey }).count > 1 {
            throw SQLError(SQLError.invalidTableDefinition, "multiple primary keys for table \"\(tableName)\" are not allowed",
                           position: keys.last?.position)
        }
        // Primary key columns are NOT NULL.
        for key in keys where key.kind == .primaryKey {
            for name in key.columns {
                guard let i = columns.firstIndex(where: { $0.name == name }) else {
                    throw SQLError(SQLError.undefinedColumn, "column \"\(name)\" named in key does not exist", position: key.position)
                }
                columns[i].notNull = true
            }
        }
        let owner = catalog.role(named: context.user)?.oid ?? CatalogConstants.bootstrapSuperuser
        try engine.storage.createRelation(RelationID(tableOID), kind: .heap, xid: xid)
        let table = CatalogRelation(oid: tableOID, name: tableName, namespace: namespace, kind: .table, owner: owner,
                                    fileNode: tableOID, columns: columns)
        try store.insert(.relation, ClassRow(table).row, xid: xid, command: command)
        for column in columns {
            try store.insert(.attribute, AttributeRow(relation: tableOID, column: column).row, xid: xid, command: command)
        }
        for (name, sequence) in sequences {
            try engine.storage.createRelation(RelationID(sequence.oid), kind: .sequence, xid: xid)
            let row = ClassRow(oid: sequence.oid, name: name, namespace: namespace, kind: .sequence, owner: owner,
                               fileNode: sequence.oid)
            try store.insert(.relation, row.row, xid: xid, command: command)
            try store.insert(.sequence, sequence.row, xid: xid, command: command)
        }
        for key in keys {
            let numbers = try key.columns.map { name -> Int16 in
                guard let column = columns.first(where: { $0.name == name }) else {
                    throw SQLError(SQLError.undefinedColumn, "column \"\(name)\" named in key does not exist", position: key.position)
                }
                return column.number
            }
            let defaultName = key.kind == .primaryKey ? "\(tableName)_pkey" : "\(tableName)_\(key.columns.joined(separator: "_"))_key"
            let name = key.name ?? unusedName(defaultName, namespace: namespace, taken: takenNames)
            takenNames.insert(name)
            try addIndex(table: table, name: name, namespace: namespace, columnNumbers: numbers, unique: true,
                         constraint: key.kind, xid: xid, buildFromRows: false)
        }
        try engine.catalogChanged(by: context)
    }

    /// Binds a DEFAULT once at CREATE time so type errors surface then, not at the first INSERT.
    private func validateDefault(_ expression: Expression, column: CatalogColumn) throws {
        var invalid: String? = nil
        expression.visitThisLevel { e in
            switch e.kind {
            case .column: invalid = "cannot use column reference in DEFAULT expression"
            case .subquery, .exists, .arraySubquery, .inSubquery: invalid = "cannot use subquery in DEFAULT expression"
            default: break
            }
        }
        if let invalid { throw SQLError(SQLError.featureNotSupported, invalid, position: expression.position) }
        let binder = Binder(catalog: catalog, context: context, parameterTypes: [])
        let bound = try binder.bind(expression, Binder.Place(scope: nil, clause: "DEFAULT"))
        _ = try binder.coerce(bound, to: column.type, .assignment, position: expression.position, columnName: column.name)
    }

    static let serialTypes: [String: SQLType] = [
        "serial": .int4, "serial4": .int4, "bigserial": .int8, "serial8": .int8, "smallserial": .int2, "serial2": .int2,
    ]

    static func maximum(of type: SQLType) -> Int64 {
        switch type.oid {
        case SQLType.int2.oid: return Int64(Int16.max)
        case SQLType.int4.oid: return Int64(Int32.max)
        default: return Int64.max
        }
    }
}
