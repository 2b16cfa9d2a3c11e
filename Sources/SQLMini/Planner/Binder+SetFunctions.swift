// Set-returning functions in the select list (PostgreSQL's ProjectSet): `SELECT generate_series(1, 3)`,
// `SELECT g, generate_series(1, g) FROM generate_series(1, 3) g`, `INSERT ... SELECT generate_series(...)`.
//
// While the select list is bound, each set-returning call is collected into the Place's
// SetFunctionCollector and replaced by a *pending* column reference `.column(-1 - k)` (k = the
// call's number). Once the width of the row below the projection is known, `placed(_:inputWidth:)`
// turns pending references into real ones: the ProjectSetNode's output row is
// [input row..., value of call 0, value of call 1, ...].
//
// Invariants: pending (negative) column numbers never reach the executor; a set-returning call's
// arguments contain no other set-returning call (PostgreSQL would stack ProjectSets; we refuse).

/// The set-returning calls of one select list, in the order they were bound.
final class SetFunctionCollector {
    struct Call {
        var function: ResolvedSetReturningFunction
        var arguments: [BoundExpression]
    }
    private(set) var calls: [Call] = []

    func add(_ call: Call) -> Int {
        calls.append(call)
        return calls.count - 1
    }

    /// `expression` with its pending references pointing after an input row of `inputWidth` columns.
    static func placed(_ expression: BoundExpression, inputWidth: Int) -> BoundExpression {
        expression.remapColumns { $0 < 0 ? inputWidth + (-1 - $0) : $0 }
    }
}

extension Binder {
    static func isSetReturningCall(_ call: FunctionCall) -> Bool {
        (call.name.schema == nil || call.name.schema == "pg_catalog") && SetReturningFunctions.exists(call.name.name)
    }

    /// Does the expression call a set-returning function at this query level?
    static func containsSetReturningFunction(_ expression: Expression) -> Bool {
        var found = false
        expression.visitThisLevel { e in
            if case .function(let call) = e.kind, isSetReturningCall(call) { found = true }
        }
        return found
    }

    /// A set-returning call where the place allows one: a pending column of the select list's ProjectSet.
    func bindSetReturningCall(_ call: FunctionCall, _ place: Place, position: Int) throws -> BoundExpression {
        guard let collector = place.setFunctions else {
            if place.clause == "aggregate function calls" {
                throw SQLError(SQLError.featureNotSupported, "aggregate function calls cannot contain set-returning function calls",
                               hint: "You might be able to move the set-returning function into a LATERAL FROM item.",
                               position: position)
            }
            throw SQLError(SQLError.featureNotSupported, "set-returning functions are not allowed in \(place.clause)",
                           position: position)
        }
        for argument in call.arguments where Binder.containsSetReturningFunction(argument) {
            throw SQLError(SQLError.featureNotSupported, "set-returning function calls as arguments of \(call.name.name) are not supported",
                           position: argument.position)
        }
        var arguments = try call.arguments.map { try bind($0, place) }
        do {
            let function = try SetReturningFunctions.resolve(call.name.name, argumentTypes: arguments.map(\.type))
            for i in arguments.indices where i < function.parameterTypes.count {
                arguments[i] = try coerce(arguments[i], to: function.parameterTypes[i], .implicit, position: call.arguments[i].position)
            }
            let k = collector.add(SetFunctionCollector.Call(function: function, arguments: arguments))
            return .column(-1 - k, function.columnType)
        } catch var error as SQLError {
            if error.position == nil { error.position = position }
            throw error
        }
    }
}
