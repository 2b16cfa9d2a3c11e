// CREATE INDEX, and the indexes behind PRIMARY KEY / UNIQUE constraints (CREATE TABLE and ALTER
// TABLE ADD ...): the catalog rows (pg_class 'i', pg_index, pg_constraint), the B-tree file, and
// for an existing table its entries built from the rows the statement's snapshot sees, checking
// uniqueness as they go (23505 "could not create unique index").
//
// Invariants: an index built here covers every row version visible to the building statement;
// ALTER TABLE ADD PRIMARY KEY first checks that the key columns hold no NULLs.
import Storage
import WAL

extension DDLExecutor {
    func addIndex(table: CatalogRelation, name: String, namespace: UInt32, columnNumbers: [Int16], unique: Bool,
                  constraint: CatalogConstraint.Kind?, xid: TransactionID, buildFromRows: Bool) throws {
        let indexOID = try engine.storage.allocateOID()
        try engine.storage.createRelation(RelationID(indexOID), kind: .btree, xid: xid)
        let row = ClassRow(oid: indexOID, name: name, namespace: namespace, kind: .index, owner: table.owner, fileNode: indexOID)
        try store.insert(.relation, row.row, xid: xid, command: command)
        let index = CatalogIndex(oid: indexOID, table: table.oid, name: name, columnNumbers: columnNumbers, isUnique: unique,
                                 isPrimary: constraint == .primaryKey, fileNode: indexOID)
        try store.insert(.index, IndexRow(index).row, xid: xid, command: command)
        if let constraint {
            let record = CatalogConstraint(oid: try engine.storage.allocateOID(), name: name, namespace: namespace, kind: constraint,
                                           table: table.oid, index: indexOID, columnNumbers: columnNumbers)
            try store.insert(.constraint, record.row, xid: xid, command: command)
        }
        if buildFromRows { try build(index, table: table, xid: xid) }
    }

    /// Fills a new index from the table's visible rows.
    private func build(_ index: CatalogIndex, table: CatalogRelation, xid: TransactionID) throws {
        let heap = engine.storage.heap(RelationID(table.fileNode))
        let tree = engine.storage.btree(RelationID(index.fileNode))
        let types = table.columns.map(\.type)
        let keyTypes = index.columnNumbers.map { types[Int($0) - 1] }
        var seen: Set<[UInt8]> = []
        var entries: [([UInt8], TupleID)] = []
        try heap.scan(snapshot: context.snapshot) { tid, bytes in
            try context.checkInterrupts()
            let row = try RowCodec.decode(bytes, types: types)
            let values = index.columnNumbers.map { row[Int($0) - 1] }
            let key = try KeyEncoding.encode(values, types: keyTypes)
            if index.isUnique && !values.contains(where: \.isNull) && !seen.insert(key).inserted {
                let names = index.columnNumbers.map { table.columns[Int($0) - 1].name }.joined(separator: ", ")
                let texts = zip(values, keyTypes).map { $0.text(as: $1) ?? "null" }.joined(separator: ", ")
                throw SQLError(SQLError.uniqueViolation, "could not create unique index \"\(index.name)\"",
                               detail: "Key (\(names))=(\(texts)) is duplicated.")
            }
            entries.append((key, tid))
            return true
        }
        for (key, tid) in entries { try tree.insert(key: key, tid: tid, xid: xid) }
    }

    // MARK: CREATE INDEX

    func createIndex(_ create: CreateIndexStatement) throws {
        if let method = create.method, method != "btree" {
            throw SQLError(SQLError.undefinedObject, "access method \"\(method)\" does not exist")
        }
        let table = try existingTable(create.table)
        let numbers = try create.elements.map { element -> Int16 in
            guard let column = table.column(named: element.column.name) else {
                throw SQLError(SQLError.undefinedColumn, "column \"\(element.column.name)\" does not exist")
            }
            if element.descending {
                throw SQLError(SQLError.featureNotSupported, "descending index columns are not supported",
                               position: element.column.position)
            }
            return column.number
        }
        let namespace = table.namespace
        if let name = create.name, catalog.relation(named: name, namespace: namespace) != nil {
            if create.ifNotExists {
                context.notice(SQLNotice(SQLError.duplicateTable, "relation \"\(name)\" already exists, skipping", severity: .notice))
                return
            }
            throw SQLError(SQLError.duplicateTable, "relation \"\(name)\" already exists")
        }
        let xid = try transaction("CREATE INDEX")
        let columnNames = create.elements.map(\.column.name).joined(separator: "_")
        let name = create.name ?? unusedName("\(table.name)_\(columnNames)_idx", namespace: namespace)
        try addIndex(table: table, name: name, namespace: namespace, columnNumbers: numbers, unique: create.unique,
                     constraint: nil, xid: xid, buildFromRows: true)
        try engine.catalogChanged(by: context)
    }

    func existingTable(_ name: QualifiedName) throws -> CatalogRelation {
        guard let table = catalog.lookupRelation(schema: name.schema, name: name.name, searchPath: context.searchPath,
                                                 user: context.user) else {
            throw SQLError(SQLError.undefinedTable, "relation \"\(name.description)\" does not exist")
        }
        guard table.kind == .table else {
            throw SQLError(SQLError.wrongObjectType, "\"\(table.name)\" is not a table", position: name.position)
        }
        return table
    }

    // MARK: ALTER TABLE

    func alterTable(_ alter: AlterTableStatement) throws {
        guard catalog.lookupRelation(schema: alter.table.schema, name: alter.table.name, searchPath: context.searchPath,
                                     user: context.user) != nil else {
            if alter.ifExists {
                context.notice(SQLNotice(SQLError.successfulCompletion,
                                         "relation \"\(alter.table.name)\" does not exist, skipping", severity: .notice))
                return
            }
            throw SQLError(SQLError.undefinedTable, "relation \"\(alter.table.description)\" does not exist")
        }
        let xid = try transaction("ALTER TABLE")
        var current = catalog
        for action in alter.actions {
            let step = DDLExecutor(engine: engine, context: context, catalog: current)
            let table = try step.existingTable(alter.table)
            switch action {
            case .addConstraint(let constraint):
                try step.addConstraint(constraint, to: table, xid: xid)
            case .addColumn(let definition, let ifNotExists):
                try step.addColumn(definition, to: table, ifNotExists: ifNotExists, xid: xid)
            }
            try engine.catalogChanged(by: context)
            current = engine.catalog(for: context)
        }
    }

    private func addConstraint(_ constraint: TableConstraint, to table: CatalogRelation, xid: TransactionID) throws {
        let kind: CatalogConstraint.Kind
        let names: [Identifier]
        switch constraint.kind {
        case .primaryKey(let columns): kind = .primaryKey; names = columns
        case .unique(let columns): kind = .unique; names = columns
        }
        if kind == .primaryKey, catalog.indexes(onTable: table.oid).contains(where: \.isPrimary) {
            throw SQLError(SQLError.invalidTableDefinition, "multiple primary keys for table \"\(table.name)\" are not allowed",
                           position: constraint.position)
        }
        let numbers = try names.map { identifier -> Int16 in
            guard let column = table.column(named: identifier.name) else {
                throw SQLError(SQLError.undefinedColumn, "column \"\(identifier.name)\" of relation \"\(table.name)\" does not exist",
                               position: identifier.position)
            }
            return column.number
        }
        if kind == .primaryKey {
            try requireNoNulls(table, columns: numbers)
            let notNullNumbers = Set(numbers)
            try store.modify(.attribute, xid: xid, command: command, snapshot: context.snapshot, where: { row in
                guard case .oid(let relation) = row[0], case .int2(let number) = row[4] else { return false }
                return relation == table.oid && notNullNumbers.contains(number) && row[5] != .bool(true)
            }, replacement: { row in
                var changed = row
                changed[5] = .bool(true)
                return changed
            })
        }
        let defaultName = kind == .primaryKey ? "\(table.name)_pkey" : "\(table.name)_\(names.map(\.name).joined(separator: "_"))_key"
        let name = constraint.name ?? unusedName(defaultName, namespace: table.namespace)
        if catalog.relation(named: name, namespace: table.namespace) != nil {
            throw SQLError(SQLError.duplicateTable, "relation \"\(name)\" already exists")
        }
        try addIndex(table: table, name: name, namespace: table.namespace, columnNumbers: numbers, unique: true,
                     constraint: kind, xid: xid, buildFromRows: true)
    }

    private func requireNoNulls(_ table: CatalogRelation, columns: [Int16]) throws {
        let heap = engine.storage.heap(RelationID(table.fileNode))
        let types = table.columns.map(\.type)
        var offending: String? = nil
        try heap.scan(snapshot: context.snapshot) { _, bytes in
            let row = try RowCodec.decode(bytes, types: types)
            if let number = columns.first(where: { row[Int($0) - 1].isNull }) {
                offending = table.columns[Int(number) - 1].name
                return false
            }
            return true
        }
        if let offending {
            throw SQLError(SQLError.notNullViolation, "column \"\(offending)\" of relation \"\(table.name)\" contains null values")
        }
    }

    private func addColumn(_ definition: ColumnDefinition, to table: CatalogRelation, ifNotExists: Bool, xid: TransactionID) throws {
        if table.column(named: definition.name.name) != nil {
            if ifNotExists {
                context.notice(SQLNotice(SQLError.duplicateColumn,
                                         "column \"\(definition.name.name)\" of relation \"\(table.name)\" already exists, skipping",
                                         severity: .notice))
                return
            }
            throw SQLError(SQLError.duplicateColumn, "column \"\(definition.name.name)\" of relation \"\(table.name)\" already exists")
        }
        if DDLExecutor.serialTypes[definition.type.name] != nil {
            throw SQLError(SQLError.featureNotSupported, "ALTER TABLE ADD COLUMN with a serial type is not supported",
                           position: definition.type.position)
        }
        var column = CatalogColumn(name: definition.name.name, type: try BuiltinTypes.resolve(definition.type),
                                   number: Int16(table.columns.count + 1), notNull: false, defaultExpression: nil)
        for constraint in definition.constraints {
            switch constraint.kind {
            case .notNull: column.notNull = true
            case .null: column.notNull = false
            case .defaultValue(let expression): column.defaultExpression = ExpressionText.columnDefault(expression, type: column.type)
            case .primaryKey, .unique:
                throw SQLError(SQLError.featureNotSupported, "constraints in ALTER TABLE ADD COLUMN are not supported",
                               position: constraint.position)
            }
        }
        // Existing rows get the default (or NULL): rewrite them with the new column.
        let binder = Binder(catalog: catalog, context: context, parameterTypes: [])
        let fill = try binder.defaultExpression(column, position: definition.name.position)
        let evaluation = EvaluationContext(execution: context, parameters: [], catalog: catalog)
        let heap = engine.storage.heap(RelationID(table.fileNode))
        let oldTypes = table.columns.map(\.type)
        let newTypes = oldTypes + [column.type]
        var rows: [(TupleID, Row)] = []
        try heap.scan(snapshot: context.snapshot) { tid, bytes in
            rows.append((tid, try RowCodec.decode(bytes, types: oldTypes)))
            return true
        }
        var widened = table
        widened.columns.append(column)
        let indexes = IndexMaintenance(context: evaluation, table: widened, xid: xid)
        for (tid, row) in rows {
            let value = try fill.evaluate([], evaluation)
            if column.notNull && value.isNull {
                throw SQLError(SQLError.notNullViolation, "column \"\(column.name)\" of relation \"\(table.name)\" contains null values")
            }
            let newRow = row + [value]
            let result = try heap.update(tid, newData: try RowCodec.encode(newRow, types: newTypes), xid: xid, command: command,
                                         snapshot: context.snapshot)
            guard case .ok(let newVersion?) = result else {
                throw SQLError(SQLError.serializationFailure, "could not serialize access due to concurrent update")
            }
            try indexes.insertEntries(newRow, at: newVersion)
        }
        try store.insert(.attribute, AttributeRow(relation: table.oid, column: column).row, xid: xid, command: command)
    }
}
