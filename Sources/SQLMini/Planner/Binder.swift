// Binder: turns parsed expressions into BoundExpressions — names resolved through the Scope
// chain, operators and functions resolved for their argument types, unknown-typed literals and
// `$n` parameters given the type their context asks for (PostgreSQL's unknown-literal rules:
// `oid = '16389'` reads '16389' as an oid, `aid = $1` makes $1 an integer).
//
// Invariants: `parameterTypes[i]` is set the first time `$i+1` meets a typed context and never
// changes afterwards; a bound expression never has type `unknown` once coerced (leftover unknown
// literals and parameters become text at the end of planning).

final class Binder {
    let catalog: Catalog
    let context: ExecutionContext
    var parameterTypes: [SQLType?]
    let lookup: EngineCatalogLookup

    init(catalog: Catalog, context: ExecutionContext, parameterTypes: [SQLType?]) {
        self.catalog = catalog
        self.context = context
        self.parameterTypes = parameterTypes
        self.lookup = EngineCatalogLookup(catalog: catalog, searchPath: context.searchPath, user: context.user,
                                          engine: context.engine)
    }

    /// Where an expression is bound: its names, and whether it is above an aggregation.
    struct Place {
        var scope: Scope?
        var aggregation: AggregationBinding? = nil
        /// The clause name for "aggregate functions are not allowed in WHERE".
        var clause: String = "WHERE"
        /// Where set-returning calls go (the select list only); nil where they are not allowed.
        var setFunctions: SetFunctionCollector? = nil
    }

    // MARK: Coercion

    /// `expression` as a value of `type`, by a cast allowed in `castContext`.
    func coerce(_ expression: BoundExpression, to type: SQLType, _ castContext: CastContext, position: Int,
                columnName: String? = nil) throws -> BoundExpression {
        let from = expression.type
        if from == type { return expression }
        switch expression {
        case .constant(let value, let t) where t.oid == SQLType.unknown.oid:
            guard case .text(let text) = value else { return .constant(value, type) }
            let parsed: Value
            do {
                parsed = try Value.parse(text, as: type.withoutModifier, catalog: lookup)
            } catch var error as SQLError {
                if error.position == nil { error.position = position }
                throw error
            }
            // The length/precision check is a separate step in PostgreSQL, reported without a position.
            return .constant(try Casts.applyTypmod(parsed, type, explicit: castContext == .explicit), type)
        case .parameter(let index, let t) where t.oid == SQLType.unknown.oid:
            setParameterType(index, type.withoutModifier)
            let typed = BoundExpression.parameter(index, type.withoutModifier)
            return type.typmod >= 0 ? try coerce(typed, to: type, castContext, position: position) : typed
        default:
            break
        }
        if from.oid == type.oid && type.typmod < 0 { return expression }
        guard let needed = Casts.context(from: from, to: type), needed <= castContext else {
            if let columnName {
                throw SQLError(SQLError.datatypeMismatch,
                               "column \"\(columnName)\" is of type \(type.withoutModifier.formatted) but expression is of type \(from.withoutModifier.formatted)",
                               hint: "You will need to rewrite or cast the expression.", position: position)
            }
            if castContext == .explicit {
                throw SQLError(SQLError.cannotCoerce, "cannot cast type \(from.withoutModifier.formatted) to \(type.withoutModifier.formatted)", position: position)
            }
            throw SQLError(SQLError.datatypeMismatch, "argument of type \(from.withoutModifier.formatted) cannot be used as \(type.withoutModifier.formatted)",
                           position: position)
        }
        let lookup = self.lookup
        return .call(name: "cast", arguments: [expression], type: type, strict: true) { args, _ in
            try Casts.cast(args[0], from: from, to: type, context: castContext, catalog: lookup)
        }
    }

    func setParameterType(_ index: Int, _ type: SQLType) {
        while parameterTypes.count <= index { parameterTypes.append(nil) }
        if parameterTypes[index] == nil || parameterTypes[index]?.oid == SQLType.unknown.oid { parameterTypes[index] = type }
    }

    /// Unknown literals and parameters default to text where nothing else decides.
    func resolveUnknown(_ expression: BoundExpression, position: Int) throws -> BoundExpression {
        expression.type.oid == SQLType.unknown.oid ? try coerce(expression, to: .text, .implicit, position: position) : expression
    }

    /// The type several expressions (CASE branches, VALUES columns, UNION sides) meet in.
    func commonType(_ types: [SQLType], position: Int, what: String) throws -> SQLType {
        var result: SQLType? = nil
        for type in types where type.oid != SQLType.unknown.oid {
            guard let current = result else { result = type; continue }
            if current == type { continue }
            guard let common = Operators.commonType(current, type) else {
                throw SQLError(SQLError.datatypeMismatch, "\(what) types \(current.withoutModifier.formatted) and \(type.withoutModifier.formatted) cannot be matched",
                               position: position)
            }
            result = common
        }
        return result ?? .text
    }

    // MARK: Operators

    /// `operandPositions`, when known, is where an unknown literal's input error points (PostgreSQL
    /// points at the literal, `id = 'abc'`), otherwise at the operator.
    func bindBinaryOperator(_ name: String, _ left: BoundExpression, _ right: BoundExpression,
                            position: Int, operandPositions: (Int, Int)? = nil) throws -> BoundExpression {
        var l = left, r = right
        var op: ResolvedOperator
        do {
            op = try Operators.resolveBinary(name, left: l.type, right: r.type)
            if l.type.oid == SQLType.unknown.oid || r.type.oid == SQLType.unknown.oid {
                if l.type.oid == SQLType.unknown.oid { l = try coerce(l, to: op.leftType, .implicit, position: operandPositions?.0 ?? position) }
                if r.type.oid == SQLType.unknown.oid { r = try coerce(r, to: op.rightType, .implicit, position: operandPositions?.1 ?? position) }
                op = try Operators.resolveBinary(name, left: l.type, right: r.type)
            }
        } catch var error as SQLError {
            if error.position == nil { error.position = position }
            throw error
        }
        let evaluate = op.evaluate
        return .call(name: op.name, arguments: [l, r], type: op.resultType, strict: true) { args, _ in
            try evaluate(args[0], args[1])
        }
    }

    /// A comparison operator's implementation for two types (IN lists, ANY, join keys).
    func comparison(_ name: String, _ left: SQLType, _ right: SQLType, position: Int) throws -> ScalarImplementation {
        do {
            let op = try Operators.resolveBinary(name, left: left, right: right)
            let evaluate = op.evaluate
            return { args, _ in try evaluate(args[0], args[1]) }
        } catch var error as SQLError {
            if error.position == nil { error.position = position }
            throw error
        }
    }
}
