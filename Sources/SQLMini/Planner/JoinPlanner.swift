// JoinPlanner: turns a FromTree and the WHERE conjuncts into operators. Each conjunct is pushed
// as far down as the columns it reads allow (to the scan of the only table it reads, or to the
// join whose inputs cover it); scans pick an index when the pushed conjuncts allow one; joins
// with an equality between the two sides become an index nested loop (when the right side is a
// table with a matching index) or a hash join, others a nested loop.
//
// Invariants: conjuncts arrive in the Scope's global column numbering and are renumbered to each
// operator's own row (which starts at its tree's range.lowerBound); a LEFT JOIN never receives
// WHERE conjuncts that read its nullable side below it — they stay above the join.

extension Binder {
    /// - tupleIDLeafStart: the table leaf starting at this column also produces its ctid (DML, FOR UPDATE).
    func planTree(_ tree: FromTree, _ conjuncts: [BoundExpression], tupleIDLeafStart: Int? = nil) throws -> PlanNode {
        let base = tree.range.lowerBound
        let local = conjuncts.map { $0.remapColumns { $0 - base } }
        switch tree {
        case .table(let table, let alias, let range):
            return planTableScan(table, alias: alias, local, withTupleID: tupleIDLeafStart == range.lowerBound)
        case .virtual(let relation, let alias, _):
            return VirtualScanNode(relation: relation, alias: alias, filter: BoundExpression.conjunction(local))
        case .derived(let plan, _, _):
            guard let predicate = BoundExpression.conjunction(local) else { return plan }
            return FilterNode(child: plan, predicate: predicate)
        case .join(let kind, let left, let right, let condition, let range):
            return try planJoin(kind, left, right, condition: condition, conjuncts, range: range, tupleIDLeafStart: tupleIDLeafStart)
        }
    }

    func planTableScan(_ table: CatalogRelation, alias: String, _ conjuncts: [BoundExpression], withTupleID: Bool) -> PlanNode {
        let filter = BoundExpression.conjunction(conjuncts)
        let width = table.columns.count
        if let match = AccessPath.bestIndex(table: table, indexes: catalog.indexes(onTable: table.oid), conjuncts: conjuncts,
                                            columnOf: { $0 < width ? $0 : nil }, isKey: \.isConstantPerScan) {
            return IndexScanNode(table: table, alias: alias, index: match.index, bounds: match.bounds, filter: filter,
                                 withTupleID: withTupleID)
        }
        return SeqScanNode(table: table, alias: alias, filter: filter, withTupleID: withTupleID)
    }

    private func planJoin(_ kind: JoinKind, _ left: FromTree, _ right: FromTree, condition: BoundExpression?,
                          _ conjuncts: [BoundExpression], range: Range<Int>, tupleIDLeafStart: Int?) throws -> PlanNode {
        func within(_ e: BoundExpression, _ r: Range<Int>) -> Bool { e.columns.allSatisfy { r.contains($0) } }
        var leftConjuncts: [BoundExpression] = []
        var rightConjuncts: [BoundExpression] = []
        var joinConjuncts: [BoundExpression] = []
        var above: [BoundExpression] = []
        switch kind {
        case .inner:
            for c in conjuncts + (condition?.conjuncts ?? []) {
                if within(c, left.range) { leftConjuncts.append(c) }
                else if within(c, right.range) { rightConjuncts.append(c) }
                else { joinConjuncts.append(c) }
            }
        case .left:
            for c in conjuncts {
                if within(c, left.range) { leftConjuncts.append(c) } else { above.append(c) }
            }
            for c in condition?.conjuncts ?? [] {
                if within(c, right.range) && !c.columns.isEmpty { rightConjuncts.append(c) } else { joinConjuncts.append(c) }
            }
        case .right:
            for c in conjuncts {
                if within(c, right.range) { rightConjuncts.append(c) } else { above.append(c) }
            }
            for c in condition?.conjuncts ?? [] {
                if within(c, left.range) && !c.columns.isEmpty { leftConjuncts.append(c) } else { joinConjuncts.append(c) }
            }
        case .full:
            above = conjuncts
            joinConjuncts = condition?.conjuncts ?? []
        }
        if case .derived(_, true, _) = right, kind == .right || kind == .full {
            throw SQLError(SQLError.invalidColumnReference,
                           "the combining JOIN type must be INNER or LEFT for a LATERAL reference")
        }
        let leftPlan = try planTree(left, leftConjuncts, tupleIDLeafStart: tupleIDLeafStart)
        let base = range.lowerBound
        let toCombined: (Int) -> Int = { $0 - base }
        var node: PlanNode
        if case .derived(_, true, _) = right {
            // LATERAL: the right side runs again for each left row, which it reads as its outer row.
            let rightPlan = try planTree(right, rightConjuncts)
            node = NestedLoopJoinNode(left: leftPlan, right: rightPlan, kind: kind,
                                      condition: BoundExpression.conjunction(joinConjuncts.map { $0.remapColumns(toCombined) }),
                                      lateralOffset: left.range.lowerBound)
        } else if kind == .inner || kind == .left, case .table(let table, let alias, let rightRange) = right,
                  let match = indexJoin(table, rightRange: rightRange, leftRange: left.range, joinConjuncts) {
            let rightLocal = rightConjuncts.map { $0.remapColumns { $0 - rightRange.lowerBound } }
            var bounds = match.bounds
            bounds.equalities = bounds.equalities.map { $0.remapColumns { $0 - left.range.lowerBound } }
            node = IndexNestedLoopJoinNode(left: leftPlan, table: table, alias: alias, index: match.index, bounds: bounds,
                                           rightFilter: BoundExpression.conjunction(rightLocal),
                                           residual: BoundExpression.conjunction(joinConjuncts.map { $0.remapColumns(toCombined) }),
                                           kind: kind)
        } else {
            let rightPlan = try planTree(right, rightConjuncts)
            let (leftKeys, rightKeys) = equiKeys(joinConjuncts, left: left.range, right: right.range)
            let residual = BoundExpression.conjunction(joinConjuncts.map { $0.remapColumns(toCombined) })
            if !leftKeys.isEmpty {
                node = HashJoinNode(left: leftPlan, right: rightPlan, kind: kind,
                                    leftKeys: leftKeys.map { $0.remapColumns { $0 - left.range.lowerBound } },
                                    rightKeys: rightKeys.map { $0.remapColumns { $0 - right.range.lowerBound } },
                                    residual: residual)
            } else {
                node = NestedLoopJoinNode(left: leftPlan, right: rightPlan, kind: kind, condition: residual, lateralOffset: nil)
            }
        }
        if let predicate = BoundExpression.conjunction(above.map { $0.remapColumns(toCombined) }) {
            node = FilterNode(child: node, predicate: predicate)
        }
        return node
    }

    /// An index of the right-hand table whose leading columns equal expressions of the left side.
    private func indexJoin(_ table: CatalogRelation, rightRange: Range<Int>, leftRange: Range<Int>,
                           _ conjuncts: [BoundExpression]) -> IndexMatch? {
        AccessPath.bestIndex(table: table, indexes: catalog.indexes(onTable: table.oid), conjuncts: conjuncts,
                             columnOf: { rightRange.contains($0) ? $0 - rightRange.lowerBound : nil },
                             isKey: { key in !key.columns.isEmpty && key.columns.allSatisfy { leftRange.contains($0) } },
                             equalitiesOnly: true)
    }

    /// Equalities `l = r` with l reading only the left side and r only the right, whose values
    /// hash alike when equal.
    private func equiKeys(_ conjuncts: [BoundExpression], left: Range<Int>, right: Range<Int>)
        -> ([BoundExpression], [BoundExpression]) {
        var leftKeys: [BoundExpression] = [], rightKeys: [BoundExpression] = []
        func side(_ e: BoundExpression, _ r: Range<Int>) -> Bool { !e.columns.isEmpty && e.columns.allSatisfy { r.contains($0) } }
        for conjunct in conjuncts {
            guard case .call("=", let args, _, _, _) = conjunct, args.count == 2 else { continue }
            var (a, b) = (args[0], args[1])
            if side(b, left) && side(a, right) { swap(&a, &b) }
            guard side(a, left), side(b, right), hashCompatible(a.type, b.type) else { continue }
            leftKeys.append(a)
            rightKeys.append(b)
        }
        return (leftKeys, rightKeys)
    }

    private func hashCompatible(_ a: SQLType, _ b: SQLType) -> Bool {
        let integers: Set<UInt32> = [21, 23, 20]
        let texts: Set<UInt32> = [25, 1043, 19]
        if integers.contains(a.oid) && integers.contains(b.oid) { return true }
        if texts.contains(a.oid) && texts.contains(b.oid) { return true }
        return a.oid == b.oid && a.oid != SQLType.bpchar.oid && a.category != .numeric
    }
}
