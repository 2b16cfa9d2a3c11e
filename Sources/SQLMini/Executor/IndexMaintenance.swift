// IndexMaintenance: keeping a table's B-tree indexes in step with its heap — a new entry for every
// new tuple version (INSERT, and UPDATE, which writes a new version), and the uniqueness check of
// UNIQUE/PRIMARY KEY indexes, which waits for a transaction that is inserting or deleting the
// same key, as PostgreSQL does, and then decides.
//
// Invariants: an index entry points at exactly one tuple version and that version's key; a key
// with a NULL never conflicts (NULLs are distinct); a unique index checks and inserts under one
// hold of its tree lock (BTreeIndex.insertUnique), so of two concurrent inserters of one key the
// second sees the first's entry and waits for it — with no index lock held — then checks again.
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

    /// Adds `row`'s entries (stored at `tid`) to every index; unique ones check the key first.
    /// `replacing` is the version an UPDATE replaced with `row`: a unique index whose key it leaves
    /// unchanged needs no check. That version is the row's latest, and this transaction holds its
    /// row lock, so it holds the key: any other inserter of the key already waits for this
    /// transaction (its check meets the old version, deleted by a running transaction) and sees
    /// the new version when it looks again. Checking would only visit every earlier version of
    /// the row, which for a row updated many times (pgbench's branches) is most of the work.
    func insertEntries(_ row: Row, at tid: TupleID, replacing old: Row? = nil) throws {
        for index in indexes {
            let values = index.columnNumbers.map { row[Int($0) - 1] }
            let types = index.columnNumbers.map { table.columns[Int($0) - 1].type }
            let key = try KeyEncoding.encode(values, types: types)
            let tree = context.engine.storage.btree(RelationID(index.fileNode))
            do {
                if index.isUnique && !values.contains(where: \.isNull),
                   try old.map({ old in try KeyEncoding.encode(index.columnNumbers.map { old[Int($0) - 1] }, types: types) }) != key {
                    try insertUnique(index, tree: tree, key: key, values: values, types: types, newTuple: tid)
                } else {
                    try tree.insert(key: key, tid: tid, xid: xid, heap: heap)
                }
            } catch let error as StorageError where error.kind == .rowTooBig {
                throw SQLError(SQLError.programLimitExceeded, "\(error.message) for index \"\(index.name)\"")
            }
        }
    }

    /// PostgreSQL's unique check: an equal key whose tuple is live is a duplicate; one that a
    /// running transaction inserted or deleted makes us wait for it and look again.
    private func insertUnique(_ index: CatalogIndex, tree: BTreeIndex, key: [UInt8], values: [Value], types: [SQLType],
                              newTuple: TupleID) throws {
        let modification = RowModification(context: context, table: table, xid: xid)
        while true {
            let result = try tree.insertUnique(key: key, tid: newTuple, xid: xid, heap: heap) { existing in
                guard existing != newTuple, let (header, _) = try heap.fetchLatest(existing) else { return .ignore }
                switch liveness(header) {
                case .dead: return .ignore
                case .live: return .conflict
                case .waitFor(let other): return .waitFor(other)
                }
            }
            switch result {
            case .inserted: return
            case .conflict: throw duplicateKey(index, values: values, types: types)
            case .mustWait(let other): try modification.wait(for: other)
            }
        }
    }

    private enum Liveness { case live, dead, waitFor(TransactionID) }

    /// Whether a tuple version holding the key counts against a new one with the same key.
    private func liveness(_ header: HeapTupleHeader) -> Liveness {
        let transactions = context.engine.storage.transactions
        // Own = this transaction or one of its live subtransactions (a released savepoint's rows).
        let own = context.execution.snapshot
        if !own.isCurrentTransaction(header.xmin) && header.xmin.isNormal {
            switch transactions.status(of: header.xmin) {
            case .aborted: return .dead
            case .inProgress: return .waitFor(header.xmin)
            case .committed: break
            }
        }
        guard header.xmax.isValid, !header.xmaxIsLockOnly else { return .live }
        if own.isCurrentTransaction(header.xmax) { return .dead }
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
