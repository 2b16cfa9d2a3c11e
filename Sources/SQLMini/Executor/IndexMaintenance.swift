// IndexMaintenance: keeping a table's B-tree indexes in step with its heap — a new entry for every
// new tuple version (INSERT, and UPDATE, which writes a new version), and the uniqueness check of
// UNIQUE/PRIMARY KEY indexes, which waits for a transaction that is inserting or deleting the
// same key, as PostgreSQL does, and then decides.
//
// Invariants: an index entry points at exactly one tuple version and that version's key; a key
// with a NULL never conflicts (NULLs are distinct); the check runs after the new tuple is in the
// heap, so two concurrent inserters of one key see each other and the second one waits.
import Storage
import WAL

struct IndexMaintenance {
    let context: EvaluationContext
    let table: CatalogRelation
    let indexes: [CatalogIndex]
    let heap: HeapRelation
    let xid: TransactionID

    init(context: EvaluationContext, table: CatalogRelation, xid: TransactionID) {
        self.context = context
        self.table = table
        self.indexes = context.catalog.indexes(onTable: table.oid)
        self.heap = context.engine.storage.heap(RelationID(table.fileNode))
        self.xid = xid
    }

    /// Adds `row`'s entries (stored at `tid`) to every index, checking unique ones first.
    func insertEntries(_ row: Row, at tid: TupleID) throws {
        for index in indexes {
            let values = index.columnNumbers.map { row[Int($0) - 1] }
            let types = index.columnNumbers.map { table.columns[Int($0) - 1].type }
            let key = try KeyEncoding.encode(values, types: types)
            if index.isUnique && !values.contains(where: \.isNull) {
                try checkUnique(index, key: key, values: values, types: types, newTuple: tid)
            }
            do {
                try context.engine.storage.btree(RelationID(index.fileNode)).insert(key: key, tid: tid, xid: xid)
            } catch let error as StorageError where error.kind == .rowTooBig {
                throw SQLError(SQLError.programLimitExceeded, "\(error.message) for index \"\(index.name)\"")
            }
        }
    }

    private func checkUnique(_ index: CatalogIndex, key: [UInt8], values: [Value], types: [SQLType], newTuple: TupleID) throws {
        let tree = context.engine.storage.btree(RelationID(index.fileNode))
        var candidates: [TupleID] = []
        try tree.scan(from: BTreeBound(key: key, inclusive: true), to: BTreeBound(key: key, inclusive: true)) { _, tid in
            if tid != newTuple { candidates.append(tid) }
            return true
        }
        let modification = RowModification(context: context, table: table, xid: xid)
        for tid in candidates {
            while true {
                guard let (header, _) = try heap.fetchLatest(tid) else { break }
                switch liveness(header) {
                case .dead: break
                case .live: throw duplicateKey(index, values: values, types: types)
                case .waitFor(let other):
                    try modification.wait(for: other)
                    continue
                }
                break
            }
        }
    }

    private enum Liveness { case live, dead, waitFor(TransactionID) }

    /// Whether a tuple version holding the key counts against a new one with the same key.
    private func liveness(_ header: HeapTupleHeader) -> Liveness {
        let transactions = context.engine.storage.transactions
        if header.xmin != xid && header.xmin.isNormal {
            switch transactions.status(of: header.xmin) {
            case .aborted: return .dead
            case .inProgress: return .waitFor(header.xmin)
            case .committed: break
            }
        }
        guard header.xmax.isValid, !header.xmaxIsLockOnly else { return .live }
        if header.xmax == xid { return .dead }
        switch transactions.status(of: header.xmax) {
        case .aborted: return .live
        case .inProgress: return .waitFor(header.xmax)
        case .committed: return .dead
        }
    }

    private func duplicateKey(_ index: CatalogIndex, values: [Value], types: [SQLType]) -> SQLError {
        let names = index.columnNumbers.map { table.columns[Int($0) - 1].name }.joined(separator: ", ")
        let lookup = EngineCatalogLookup(catalog: context.catalog, searchPath: context.execution.searchPath, user: context.execution.user)
        let texts = zip(values, types).map { $0.text(as: $1, catalog: lookup) ?? "null" }.joined(separator: ", ")
        return SQLError(SQLError.uniqueViolation, "duplicate key value violates unique constraint \"\(index.name)\"",
                        detail: "Key (\(names))=(\(texts)) already exists.")
    }
}

/// NOT NULL checks with PostgreSQL's message and the failing row in the detail.
enum ConstraintChecks {
    static func checkNotNull(_ row: Row, _ table: CatalogRelation, _ context: EvaluationContext) throws {
        for (i, column) in table.columns.enumerated() where column.notNull && row[i].isNull {
            let lookup = EngineCatalogLookup(catalog: context.catalog, searchPath: context.execution.searchPath,
                                             user: context.execution.user)
            let texts = zip(row, table.columns).map { $0.text(as: $1.type, catalog: lookup) ?? "null" }.joined(separator: ", ")
            throw SQLError(SQLError.notNullViolation,
                           "null value in column \"\(column.name)\" of relation \"\(table.name)\" violates not-null constraint",
                           detail: "Failing row contains (\(texts)).")
        }
    }
}
