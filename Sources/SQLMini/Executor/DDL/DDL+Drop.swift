// DROP TABLE / DROP INDEX and TRUNCATE. DROP deletes the catalog rows of the table and of what
// depends on it (indexes, constraints, owned sequences, columns) and unlinks their files when the
// transaction commits. TRUNCATE gives the table and its indexes new, empty files (new relfilenode)
// and unlinks the old ones at commit, so a rollback brings every row back.
import Storage
import WAL

extension DDLExecutor {
    func drop(_ drop: DropStatement) throws {
        var tables: [CatalogRelation] = []
        var indexes: [CatalogIndex] = []
        for name in drop.names {
            let kindWord = drop.objectType == .table ? "table" : "index"
            guard let relation = catalog.lookupRelation(schema: name.schema, name: name.name, searchPath: context.searchPath,
                                                        user: context.user) else {
                if drop.ifExists {
                    context.notice(SQLNotice(SQLError.successfulCompletion, "\(kindWord) \"\(name.name)\" does not exist, skipping",
                                             severity: .notice))
                    continue
                }
                throw SQLError(SQLError.undefinedTable, "\(kindWord) \"\(name.name)\" does not exist")
            }
            switch drop.objectType {
            case .table:
                guard relation.kind == .table else {
                    throw SQLError(SQLError.wrongObjectType, "\"\(relation.name)\" is not a table",
                                   hint: "Use DROP \(relation.kind == .index ? "INDEX" : "SEQUENCE") to remove it.",
                                   position: name.position)
                }
                tables.append(relation)
            case .index:
                guard relation.kind == .index, let index = catalog.index(oid: relation.oid) else {
                    throw SQLError(SQLError.wrongObjectType, "\"\(relation.name)\" is not an index", position: name.position)
                }
                if let constraint = catalog.constraints.first(where: { $0.index == index.oid }),
                   let table = catalog.relation(oid: index.table) {
                    throw SQLError("2BP01",
                                   "cannot drop index \(index.name) because constraint \(constraint.name) on table \(table.name) requires it",
                                   hint: "You can drop constraint \(constraint.name) on table \(table.name) instead.")
                }
                indexes.append(index)
            }
        }
        guard !tables.isEmpty || !indexes.isEmpty else { return }
        let xid = try transaction("DROP \(drop.objectType.rawValue)")
        for table in tables {
            let owned = catalog.indexes(onTable: table.oid)
            let sequences = catalog.sequences(ownedBy: table.oid)
            var relationOIDs: Set<UInt32> = [table.oid]
            for index in owned { relationOIDs.insert(index.oid) }
            for sequence in sequences { relationOIDs.insert(sequence.oid) }
            try deleteCatalogRows(relations: relationOIDs, xid: xid)
            for oid in relationOIDs {
                if let relation = catalog.relation(oid: oid) {
                    engine.storage.dropRelationAtCommit(RelationID(relation.fileNode), xid: xid)
                }
            }
        }
        if !indexes.isEmpty {
            try deleteCatalogRows(relations: Set(indexes.map(\.oid)), xid: xid)
            for index in indexes { engine.storage.dropRelationAtCommit(RelationID(index.fileNode), xid: xid) }
        }
        try engine.catalogChanged(by: context)
    }

    /// Deletes every catalog row describing the given relations.
    private func deleteCatalogRows(relations oids: Set<UInt32>, xid: TransactionID) throws {
        func oid(_ value: Value) -> UInt32? { if case .oid(let o) = value { return o } else { return nil } }
        let snapshot = context.snapshot
        try store.delete(.relation, xid: xid, command: command, snapshot: snapshot) { oid($0[0]).map(oids.contains) ?? false }
        try store.delete(.attribute, xid: xid, command: command, snapshot: snapshot) { oid($0[0]).map(oids.contains) ?? false }
        try store.delete(.index, xid: xid, command: command, snapshot: snapshot) {
            (oid($0[0]).map(oids.contains) ?? false) || (oid($0[1]).map(oids.contains) ?? false)
        }
        try store.delete(.constraint, xid: xid, command: command, snapshot: snapshot) {
            (oid($0[4]).map(oids.contains) ?? false) || (oid($0[5]).map(oids.contains) ?? false)
        }
        try store.delete(.sequence, xid: xid, command: command, snapshot: snapshot) { oid($0[0]).map(oids.contains) ?? false }
    }

    func truncate(_ truncate: TruncateStatement) throws {
        let tables = try truncate.tables.map { try existingTable($0) }
        let xid = try transaction("TRUNCATE TABLE")
        var newFiles: [UInt32: UInt32] = [:]
        for table in tables {
            for oid in [table.oid] + catalog.indexes(onTable: table.oid).map(\.oid) {
                guard let relation = catalog.relation(oid: oid), newFiles[oid] == nil else { continue }
                let fileNode = try engine.storage.allocateOID()
                try engine.storage.createRelation(RelationID(fileNode), kind: relation.kind == .index ? .btree : .heap, xid: xid)
                engine.storage.dropRelationAtCommit(RelationID(relation.fileNode), xid: xid)
                newFiles[oid] = fileNode
            }
            if truncate.restartIdentity {
                for sequence in catalog.sequences(ownedBy: table.oid) {
                    guard let relation = catalog.relation(oid: sequence.oid) else { continue }
                    try engine.storage.sequence(RelationID(relation.fileNode)).setValue(sequence.start, isCalled: false)
                }
            }
        }
        try store.modify(.relation, xid: xid, command: command, snapshot: context.snapshot, where: { row in
            guard case .oid(let oid) = row[0] else { return false }
            return newFiles[oid] != nil
        }, replacement: { row in
            guard case .oid(let oid) = row[0], let fileNode = newFiles[oid] else { return row }
            var changed = row
            changed[5] = .oid(fileNode)
            return changed
        })
        try engine.catalogChanged(by: context)
    }
}
