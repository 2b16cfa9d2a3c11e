// CatalogStore: reads and writes the rows of minipg's system relations. They are ordinary heap
// relations read through MVCC, so a DDL statement's catalog changes are WAL-logged, invisible to
// others until its transaction commits, and undone by an abort — DDL is transactional for free.
//
// Invariants: rows are encoded with the row codec and the relation's fixed layout
// (SystemRelations.swift); writes carry the writing transaction's xid and command id.
import Storage
import WAL

struct CatalogStore {
    let storage: StorageEngine

    func heap(_ relation: SystemRelation) -> HeapRelation { storage.heap(RelationID(relation.relationID)) }

    /// Every row `snapshot` sees in `relation`.
    func rows(_ relation: SystemRelation, snapshot: Snapshot) throws -> [[Value]] {
        var rows: [[Value]] = []
        let types = relation.columnTypes
        try heap(relation).scan(snapshot: snapshot) { _, bytes in
            rows.append(try RowCodec.decode(bytes, types: types))
            return true
        }
        return rows
    }

    func insert(_ relation: SystemRelation, _ row: [Value], xid: TransactionID, command: CommandID) throws {
        _ = try heap(relation).insert(try RowCodec.encode(row, types: relation.columnTypes), xid: xid, command: command)
    }

    /// Deletes the rows `snapshot` sees that `matches` selects; returns how many.
    @discardableResult
    func delete(_ relation: SystemRelation, xid: TransactionID, command: CommandID, snapshot: Snapshot,
                where matches: ([Value]) -> Bool) throws -> Int {
        try modify(relation, xid: xid, command: command, snapshot: snapshot, where: matches, replacement: { _ in nil })
    }

    /// Replaces the rows `matches` selects by `replacement(row)` (nil deletes the row).
    @discardableResult
    func modify(_ relation: SystemRelation, xid: TransactionID, command: CommandID, snapshot: Snapshot,
                where matches: ([Value]) -> Bool, replacement: ([Value]) throws -> [Value]?) throws -> Int {
        var targets: [(TupleID, [Value])] = []
        let types = relation.columnTypes
        let heap = heap(relation)
        try heap.scan(snapshot: snapshot) { tid, bytes in
            let row = try RowCodec.decode(bytes, types: types)
            if matches(row) { targets.append((tid, row)) }
            return true
        }
        for (tid, row) in targets {
            let result: HeapModifyResult
            if let newRow = try replacement(row) {
                result = try heap.update(tid, newData: try RowCodec.encode(newRow, types: types), xid: xid, command: command,
                                         snapshot: snapshot)
            } else {
                result = try heap.delete(tid, xid: xid, command: command, snapshot: snapshot)
            }
            switch result {
            case .ok, .selfModified: continue
            case .beingModified, .updated, .deleted, .invisible:
                throw SQLError(SQLError.serializationFailure, "tuple concurrently updated",
                               detail: "Another transaction changed the definition of the same object; retry.")
            }
        }
        return targets.count
    }
}
