// QueryPlanner: a Query (SELECT, VALUES, or UNION of them, with ORDER BY/LIMIT/OFFSET) to a plan.
// The SELECT pipeline, bottom up:
//
//   FROM/WHERE (JoinPlanner) → [HashAggregate → HAVING filter] → Project (outputs + hidden sort
//   keys) → [Distinct] → [Sort] → [Limit] → [Project dropping the hidden sort keys]
//
// Invariants: output columns keep PostgreSQL's names (alias, else the column or function name,
// else "?column?"); unknown-typed outputs (`SELECT 'a'`) become text; ORDER BY accepts output
// ordinals and names first, then any expression of the input.

extension Binder {
    func planQuery(_ query: Query, parent: Scope?) throws -> PlanNode {
        switch query.body {
        case .select(let core):
            return try planSelect(core, query, parent: parent)
        case .values(let rows):
            let plan = try planValues(rows, parent: parent, position: query.position)
            return try applyOrderAndLimit(plan, query, parent: parent)
        case .setOperation(let operation):
            let plan = try planSetOperation(operation, parent: parent, position: query.position)
            return try applyOrderAndLimit(plan, query, parent: parent)
        }
    }

    // MARK: SELECT

    private struct Target {
        var expression: Expression?
        var columnIndex: Int?
        var name: String
    }

    private func planSelect(_ core: SelectCore, _ query: Query, parent: Scope?) throws -> PlanNode {
        let scope = Scope(parent: parent)
        let tree = try bindFrom(core.from, scope)
        let wherePredicate = try core.whereClause.map {
            try bindCondition($0, Place(scope: scope, clause: "WHERE"), clause: "WHERE")
        }
        var plan: PlanNode
        if let tree, let locking = query.locking {
            guard case .table(let table, _, _) = tree else {
                throw SQLError(SQLError.featureNotSupported, "FOR UPDATE is only supported on a single table", position: query.position)
            }
            let scan = try planTree(tree, wherePredicate?.conjuncts ?? [], tupleIDLeafStart: 0)
            plan = LockRowsNode(child: scan, table: table, recheck: wherePredicate, waitPolicy: locking.waitPolicy)
        } else if let tree {
            plan = try planTree(tree, wherePredicate?.conjuncts ?? [], )
        } else {
            plan = ResultNode()
            if let wherePredicate { plan = FilterNode(child: plan, predicate: wherePredicate) }
        }

        let targets = try expandTargets(core.targets, scope)
        let hasAggregates = !core.groupBy.isEmpty || core.having != nil
            || targets.contains { $0.expression.map(Binder.containsAggregate) ?? false }
            || query.orderBy.contains { Binder.containsAggregate($0.expression) }
        let setFunctions = SetFunctionCollector()
        var place = Place(scope: scope, clause: "SELECT", setFunctions: setFunctions)
        var aggregation: AggregationBinding? = nil
        if hasAggregates {
            var keys: [BoundExpression] = []
            for item in core.groupBy {
                let source = try groupByExpression(item, targets: targets, scope: scope)
                var bound = try bind(source, Place(scope: scope, clause: "GROUP BY"))
                bound = try resolveUnknown(bound, position: item.position)
                keys.append(bound)
            }
            aggregation = AggregationBinding(inputScope: scope, groupKeys: keys)
            place.aggregation = aggregation
        }

        // Outputs.
        var outputs: [BoundExpression] = []
        var columns: [PlanColumn] = []
        for target in targets {
            var bound: BoundExpression
            if let index = target.columnIndex {
                let column = scope.entries.flatMap(\.columns)[index]
                bound = hasAggregates ? try bind(try targetExpression(target, scope: scope), place) : .column(index, column.type)
                columns.append(PlanColumn(name: target.name, type: column.type, tableOID: column.tableOID,
                                          columnNumber: column.columnNumber))
            } else if let expression = target.expression {
                bound = try resolveUnknown(try bind(expression, place), position: expression.position)
                var column = PlanColumn(name: target.name, type: bound.type)
                if !hasAggregates, case .column(let i, _) = bound, i >= 0 {   // (i < 0: a set-returning call)
                    let source = scope.entries.flatMap(\.columns)[i]
                    column.tableOID = source.tableOID
                    column.columnNumber = source.columnNumber
                }
                columns.append(column)
            } else {
                continue
            }
            outputs.append(bound)
        }
        var havingPlace = place
        havingPlace.clause = "HAVING"
        havingPlace.setFunctions = nil
        let having = try core.having.map { try bindCondition($0, havingPlace, clause: "HAVING") }

        // ORDER BY keys (and DISTINCT ON keys): outputs, or hidden extra columns.
        var extras: [BoundExpression] = []
        var distinctOnColumns: [Int] = []
        if case .distinctOn(let keys) = core.distinct {
            for key in keys {
                distinctOnColumns.append(try orderByColumn(key, outputs: outputs, columns: columns, place: place, extras: &extras))
            }
        }
        var sortKeys: [SortKey] = []
        for item in query.orderBy {
            let index = try orderByColumn(item.expression, outputs: outputs, columns: columns, place: place, extras: &extras)
            let type = index < outputs.count ? outputs[index].type : extras[index - outputs.count].type
            sortKeys.append(SortKey(column: index, descending: item.descending, nullsFirst: item.nullsFirst ?? item.descending,
                                    blankPadded: type.oid == SQLType.bpchar.oid))
        }

        if let aggregation {
            let aggregateColumns = aggregation.groupKeys.enumerated().map { PlanColumn(name: "group\($0.offset)", type: $0.element.type) }
                + aggregation.aggregates.map { PlanColumn(name: $0.name, type: $0.resultType) }
            plan = HashAggregateNode(child: plan, groupKeys: aggregation.groupKeys, aggregates: aggregation.aggregates,
                                     columns: aggregateColumns)
            if let having { plan = FilterNode(child: plan, predicate: having) }
        }
        let extraColumns = extras.map { PlanColumn(name: "?sort?", type: $0.type) }
        var projected = outputs + extras
        if !setFunctions.calls.isEmpty {
            let inputWidth = plan.columns.count
            plan = ProjectSetNode(child: plan, calls: setFunctions.calls)
            projected = projected.map { SetFunctionCollector.placed($0, inputWidth: inputWidth) }
        }
        plan = ProjectNode(child: plan, expressions: projected, columns: columns + extraColumns)
        switch core.distinct {
        case .all, .distinctOn: break
        case .distinct:
            if !extras.isEmpty {
                throw SQLError(SQLError.invalidColumnReference, "for SELECT DISTINCT, ORDER BY expressions must appear in select list",
                               position: query.orderBy.first?.expression.position)
            }
            plan = DistinctNode(child: plan)
        }
        if !sortKeys.isEmpty { plan = SortNode(child: plan, keys: sortKeys) }
        if !distinctOnColumns.isEmpty { plan = DistinctNode(child: plan, keyColumns: distinctOnColumns) }
        plan = try applyLimit(plan, query, place: Place(scope: parent.map { Scope(parent: $0) }, clause: "LIMIT"))
        if !extras.isEmpty {
            plan = ProjectNode(child: plan, expressions: columns.enumerated().map { .column($0.offset, $0.element.type) },
                               columns: columns)
        }
        return plan
    }

    /// `*`, `t.*` and expressions, with their output names.
    private func expandTargets(_ items: [SelectItem], _ scope: Scope) throws -> [Target] {
        var targets: [Target] = []
        for item in items {
            switch item {
            case .wildcard(let qualifiers, let position):
                let entries: [Scope.Entry]
                if qualifiers.isEmpty {
                    entries = scope.entries
                    if entries.isEmpty {
                        throw SQLError(SQLError.syntaxError, "SELECT * with no tables specified is not valid", position: position)
                    }
                } else {
                    let table = qualifiers[qualifiers.count - 1]
                    let schema = qualifiers.count >= 2 ? qualifiers[qualifiers.count - 2] : nil
                    guard let entry = scope.entry(named: table, schema: schema) else {
                        throw SQLError(SQLError.undefinedTable, "missing FROM-clause entry for table \"\(table)\"", position: position)
                    }
                    entries = [entry]
                }
                for entry in entries {
                    for (i, column) in entry.columns.enumerated() {
                        targets.append(Target(expression: nil, columnIndex: entry.offset + i, name: column.name))
                    }
                }
            case .expression(let expression, let alias):
                targets.append(Target(expression: expression, columnIndex: nil, name: alias ?? Binder.columnName(expression) ?? "?column?"))
            }
        }
        return targets
    }

    /// PostgreSQL's default output column name (FigureColname), nil for "?column?".
    static func columnName(_ expression: Expression) -> String? {
        switch expression.kind {
        case .column(let reference): return reference.name
        case .function(let call): return call.name.name
        case .sqlValueFunction(let function): return function.rawValue
        case .cast(let inner, let type):
            // A column or function name inside wins; a literal or another cast gives way to this type's name.
            var operand = inner
            while case .cast(let deeper, _) = operand.kind { operand = deeper }
            if !operand.isConstantLiteral, let name = columnName(operand) { return name }
            return type.name
        case .collate(let inner, _): return columnName(inner)
        case .caseWhen: return "case"
        case .exists: return "exists"
        case .array, .arraySubquery: return "array"
        case .subquery(let query):
            if case .select(let core) = query.body, core.targets.count == 1, case .expression(let e, let alias) = core.targets[0] {
                return alias ?? columnName(e)
            }
            return nil
        case .arraySubscript(let inner, _, _): return columnName(inner)
        default: return nil
        }
    }

    /// GROUP BY item: an output ordinal or output name stands for that output's expression.
    private func groupByExpression(_ item: Expression, targets: [Target], scope: Scope) throws -> Expression {
        if case .literal(.integer(let n)) = item.kind {
            guard n >= 1, n <= targets.count else {
                throw SQLError(SQLError.invalidColumnReference, "GROUP BY position \(n) is not in select list", position: item.position)
            }
            return try targetExpression(targets[Int(n) - 1], scope: scope)
        }
        if case .column(let reference) = item.kind, reference.qualifiers.isEmpty,
           (try? scope.resolve(reference, position: item.position)) == nil,
           let target = targets.first(where: { $0.name == reference.name }) {
            return try targetExpression(target, scope: scope)
        }
        return item
    }

    private func targetExpression(_ target: Target, scope: Scope) throws -> Expression {
        if let expression = target.expression { return expression }
        guard let index = target.columnIndex else { return Expression(.literal(.null), position: 0) }
        for entry in scope.entries where entry.range.contains(index) {
            let column = entry.columns[index - entry.offset]
            return Expression(.column(ColumnReference(qualifiers: [entry.name], column.name)), position: 0)
        }
        return Expression(.literal(.null), position: 0)
    }

    /// The output column an ORDER BY item sorts on, adding a hidden column when it is not an output.
    private func orderByColumn(_ expression: Expression, outputs: [BoundExpression], columns: [PlanColumn],
                               place: Place, extras: inout [BoundExpression]) throws -> Int {
        if case .literal(.integer(let n)) = expression.kind {
            guard n >= 1, n <= outputs.count else {
                throw SQLError(SQLError.invalidColumnReference, "ORDER BY position \(n) is not in select list",
                               position: expression.position)
            }
            return Int(n) - 1
        }
        if case .column(let reference) = expression.kind, reference.qualifiers.isEmpty {
            let matching = columns.indices.filter { columns[$0].name == reference.name }
            if matching.count == 1 { return matching[0] }
        }
        let bound = try resolveUnknown(try bind(expression, place), position: expression.position)
        let fingerprint = bound.fingerprint
        if let i = outputs.firstIndex(where: { $0.fingerprint == fingerprint }) { return i }
        extras.append(bound)
        return outputs.count + extras.count - 1
    }

    private func applyLimit(_ plan: PlanNode, _ query: Query, place: Place) throws -> PlanNode {
        guard query.limit != nil || query.offset != nil else { return plan }
        let limit = try query.limit.map { try coerce(try bind($0, place), to: .int8, .implicit, position: $0.position) }
        let offset = try query.offset.map { try coerce(try bind($0, place), to: .int8, .implicit, position: $0.position) }
        return LimitNode(child: plan, limit: limit, offset: offset)
    }

    /// ORDER BY / LIMIT over a VALUES list or a set operation: only output columns can be sorted on.
    private func applyOrderAndLimit(_ input: PlanNode, _ query: Query, parent: Scope?) throws -> PlanNode {
        var plan = input
        if !query.orderBy.isEmpty {
            let scope = Scope(parent: parent)
            scope.add(name: "", schema: nil, columns: plan.columns)
            var extras: [BoundExpression] = []
            let outputs = plan.columns.indices.map { BoundExpression.column($0, plan.columns[$0].type) }
            var keys: [SortKey] = []
            for item in query.orderBy {
                let index = try orderByColumn(item.expression, outputs: outputs, columns: plan.columns,
                                              place: Place(scope: scope, clause: "ORDER BY"), extras: &extras)
                guard extras.isEmpty else {
                    throw SQLError(SQLError.featureNotSupported,
                                   "invalid UNION/INTERSECT/EXCEPT ORDER BY clause",
                                   detail: "Only result column names can be used, not expressions or functions.",
                                   position: item.expression.position)
                }
                keys.append(SortKey(column: index, descending: item.descending, nullsFirst: item.nullsFirst ?? item.descending,
                                    blankPadded: plan.columns[index].type.oid == SQLType.bpchar.oid))
            }
            plan = SortNode(child: plan, keys: keys)
        }
        return try applyLimit(plan, query, place: Place(scope: parent.map { Scope(parent: $0) }, clause: "LIMIT"))
    }

    // MARK: VALUES and set operations

    func planValues(_ rows: [[Expression]], parent: Scope?, position: Int, targetTypes: [SQLType]? = nil) throws -> PlanNode {
        guard let width = rows.first?.count else {
            throw SQLError(SQLError.syntaxError, "VALUES list is empty", position: position)
        }
        let place = Place(scope: Scope(parent: parent), clause: "VALUES")
        var bound: [[BoundExpression]] = []
        for row in rows {
            guard row.count == width else {
                throw SQLError(SQLError.syntaxError, "VALUES lists must all be the same length", position: row.first?.position ?? position)
            }
            bound.append(try row.map { try bind($0, place) })
        }
        var types: [SQLType] = []
        for column in 0..<width {
            if let targetTypes, column < targetTypes.count { types.append(targetTypes[column]); continue }
            types.append(try commonType(bound.map { $0[column].type }, position: position, what: "VALUES"))
        }
        if targetTypes == nil {
            for r in bound.indices {
                for c in 0..<width {
                    bound[r][c] = try coerce(bound[r][c], to: types[c], .implicit, position: rows[r][c].position)
                }
            }
        }
        let columns = (0..<width).map { PlanColumn(name: "column\($0 + 1)", type: types[$0]) }
        return ValuesNode(rows: bound, columns: columns)
    }

    private func planSetOperation(_ operation: SetOperation, parent: Scope?, position: Int) throws -> PlanNode {
        let left = try planQuery(operation.left, parent: parent)
        let right = try planQuery(operation.right, parent: parent)
        guard left.columns.count == right.columns.count else {
            throw SQLError(SQLError.syntaxError, "each \(operation.op.rawValue) query must have the same number of columns", position: position)
        }
        var types: [SQLType] = []
        for (l, r) in zip(left.columns, right.columns) {
            types.append(try commonType([l.type, r.type], position: position, what: operation.op.rawValue))
        }
        func converted(_ plan: PlanNode) throws -> PlanNode {
            if zip(plan.columns, types).allSatisfy({ $0.type == $1 }) { return plan }
            let expressions = try plan.columns.enumerated().map { i, column in
                try coerce(.column(i, column.type), to: types[i], .implicit, position: position)
            }
            return ProjectNode(child: plan, expressions: expressions,
                               columns: zip(plan.columns, types).map { PlanColumn(name: $0.name, type: $1) })
        }
        let columns = zip(left.columns, types).map { PlanColumn(name: $0.name, type: $1) }
        switch operation.op {
        case .union:
            var plan: PlanNode = AppendNode(inputs: [try converted(left), try converted(right)], columns: columns)
            if !operation.all { plan = DistinctNode(child: plan) }
            return plan
        case .intersect, .except:
            return SetOperationNode(left: try converted(left), right: try converted(right),
                                    operation: operation.op == .intersect ? .intersect : .except, all: operation.all,
                                    columns: columns)
        }
    }
}
