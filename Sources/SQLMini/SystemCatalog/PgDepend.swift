// pg_depend: the dependencies psql's \d reads — a serial column's sequence is owned by its
// column (deptype 'a', "Owned by: public.t.id"), and a PRIMARY KEY or UNIQUE constraint's index
// belongs to the constraint (deptype 'i').
//
// Only these two kinds are recorded; minipg's DROP follows its own catalog, not pg_depend.

extension SystemTable {
    /// pg_constraint's own oid (the classid/refclassid of constraint dependencies).
    static let pgConstraintRelation: UInt32 = 2606

    static let pgDepend = SystemTable("pg_depend", oid: 2608, columns: [
        ("classid", .oidType), ("objid", .oidType), ("objsubid", .int4),
        ("refclassid", .oidType), ("refobjid", .oidType), ("refobjsubid", .int4), ("deptype", .char),
    ]) { view in
        let ownedSequences: [[Value]] = view.sequences.compactMap { sequence in
            guard sequence.ownerTable != 0 else { return nil }
            return [.oid(BuiltinOID.pgClassRelation), .oid(sequence.oid), .int4(0),
                    .oid(BuiltinOID.pgClassRelation), .oid(sequence.ownerTable), .int4(Int32(sequence.ownerColumn)), .char("a")]
        }
        let constraintIndexes: [[Value]] = view.constraints.compactMap { constraint in
            guard constraint.indexOID != 0 else { return nil }
            return [.oid(BuiltinOID.pgClassRelation), .oid(constraint.indexOID), .int4(0),
                    .oid(pgConstraintRelation), .oid(constraint.oid), .int4(0), .char("i")]
        }
        return ownedSequences + constraintIndexes
    }
}
