// SQL text for queries (subqueries inside expressions, and EXPLAIN/log output): the inverse of
// Parser+Select and Parser+From, in the same style as SQLText.swift.
//
// Invariants: set-operation branches are parenthesised so that their own ORDER BY/LIMIT stay
// theirs; joins are parenthesised, so the text reparses to the same left-deep tree.

extension Query {
    public var sqlText: String {
        var parts: [String] = []
        switch body {
        case .select(let core): parts.append(SQLText.selectCore(core))
        case .values(let rows): parts.append("VALUES " + rows.map { "(" + SQLText.list($0) + ")" }.joined(separator: ", "))
        case .setOperation(let operation):
            parts.append("(" + operation.left.sqlText + ") " + operation.op.rawValue + (operation.all ? " ALL" : "")
                         + " (" + operation.right.sqlText + ")")
        }
        if !orderBy.isEmpty { parts.append("ORDER BY " + orderBy.map(SQLText.orderByItem).joined(separator: ", ")) }
        if let limit { parts.append("LIMIT " + SQLText.expression(limit, nested: false)) }
        if let offset { parts.append("OFFSET " + SQLText.expression(offset, nested: false)) }
        if let locking {
            var text = "FOR " + locking.strength.rawValue
            if !locking.tables.isEmpty { text += " OF " + locking.tables.map(SQLText.identifierPath).joined(separator: ", ") }
            switch locking.waitPolicy {
            case .wait: break
            case .noWait: text += " NOWAIT"
            case .skipLocked: text += " SKIP LOCKED"
            }
            parts.append(text)
        }
        return parts.joined(separator: " ")
    }
}

extension SQLText {
    static func selectCore(_ core: SelectCore) -> String {
        var text = "SELECT "
        switch core.distinct {
        case .all: break
        case .distinct: text += "DISTINCT "
        case .distinctOn(let expressions): text += "DISTINCT ON (" + list(expressions) + ") "
        }
        text += core.targets.map(selectItem).joined(separator: ", ")
        if !core.from.isEmpty { text += " FROM " + core.from.map(tableReference).joined(separator: ", ") }
        if let whereClause = core.whereClause { text += " WHERE " + expression(whereClause, nested: false) }
        if !core.groupBy.isEmpty { text += " GROUP BY " + list(core.groupBy) }
        if let having = core.having { text += " HAVING " + expression(having, nested: false) }
        return text
    }

    static func selectItem(_ item: SelectItem) -> String {
        switch item {
        case .wildcard(let qualifiers, _):
            return (qualifiers.map(identifier) + ["*"]).joined(separator: ".")
        case .expression(let e, let alias):
            return expression(e, nested: false) + (alias.map { " AS " + identifier($0) } ?? "")
        }
    }

    static func orderByItem(_ item: OrderByItem) -> String {
        var text = expression(item.expression, nested: false) + (item.descending ? " DESC" : "")
        if let nullsFirst = item.nullsFirst { text += nullsFirst ? " NULLS FIRST" : " NULLS LAST" }
        return text
    }

    static func alias(_ alias: Alias?) -> String {
        guard let alias else { return "" }
        let columns = alias.columns.isEmpty ? "" : "(" + alias.columns.map(identifier).joined(separator: ", ") + ")"
        return " AS " + identifier(alias.name) + columns
    }

    static func tableReference(_ reference: TableReference) -> String {
        switch reference {
        case .relation(let name, let a):
            return identifierPath(name) + alias(a)
        case .subquery(let query, let a, let lateral, _):
            return (lateral ? "LATERAL " : "") + "(" + query.sqlText + ")" + alias(a)
        case .function(let call, let a, let lateral, _):
            let e = Expression(.function(call), position: call.name.position)
            return (lateral ? "LATERAL " : "") + expression(e, nested: false) + alias(a)
        case .join(let join):
            let kind = join.kind == .inner ? "JOIN" : join.kind.rawValue + " JOIN"
            let natural = join.condition == .natural ? "NATURAL " : ""
            var text = "(" + tableReference(join.left) + " " + natural + kind + " " + tableReference(join.right)
            switch join.condition {
            case .on(let condition): text += " ON " + expression(condition, nested: false)
            case .using(let columns): text += " USING (" + columns.map { identifier($0.name) }.joined(separator: ", ") + ")"
            case .natural, .none: break
            }
            return text + ")"
        }
    }
}
