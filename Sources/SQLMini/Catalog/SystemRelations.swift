// The rows of minipg's system relations: for each catalog object kind, its column layout and the
// conversion between the object and a row of Values (stored with the row codec like any table).
//
//   minipg_namespace  oid | nspname | nspowner
//   minipg_class      oid | relname | relnamespace | relkind | relowner | relfilenode
//   minipg_attribute  attrelid | attname | atttypid | atttypmod | attnum | attnotnull | adbin (default text or NULL)
//   minipg_index      indexrelid | indrelid | indkey ("1 2") | indisunique | indisprimary
//   minipg_constraint oid | conname | connamespace | contype | conrelid | conindid | conkey ("1 2")
//   minipg_sequence   seqrelid | seqtypid | seqstart | seqincrement | seqmax | seqmin | seqcache | seqcycle | ownertable | ownercolumn
//   minipg_authid     oid | rolname | rolsuper | rolinherit | rolcreaterole | rolcreatedb | rolcanlogin | rolreplication | rolbypassrls | rolconnlimit | rolpassword
//   minipg_database   oid | datname | datdba | encoding | datistemplate | datallowconn
//
// Invariants: a row's column count and types match its layout exactly (decode checks it and
// reports a corrupt catalog row instead of guessing).

enum SystemRelation: CaseIterable {
    case namespace, relation, attribute, index, constraint, sequence, authid, database

    var relationID: UInt32 {
        switch self {
        case .namespace: return CatalogConstants.namespaceRelation
        case .relation: return CatalogConstants.classRelation
        case .attribute: return CatalogConstants.attributeRelation
        case .index: return CatalogConstants.indexRelation
        case .constraint: return CatalogConstants.constraintRelation
        case .sequence: return CatalogConstants.sequenceRelation
        case .authid: return CatalogConstants.authidRelation
        case .database: return CatalogConstants.databaseRelation
        }
    }

    var name: String {
        switch self {
        case .namespace: return "minipg_namespace"
        case .relation: return "minipg_class"
        case .attribute: return "minipg_attribute"
        case .index: return "minipg_index"
        case .constraint: return "minipg_constraint"
        case .sequence: return "minipg_sequence"
        case .authid: return "minipg_authid"
        case .database: return "minipg_database"
        }
    }

    var columnTypes: [SQLType] {
        switch self {
        case .namespace: return [.oidType, .text, .oidType]
        case .relation: return [.oidType, .text, .oidType, .text, .oidType, .oidType]
        case .attribute: return [.oidType, .text, .oidType, .int4, .int2, .bool, .text]
        case .index: return [.oidType, .oidType, .text, .bool, .bool]
        case .constraint: return [.oidType, .text, .oidType, .text, .oidType, .oidType, .text]
        case .sequence: return [.oidType, .oidType, .int8, .int8, .int8, .int8, .int8, .bool, .oidType, .int2]
        case .authid: return [.oidType, .text, .bool, .bool, .bool, .bool, .bool, .bool, .bool, .int4, .text]
        case .database: return [.oidType, .text, .oidType, .int4, .bool, .bool]
        }
    }
}

/// Thrown when a catalog row does not have its relation's layout.
func corruptCatalogRow(_ relation: SystemRelation) -> SQLError {
    SQLError(SQLError.internalError, "corrupt row in system relation \(relation.name)")
}

// MARK: - Field access with layout checks

struct CatalogRowReader {
    let relation: SystemRelation
    let values: [Value]
    private var index = 0

    init(_ relation: SystemRelation, _ values: [Value]) throws {
        guard values.count == relation.columnTypes.count else { throw corruptCatalogRow(relation) }
        self.relation = relation
        self.values = values
    }

    mutating func next() -> Value {
        defer { index += 1 }
        return values[index]
    }

    mutating func oid() throws -> UInt32 {
        guard case .oid(let v) = next() else { throw corruptCatalogRow(relation) }
        return v
    }
    mutating func text() throws -> String {
        guard case .text(let v) = next() else { throw corruptCatalogRow(relation) }
        return v
    }
    mutating func optionalText() throws -> String? {
        switch next() {
        case .null: return nil
        case .text(let v): return v
        default: throw corruptCatalogRow(relation)
        }
    }
    mutating func bool() throws -> Bool {
        guard case .bool(let v) = next() else { throw corruptCatalogRow(relation) }
        return v
    }
    mutating func int2() throws -> Int16 {
        guard case .int2(let v) = next() else { throw corruptCatalogRow(relation) }
        return v
    }
    mutating func int4() throws -> Int32 {
        guard case .int4(let v) = next() else { throw corruptCatalogRow(relation) }
        return v
    }
    mutating func int8() throws -> Int64 {
        guard case .int8(let v) = next() else { throw corruptCatalogRow(relation) }
        return v
    }
    /// "1 2 3" (int2vector's text form) to column numbers.
    mutating func columnNumbers() throws -> [Int16] {
        let words = try text().split(separator: " ")
        var result: [Int16] = []
        for word in words {
            guard let number = Int16(word) else { throw corruptCatalogRow(relation) }
            result.append(number)
        }
        return result
    }
}

func columnNumbersText(_ numbers: [Int16]) -> String { numbers.map(String.init).joined(separator: " ") }

// MARK: - Objects to rows and back

extension CatalogNamespace {
    var row: [Value] { [.oid(oid), .text(name), .oid(owner)] }
    init(row: [Value]) throws {
        var r = try CatalogRowReader(.namespace, row)
        self.init(oid: try r.oid(), name: try r.text(), owner: try r.oid())
    }
}

/// A pg_class row without its columns (they come from minipg_attribute).
struct ClassRow {
    var oid: UInt32, name: String, namespace: UInt32, kind: CatalogRelationKind, owner: UInt32, fileNode: UInt32
    var row: [Value] { [.oid(oid), .text(name), .oid(namespace), .text(kind.rawValue), .oid(owner), .oid(fileNode)] }
    init(oid: UInt32, name: String, namespace: UInt32, kind: CatalogRelationKind, owner: UInt32, fileNode: UInt32) {
        self.oid = oid; self.name = name; self.namespace = namespace; self.kind = kind; self.owner = owner
        self.fileNode = fileNode
    }
    init(_ relation: CatalogRelation) {
        self.init(oid: relation.oid, name: relation.name, namespace: relation.namespace, kind: relation.kind,
                  owner: relation.owner, fileNode: relation.fileNode)
    }
    init(row: [Value]) throws {
        var r = try CatalogRowReader(.relation, row)
        oid = try r.oid(); name = try r.text(); namespace = try r.oid()
        guard let kind = CatalogRelationKind(rawValue: try r.text()) else { throw corruptCatalogRow(.relation) }
        self.kind = kind
        owner = try r.oid(); fileNode = try r.oid()
    }
}

/// A pg_attribute row: a column and the relation it belongs to.
struct AttributeRow {
    var relation: UInt32
    var column: CatalogColumn
    var row: [Value] {
        [.oid(relation), .text(column.name), .oid(column.type.oid), .int4(column.type.typmod), .int2(column.number),
         .bool(column.notNull), column.defaultExpression.map(Value.text) ?? .null]
    }
    init(relation: UInt32, column: CatalogColumn) { self.relation = relation; self.column = column }
    init(row: [Value]) throws {
        var r = try CatalogRowReader(.attribute, row)
        relation = try r.oid()
        let name = try r.text()
        let typeOID = try r.oid(), typmod = try r.int4()
        column = CatalogColumn(name: name, type: SQLType(oid: typeOID, typmod: typmod), number: try r.int2(),
                               notNull: try r.bool(), defaultExpression: try r.optionalText())
    }
}

/// A pg_index row (the index's name and file come from its pg_class row).
struct IndexRow {
    var oid: UInt32, table: UInt32, columnNumbers: [Int16], isUnique: Bool, isPrimary: Bool
    var row: [Value] { [.oid(oid), .oid(table), .text(columnNumbersText(columnNumbers)), .bool(isUnique), .bool(isPrimary)] }
    init(_ index: CatalogIndex) {
        oid = index.oid; table = index.table; columnNumbers = index.columnNumbers
        isUnique = index.isUnique; isPrimary = index.isPrimary
    }
    init(row: [Value]) throws {
        var r = try CatalogRowReader(.index, row)
        oid = try r.oid(); table = try r.oid(); columnNumbers = try r.columnNumbers()
        isUnique = try r.bool(); isPrimary = try r.bool()
    }
}

extension CatalogConstraint {
    var row: [Value] {
        [.oid(oid), .text(name), .oid(namespace), .text(kind.rawValue), .oid(table), .oid(index),
         .text(columnNumbersText(columnNumbers))]
    }
    init(row: [Value]) throws {
        var r = try CatalogRowReader(.constraint, row)
        let oid = try r.oid(), name = try r.text(), namespace = try r.oid()
        guard let kind = Kind(rawValue: try r.text()) else { throw corruptCatalogRow(.constraint) }
        self.init(oid: oid, name: name, namespace: namespace, kind: kind, table: try r.oid(), index: try r.oid(),
                  columnNumbers: try r.columnNumbers())
    }
}

extension CatalogSequence {
    var row: [Value] {
        [.oid(oid), .oid(type.oid), .int8(start), .int8(increment), .int8(maxValue), .int8(minValue), .int8(cache),
         .bool(cycle), .oid(ownerTable), .int2(ownerColumn)]
    }
    init(row: [Value]) throws {
        var r = try CatalogRowReader(.sequence, row)
        let oid = try r.oid(), type = SQLType(oid: try r.oid()), start = try r.int8(), increment = try r.int8()
        let maxValue = try r.int8(), minValue = try r.int8(), cache = try r.int8(), cycle = try r.bool()
        self.init(oid: oid, type: type, start: start, increment: increment, minValue: minValue, maxValue: maxValue,
                  cache: cache, cycle: cycle, ownerTable: try r.oid(), ownerColumn: try r.int2())
    }
}

extension CatalogRole {
    var row: [Value] {
        [.oid(oid), .text(name), .bool(superuser), .bool(inherit), .bool(createRole), .bool(createDatabase),
         .bool(canLogin), .bool(replication), .bool(bypassRowLevelSecurity), .int4(connectionLimit),
         password.map(Value.text) ?? .null]
    }
    init(row: [Value]) throws {
        var r = try CatalogRowReader(.authid, row)
        self.init(oid: try r.oid(), name: try r.text(), superuser: try r.bool(), inherit: try r.bool(),
                  createRole: try r.bool(), createDatabase: try r.bool(), canLogin: try r.bool(),
                  replication: try r.bool(), bypassRowLevelSecurity: try r.bool(), connectionLimit: try r.int4(),
                  password: try r.optionalText())
    }
}

extension CatalogDatabase {
    var row: [Value] {
        [.oid(oid), .text(name), .oid(owner), .int4(encoding), .bool(isTemplate), .bool(allowConnections)]
    }
    init(row: [Value]) throws {
        var r = try CatalogRowReader(.database, row)
        self.init(oid: try r.oid(), name: try r.text(), owner: try r.oid(), encoding: try r.int4(),
                  isTemplate: try r.bool(), allowConnections: try r.bool())
    }
}
