// Binding of subqueries used as values: scalar `(SELECT ...)`, EXISTS, IN/ANY/ALL (SELECT ...)
// and ARRAY(SELECT ...). The subquery is planned in a child Scope so its column references can
// reach this level's columns (a correlated subquery); the columns it reaches are recorded so the
// evaluator hands exactly those down.
//
// Invariants: a scalar, IN or ARRAY subquery yields one column (42601 otherwise).

extension Binder {
    func bindSubquery(_ query: Query, kind: SubqueryExpression.Kind, operand: BoundExpression?, negated: Bool,
                      _ place: Place, position: Int) throws -> BoundExpression {
        let readsBefore = place.scope?.outerReads ?? 0
        let plan = try planQuery(query, parent: place.scope)
        let correlated = (place.scope?.outerReads ?? 0) != readsBefore
        let needsOneColumn: Bool
        if case .exists = kind { needsOneColumn = false } else { needsOneColumn = true }
        if needsOneColumn && plan.columns.count != 1 {
            let message = plan.columns.count > 1 ? "subquery must return only one column" : "subquery has too few columns"
            throw SQLError(SQLError.syntaxError, message, position: position)
        }
        var type: SQLType = .bool
        switch kind {
        case .scalar: type = plan.columns[0].type
        case .array:
            let element = plan.columns[0].type
            guard let arrayType = element.arrayType else {
                throw SQLError(SQLError.undefinedObject, "could not find array type for data type \(element.formatted)",
                               position: position)
            }
            type = arrayType.withoutModifier
        case .exists, .quantified: type = .bool
        }
        let outerColumns = place.scope?.referencedByChildren ?? []
        return .subquery(SubqueryExpression(kind: kind, plan: plan, type: type, operand: operand, negated: negated,
                                            outerColumns: outerColumns, isCorrelated: correlated))
    }

    func bindQuantifiedSubquery(_ left: Expression, _ op: String, all: Bool, _ query: Query, negated: Bool,
                                _ place: Place, position: Int) throws -> BoundExpression {
        var operand = try bind(left, place)
        let readsBefore = place.scope?.outerReads ?? 0
        let plan = try planQuery(query, parent: place.scope)
        let correlated = (place.scope?.outerReads ?? 0) != readsBefore
        guard plan.columns.count == 1 else {
            throw SQLError(SQLError.syntaxError, "subquery has too many columns", position: position)
        }
        let rightType = plan.columns[0].type
        if operand.type.oid == SQLType.unknown.oid {
            operand = try coerce(operand, to: rightType.oid == SQLType.unknown.oid ? .text : rightType, .implicit, position: position)
        }
        let compare = try comparison(op, operand.type, rightType.oid == SQLType.unknown.oid ? operand.type : rightType,
                                     position: position)
        let outerColumns = place.scope?.referencedByChildren ?? []
        return .subquery(SubqueryExpression(kind: .quantified(all: all, compare: compare), plan: plan, type: .bool,
                                            operand: operand, negated: negated, outerColumns: outerColumns,
                                            isCorrelated: correlated))
    }
}
