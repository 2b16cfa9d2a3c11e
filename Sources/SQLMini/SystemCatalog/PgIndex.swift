// pg_index, pg_constraint, pg_sequence: indexes, PRIMARY KEY / UNIQUE constraints, sequences.
//
// Every index is a valid, ready, live B-tree over plain columns (no expressions, no predicates);
// every constraint is immediate (not deferrable) and validated.

extension SystemTable {
    static let pgIndex = SystemTable("pg_index", oid: 2610, columns: [
        ("indexrelid", .oidType), ("indrelid", .oidType), ("indnatts", .int2), ("indnkeyatts", .int2),
        ("indisunique", .bool), ("indnullsnotdistinct", .bool), ("indisprimary", .bool),
        ("indisexclusion", .bool), ("indimmediate", .bool), ("indisclustered", .bool), ("indisvalid", .bool),
        ("indcheckxmin", .bool), ("indisready", .bool), ("indislive", .bool), ("indisreplident", .bool),
        ("indkey", .int2vector), ("indcollation", .oidvector), ("indclass", .oidvector),
        ("indoption", .int2vector), ("indexprs", .pgNodeTree), ("indpred", .pgNodeTree),
    ]) { view in
        view.indexes.map { index in
            let count = Int16(clamping: index.columnNumbers.count)
            let table = view.relations.first { $0.oid == index.tableOID }
            let collations = index.columnNumbers.map { number -> UInt32 in
                guard let column = table?.columns.first(where: { $0.number == number }) else { return 0 }
                return collation(of: column.type)
            }
            return [
                .oid(index.oid), .oid(index.tableOID), .int2(count), .int2(count),
                .bool(index.isUnique), .bool(false), .bool(index.isPrimary),
                .bool(false), .bool(true), .bool(false), .bool(true),
                .bool(false), .bool(true), .bool(true), .bool(false),
                .int2Vector(index.columnNumbers), .oidVector(collations), .oidVector(collations.map { _ in 0 }),
                .int2Vector(index.columnNumbers.map { _ in 0 }), .null, .null,
            ]
        }
    }

    static let pgConstraint = SystemTable("pg_constraint", oid: 2606, columns: [
        ("oid", .oidType), ("conname", .name), ("connamespace", .oidType), ("contype", .char),
        ("condeferrable", .bool), ("condeferred", .bool), ("convalidated", .bool), ("conrelid", .oidType),
        ("contypid", .oidType), ("conindid", .oidType), ("conparentid", .oidType), ("confrelid", .oidType),
        ("confupdtype", .char), ("confdeltype", .char), ("confmatchtype", .char), ("conislocal", .bool),
        ("coninhcount", .int4), ("connoinherit", .bool), ("conkey", .int2Array), ("confkey", .int2Array),
        ("conpfeqop", .oidArray), ("conppeqop", .oidArray), ("conffeqop", .oidArray),
        ("confdelsetcols", .int2Array), ("conexclop", .oidArray), ("conbin", .pgNodeTree),
    ]) { view in
        view.constraints.map { constraint in
            [
                .oid(constraint.oid), .name(constraint.name), .oid(constraint.namespaceOID), .char(constraint.type),
                .bool(false), .bool(false), .bool(true), .oid(constraint.tableOID),
                .oid(0), .oid(constraint.indexOID), .oid(0), .oid(0),
                .char(" "), .char(" "), .char(" "), .bool(true),
                .int4(0), .bool(true), .int2Vector(constraint.columnNumbers), .null,
                .null, .null, .null,
                .null, .null, .null,
            ]
        }
    }

    static let pgSequence = SystemTable("pg_sequence", oid: 2224, columns: [
        ("seqrelid", .oidType), ("seqtypid", .oidType), ("seqstart", .int8), ("seqincrement", .int8),
        ("seqmax", .int8), ("seqmin", .int8), ("seqcache", .int8), ("seqcycle", .bool),
    ]) { view in
        view.sequences.map { sequence in
            [
                .oid(sequence.oid), .oid(sequence.type.oid), .int8(sequence.start), .int8(sequence.increment),
                .int8(sequence.maximum), .int8(sequence.minimum), .int8(1), .bool(false),
            ]
        }
    }
}
