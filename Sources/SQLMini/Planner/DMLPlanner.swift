// DMLPlanner: INSERT, UPDATE and DELETE to plans. INSERT's source (VALUES or a query) is turned
// into full table rows — target columns coerced to their types by assignment casts, the others
// filled with their defaults (DEFAULT in VALUES too) — so the executor only stores rows. UPDATE
// and DELETE read the target table (with its ctid) through the same access-path choice as SELECT.
//
// Invariants: the rows an INSERT source produces have exactly the table's column types. UPDATE and
// DELETE sources produce [table columns..., ctid, FROM/USING columns...]; `newRow`, `recheck` and
// RETURNING read such a row (table column i = attnum i+1).

struct InsertPlan {
    var table: CatalogRelation
    var source: PlanNode
    var returning: ReturningList?
}

struct UpdatePlan {
    var table: CatalogRelation
    var source: PlanNode
    var newRow: [BoundExpression]
    var recheck: BoundExpression?
    var returning: ReturningList?
}

struct DeletePlan {
    var table: CatalogRelation
    var source: PlanNode
    var recheck: BoundExpression?
    var returning: ReturningList?
}

/// RETURNING: expressions over the changed row (INSERT: the table's row; UPDATE/DELETE: the source
/// row with the table's new or deleted values) and their output columns.
struct ReturningList {
    var expressions: [BoundExpression]
    var columns: [PlanColumn]
}

extension Binder {
    func targetTable(_ name: QualifiedName) throws -> CatalogRelation {
        guard let table = catalog.lookupRelation(schema: name.schema, name: name.name, searchPath: context.searchPath,
                                                 user: context.user) else {
            if virtualRelation(name) != nil {
                throw SQLError(SQLError.wrongObjectType, "cannot change relation \"\(name.name)\"", position: name.position)
            }
            throw SQLError(SQLError.undefinedTable, "relation \"\(name.description)\" does not exist", position: name.position)
        }
        guard table.kind == .table else {
            throw SQLError(SQLError.wrongObjectType, "cannot change relation \"\(table.name)\"", position: name.position)
        }
        return table
    }

    private func tableScope(_ table: CatalogRelation, alias: String?) -> Scope {
        let scope = Scope(parent: nil)
        scope.add(name: alias ?? table.name, schema: alias == nil ? catalog.namespace(oid: table.namespace)?.name : nil,
                  columns: TableColumns.planColumns(table, withTupleID: false))
        return scope
    }

    /// A column's DEFAULT as an expression (NULL when it has none).
    func defaultExpression(_ column: CatalogColumn, position: Int) throws -> BoundExpression {
        guard let text = column.defaultExpression else { return .constant(.null, column.type) }
        let parsed = try Parser.parseExpression(text)
        let bound = try bind(parsed, Place(scope: nil, clause: "DEFAULT"))
        return try coerce(bound, to: column.type, .assignment, position: position, columnName: column.name)
    }

    func planInsert(_ statement: InsertStatement) throws -> InsertPlan {
        let table = try targetTable(statement.table)
        var targets: [Int] = []
        if statement.columns.isEmpty {
            targets = Array(table.columns.indices)
        } else {
            for identifier in statement.columns {
                guard let i = table.columns.firstIndex(where: { $0.name == identifier.name }) else {
                    throw SQLError(SQLError.undefinedColumn,
                                   "column \"\(identifier.name)\" of relation \"\(table.name)\" does not exist",
                                   position: identifier.position)
                }
                if targets.contains(i) {
                    throw SQLError(SQLError.duplicateColumn, "column \"\(identifier.name)\" specified more than once",
                                   position: identifier.position)
                }
                targets.append(i)
            }
        }
        let columns = TableColumns.planColumns(table, withTupleID: false)
        let source: PlanNode
        switch statement.source {
        case .defaultValues:
            source = ValuesNode(rows: [try table.columns.map { try defaultExpression($0, position: statement.table.position) }],
                                columns: columns)
        case .values(let rows):
            // Without a column list, the values fill the first columns; the rest take their defaults.
            if statement.columns.isEmpty, let width = rows.first?.count, width < targets.count {
                targets = Array(targets.prefix(width))
            }
            var bound: [[BoundExpression]] = []
            let place = Place(scope: nil, clause: "VALUES")
            for row in rows {
                guard row.count <= targets.count else {
                    throw SQLError(SQLError.syntaxError, "INSERT has more expressions than target columns",
                                   position: row[targets.count].position)
                }
                guard row.count == targets.count else {
                    throw SQLError(SQLError.syntaxError, "INSERT has more target columns than expressions",
                                   position: row.last?.position ?? statement.table.position)
                }
                var full = try table.columns.map { try defaultExpression($0, position: statement.table.position) }
                for (expression, target) in zip(row, targets) {
                    let column = table.columns[target]
                    if case .defaultValue = expression.kind { continue }
                    full[target] = try coerce(try bind(expression, place), to: column.type, .assignment,
                                              position: expression.position, columnName: column.name)
                }
                bound.append(full)
            }
            source = ValuesNode(rows: bound, columns: columns)
        case .query(let query):
            let plan = try planQuery(query, parent: nil)
            if statement.columns.isEmpty, plan.columns.count < targets.count { targets = Array(targets.prefix(plan.columns.count)) }
            guard plan.columns.count <= targets.count else {
                throw SQLError(SQLError.syntaxError, "INSERT has more expressions than target columns", position: query.position)
            }
            guard plan.columns.count == targets.count else {
                throw SQLError(SQLError.syntaxError, "INSERT has more target columns than expressions", position: query.position)
            }
            var full = try table.columns.map { try defaultExpression($0, position: statement.table.position) }
            for (k, target) in targets.enumerated() {
                let column = table.columns[target]
                full[target] = try coerce(.column(k, plan.columns[k].type), to: column.type, .assignment,
                                          position: query.position, columnName: column.name)
            }
            source = ProjectNode(child: plan, expressions: full, columns: columns)
        }
        let returning = try planReturning(statement.returning, table: table, scope: tableScope(table, alias: statement.alias))
        return InsertPlan(table: table, source: source, returning: returning)
    }

    /// The rows UPDATE/DELETE work on: the target table's columns, its ctid, then the columns of
    /// the FROM/USING items joined to it; and the scope that names them.
    private func targetRows(_ table: CatalogRelation, alias: String?, joining items: [TableReference],
                            whereClause: Expression?) throws -> (scope: Scope, source: PlanNode, predicate: BoundExpression?) {
        let scope = Scope(parent: nil)
        let aliasName = alias ?? table.name
        scope.add(name: aliasName, schema: alias == nil ? catalog.namespace(oid: table.namespace)?.name : nil,
                  columns: TableColumns.planColumns(table, withTupleID: true))
        var tree = FromTree.table(table, alias: aliasName, range: 0..<scope.width)
        if let joined = try bindFrom(items, scope) {
            tree = .join(.inner, tree, joined, condition: nil, range: 0..<scope.width)
        }
        let predicate = try whereClause.map { try bindCondition($0, Place(scope: scope, clause: "WHERE"), clause: "WHERE") }
        let source = try planTree(tree, predicate?.conjuncts ?? [], tupleIDLeafStart: 0)
        return (scope, source, predicate)
    }

    func planUpdate(_ statement: UpdateStatement) throws -> UpdatePlan {
        let table = try targetTable(statement.table)
        let (scope, source, predicate) = try targetRows(table, alias: statement.alias, joining: statement.from,
                                                        whereClause: statement.whereClause)
        let place = Place(scope: scope, clause: "UPDATE")
        var newRow = table.columns.enumerated().map { BoundExpression.column($0.offset, $0.element.type) }
        for assignment in statement.assignments {
            guard let i = table.columns.firstIndex(where: { $0.name == assignment.column.name }) else {
                throw SQLError(SQLError.undefinedColumn,
                               "column \"\(assignment.column.name)\" of relation \"\(table.name)\" does not exist",
                               position: assignment.column.position)
            }
            let column = table.columns[i]
            if case .defaultValue = assignment.value.kind {
                newRow[i] = try defaultExpression(column, position: assignment.value.position)
            } else {
                newRow[i] = try coerce(try bind(assignment.value, place), to: column.type, .assignment,
                                       position: assignment.value.position, columnName: column.name)
            }
        }
        let returning = try planReturning(statement.returning, table: table, scope: scope)
        return UpdatePlan(table: table, source: source, newRow: newRow, recheck: predicate, returning: returning)
    }

    func planDelete(_ statement: DeleteStatement) throws -> DeletePlan {
        let table = try targetTable(statement.table)
        let (scope, source, predicate) = try targetRows(table, alias: statement.alias, joining: statement.using,
                                                        whereClause: statement.whereClause)
        let returning = try planReturning(statement.returning, table: table, scope: scope)
        return DeletePlan(table: table, source: source, recheck: predicate, returning: returning)
    }

    private func planReturning(_ items: [SelectItem], table: CatalogRelation, scope: Scope) throws -> ReturningList? {
        guard !items.isEmpty else { return nil }
        var expressions: [BoundExpression] = []
        var columns: [PlanColumn] = []
        for item in items {
            switch item {
            case .wildcard:
                for (i, column) in TableColumns.planColumns(table, withTupleID: false).enumerated() {
                    expressions.append(.column(i, column.type))
                    columns.append(column)
                }
            case .expression(let expression, let alias):
                let bound = try resolveUnknown(try bind(expression, Place(scope: scope, clause: "RETURNING")),
                                               position: expression.position)
                var column = PlanColumn(name: alias ?? Binder.columnName(expression) ?? "?column?", type: bound.type)
                if case .column(let i, _) = bound, i < table.columns.count {
                    column.tableOID = table.oid
                    column.columnNumber = table.columns[i].number
                }
                expressions.append(bound)
                columns.append(column)
            }
        }
        return ReturningList(expressions: expressions, columns: columns)
    }
}
