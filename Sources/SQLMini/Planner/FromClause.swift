// FROM clause binding: each item becomes a leaf of a FromTree (a table, a pg_catalog virtual
// relation, a subquery, or generate_series) and adds its columns to the query's Scope; explicit
// JOINs become join nodes with their ON condition bound over both sides.
//
// Invariants: a FromTree node's `range` is the contiguous span of the Scope's row its rows fill
// (left subtree first); comma-separated items are cross joins, left-deep, in FROM order.

indirect enum FromTree {
    case table(CatalogRelation, alias: String, range: Range<Int>)
    case virtual(VirtualRelation, alias: String, range: Range<Int>)
    /// A subquery or function in FROM; `lateral` when it reads columns of items to its left.
    case derived(PlanNode, lateral: Bool, range: Range<Int>)
    case join(JoinKind, FromTree, FromTree, condition: BoundExpression?, range: Range<Int>)

    var range: Range<Int> {
        switch self {
        case .table(_, _, let r), .virtual(_, _, let r), .derived(_, _, let r), .join(_, _, _, _, let r): return r
        }
    }
}

extension Binder {
    /// Binds the FROM list into `scope`; nil when there is no FROM.
    func bindFrom(_ items: [TableReference], _ scope: Scope) throws -> FromTree? {
        var tree: FromTree? = nil
        for item in items {
            let right = try bindFromItem(item, scope)
            if let left = tree {
                tree = .join(.inner, left, right, condition: nil, range: left.range.lowerBound..<right.range.upperBound)
            } else {
                tree = right
            }
        }
        return tree
    }

    private func bindFromItem(_ item: TableReference, _ scope: Scope) throws -> FromTree {
        switch item {
        case .relation(let name, let alias):
            return try bindRelation(name, alias: alias, scope)
        case .subquery(let query, let alias, let lateral, let position):
            let readsBefore = scope.outerReads
            let plan = try planQuery(query, parent: lateral ? scope : scope.parent)
            let isLateral = lateral && scope.outerReads != readsBefore
            var columns = plan.columns.map { PlanColumn(name: $0.name, type: $0.type) }
            if let alias {
                guard alias.columns.count <= columns.count else {
                    throw SQLError(SQLError.invalidColumnReference,
                                   "table \"\(alias.name)\" has \(columns.count) columns available but \(alias.columns.count) columns specified",
                                   position: position)
                }
                for (i, name) in alias.columns.enumerated() { columns[i].name = name }
            }
            let start = scope.width
            scope.add(name: alias?.name ?? "unnamed_subquery", schema: nil, columns: columns)
            let renamed: PlanNode = ProjectNode(child: plan, expressions: plan.columns.indices.map { .column($0, plan.columns[$0].type) },
                                                columns: columns)
            return .derived(renamed, lateral: isLateral, range: start..<scope.width)
        case .function(let call, let alias, _, let position):
            return try bindFunctionInFrom(call, alias: alias, scope, position: position)
        case .join(let join):
            let left = try bindFromItem(join.left, scope)
            let right = try bindFromItem(join.right, scope)
            let range = left.range.lowerBound..<right.range.upperBound
            var condition: BoundExpression? = nil
            switch join.condition {
            case .on(let expression):
                condition = try bindCondition(expression, Place(scope: scope, clause: "JOIN/ON"), clause: "JOIN/ON")
            case .none:
                break
            case .using, .natural:
                throw SQLError(SQLError.featureNotSupported, "JOIN USING and NATURAL JOIN are not supported")
            }
            switch join.kind {
            case .inner, .cross: return .join(.inner, left, right, condition: condition, range: range)
            case .left: return .join(.left, left, right, condition: condition, range: range)
            case .right: return .join(.right, left, right, condition: condition, range: range)
            case .full: return .join(.full, left, right, condition: condition, range: range)
            }
        }
    }

    private func bindRelation(_ name: QualifiedName, alias: Alias?, _ scope: Scope) throws -> FromTree {
        let start = scope.width
        let aliasName = alias?.name ?? name.name
        func renamed(_ columns: [PlanColumn]) -> [PlanColumn] {
            var result = columns
            for (i, newName) in (alias?.columns ?? []).enumerated() where i < result.count { result[i].name = newName }
            return result
        }
        // pg_catalog is searched before search_path unless search_path names it.
        let catalogFirst = name.schema == nil && !context.searchPath.contains("pg_catalog")
        if catalogFirst, let relation = context.engine.virtualRelation(schema: "pg_catalog", name: name.name) {
            let columns = relation.columns.map { PlanColumn(name: $0.name, type: $0.type, tableOID: relation.oid) }
            scope.add(name: aliasName, schema: alias == nil ? relation.schema : nil, columns: renamed(columns))
            return .virtual(relation, alias: aliasName, range: start..<scope.width)
        }
        if let table = catalog.lookupRelation(schema: name.schema, name: name.name, searchPath: context.searchPath,
                                              user: context.user) {
            guard table.kind == .table else {
                throw SQLError(SQLError.wrongObjectType, "\"\(table.name)\" is not a table", position: name.position)
            }
            let schemaName = catalog.namespace(oid: table.namespace)?.name
            scope.add(name: aliasName, schema: alias == nil ? schemaName : nil,
                      columns: renamed(TableColumns.planColumns(table, withTupleID: false)))
            return .table(table, alias: aliasName, range: start..<scope.width)
        }
        if let relation = virtualRelation(name) {
            let columns = relation.columns.map { PlanColumn(name: $0.name, type: $0.type, tableOID: relation.oid) }
            scope.add(name: aliasName, schema: alias == nil ? relation.schema : nil, columns: renamed(columns))
            return .virtual(relation, alias: aliasName, range: start..<scope.width)
        }
        throw SQLError(SQLError.undefinedTable, "relation \"\(name.description)\" does not exist", position: name.position)
    }

    /// A pg_catalog relation: `pg_catalog.x`, or `x` unqualified (pg_catalog is searched first).
    func virtualRelation(_ name: QualifiedName) -> VirtualRelation? {
        let engine = context.engine
        if let schema = name.schema { return engine.virtualRelation(schema: schema, name: name.name) }
        return engine.virtualRelation(schema: "pg_catalog", name: name.name)
            ?? engine.virtualRelation(schema: "information_schema", name: name.name)
    }

    private func bindFunctionInFrom(_ call: FunctionCall, alias: Alias?, _ scope: Scope, position: Int) throws -> FromTree {
        let name = call.name.name
        let readsBefore = scope.outerReads
        // Arguments see earlier FROM items as outer references (functions in FROM are implicitly
        // LATERAL), through an empty scope one level down.
        let place = Place(scope: Scope(parent: scope), clause: "functions in FROM")
        let start = scope.width
        if Binder.isSetReturningCall(call) {
            // A set-returning function (generate_series, unnest): a ProjectSet over the one empty
            // row; its rows are produced lazily, so generate_series(1, 10000000) needs no memory.
            var setPlace = place
            setPlace.setFunctions = SetFunctionCollector()
            let value = try bindFunction(call, setPlace, position: position)
            let columnName = alias?.columns.first ?? alias?.name ?? name
            let column = PlanColumn(name: columnName, type: value.type)
            let node = ProjectNode(child: ProjectSetNode(child: ResultNode(), calls: setPlace.setFunctions?.calls ?? []),
                                   expressions: [SetFunctionCollector.placed(value, inputWidth: 0)], columns: [column])
            scope.add(name: alias?.name ?? name, schema: nil, columns: [column])
            return .derived(node, lateral: scope.outerReads != readsBefore, range: start..<scope.width)
        }
        // Any other function in FROM: a one-row relation of its value.
        let value = try bindFunction(call, place, position: position)
        let columnName = alias?.columns.first ?? alias?.name ?? name
        let column = PlanColumn(name: columnName, type: value.type)
        let node = ProjectNode(child: ResultNode(), expressions: [value], columns: [column])
        scope.add(name: alias?.name ?? name, schema: nil, columns: [column])
        return .derived(node, lateral: scope.outerReads != readsBefore, range: start..<scope.width)
    }
}
