// FunctionRegistry: the built-in functions by name and their overload resolution, after
// PostgreSQL's rules (func_select_candidate, simplified): a candidate must accept every argument
// exactly or through an implicit cast (an unknown literal fits anything); among those, the one
// with the most exact matches wins, then the one whose parameters are preferred types for the
// unknown arguments (text). Polymorphic parameters (anyarray, anyelement) bind to the argument's
// type and decide the result type. `pg_catalog.` qualification is accepted.
//
// Unknown names or signatures fail with PostgreSQL's 42883:
//   function foo(integer) does not exist
//   HINT: No function matches the given name and argument types. You might need to add explicit type casts.

/// A parameter of a built-in function.
public enum ParameterType: Sendable, Equatable {
    case type(SQLType)
    case anyArray          // anyarray
    case anyElement        // anyelement (the element type of the anyarray argument, if any)
    case any               // "any": accepts every type, no coercion

    static func t(_ type: SQLType) -> ParameterType { .type(type) }
}

/// A function body: the arguments are already coerced to the resolved parameter types.
public typealias FunctionBody = @Sendable (_ arguments: [Value], _ argumentTypes: [SQLType], _ context: FunctionContext) throws -> Value

public struct FunctionDefinition: Sendable {
    public var name: String
    public var parameters: [ParameterType]
    /// The result type; for polymorphic results, computed from the resolved argument types.
    public var result: @Sendable ([SQLType]) -> SQLType
    /// Strict functions return NULL when any argument is NULL, without running.
    public var isStrict: Bool
    /// Repeats the last parameter for any number of further arguments (concat, greatest).
    public var isVariadic: Bool
    public var body: FunctionBody

    init(_ name: String, _ parameters: [ParameterType], returns: SQLType, strict: Bool = true, variadic: Bool = false,
         _ body: @escaping FunctionBody) {
        self.init(name, parameters, result: { _ in returns }, strict: strict, variadic: variadic, body)
    }

    init(_ name: String, _ parameters: [ParameterType], result: @escaping @Sendable ([SQLType]) -> SQLType,
         strict: Bool = true, variadic: Bool = false, _ body: @escaping FunctionBody) {
        self.name = name
        self.parameters = parameters
        self.result = result
        self.isStrict = strict
        self.isVariadic = variadic
        self.body = body
    }
}

/// A function call the planner resolved: the parameter types the arguments are coerced to, the
/// result type, and the call itself (taking the arguments' original values).
public struct ResolvedFunction: Sendable {
    public var name: String
    public var parameterTypes: [SQLType]
    public var resultType: SQLType
    public var isStrict: Bool
    public let invoke: @Sendable (_ arguments: [Value], _ context: FunctionContext) throws -> Value
}

public enum FunctionRegistry {
    /// Every built-in function, lower-case name → overloads.
    static let functions: [String: [FunctionDefinition]] = {
        var table: [String: [FunctionDefinition]] = [:]
        let groups: [[FunctionDefinition]] = [
            SystemFunctions.definitions, CatalogFunctions.definitions, StringFunctions.definitions,
            MathFunctions.definitions, ArrayFunctions.definitions, WALFunctions.definitions, DateTimeFunctions.definitions,
            FormatFunction.definitions, RegexFunctions.definitions,
        ]
        for definition in groups.joined() { table[definition.name, default: []].append(definition) }
        return table
    }()

    public static func exists(_ name: String) -> Bool { functions[unqualified(name)] != nil }

    static func unqualified(_ name: String) -> String {
        let lowered = name.lowercased()
        return lowered.hasPrefix("pg_catalog.") ? String(lowered.dropFirst("pg_catalog.".count)) : lowered
    }

    public static func undefinedFunction(_ name: String, _ argumentTypes: [SQLType]) -> SQLError {
        let list = argumentTypes.map { $0.oid == SQLType.unknown.oid ? "unknown" : $0.withoutModifier.formatted }.joined(separator: ", ")
        return SQLError(SQLError.undefinedFunction, "function \(name)(\(list)) does not exist",
                        hint: "No function matches the given name and argument types. You might need to add explicit type casts.")
    }

    /// Resolves `name(argumentTypes)`; `schema` is nil or "pg_catalog".
    public static func resolve(_ name: String, schema: String? = nil, argumentTypes: [SQLType]) throws -> ResolvedFunction {
        let displayName = schema.map { "\($0).\(name)" } ?? name
        guard schema == nil || schema?.lowercased() == "pg_catalog", let candidates = functions[unqualified(name)] else {
            throw undefinedFunction(displayName, argumentTypes)
        }
        var best: (definition: FunctionDefinition, types: [SQLType], score: (Int, Int))? = nil
        for candidate in candidates {
            guard let (types, exact, preferred) = match(candidate, argumentTypes) else { continue }
            let score = (exact, preferred)
            if let current = best, score <= current.score { continue }
            best = (candidate, types, score)
        }
        guard let chosen = best else { throw undefinedFunction(displayName, argumentTypes) }
        let definition = chosen.definition, parameterTypes = chosen.types
        let coercions = zip(argumentTypes, parameterTypes).map { Operators.coercion(from: $0, to: $1) }
        let strict = definition.isStrict, body = definition.body
        return ResolvedFunction(name: definition.name, parameterTypes: parameterTypes, resultType: definition.result(parameterTypes),
                                isStrict: strict) { arguments, context in
            if strict, arguments.contains(where: \.isNull) { return .null }
            var coerced: [Value] = []
            coerced.reserveCapacity(arguments.count)
            for (i, argument) in arguments.enumerated() {
                coerced.append(i < coercions.count ? try coercions[i](argument) : argument)
            }
            return try body(coerced, parameterTypes, context)
        }
    }

    /// The concrete parameter types if `definition` accepts `arguments`, with its score
    /// (exact matches, unknowns meeting a string parameter).
    private static func match(_ definition: FunctionDefinition, _ arguments: [SQLType]) -> ([SQLType], Int, Int)? {
        var parameters = definition.parameters
        if definition.isVariadic, let last = parameters.last, arguments.count >= parameters.count - 1 {
            parameters = Array(parameters.dropLast()) + Array(repeating: last, count: arguments.count - parameters.count + 1)
        }
        guard parameters.count == arguments.count else { return nil }
        // Bind the polymorphic types first.
        var arrayType: SQLType? = nil
        for (p, a) in zip(parameters, arguments) where p == .anyArray && a.oid != SQLType.unknown.oid {
            guard a.isArray || a.oid == SQLType.int2vector.oid || a.oid == SQLType.oidvector.oid else { return nil }
            let normalized = a.oid == SQLType.int2vector.oid ? SQLType.int2Array : (a.oid == SQLType.oidvector.oid ? SQLType.oidArray : a)
            arrayType = arrayType ?? normalized.withoutModifier
        }
        var elementType = arrayType?.elementType
        if elementType == nil {
            // Every anyelement argument must meet in one type (greatest(1, 2::bigint) is bigint).
            for (p, a) in zip(parameters, arguments) where p == .anyElement && a.oid != SQLType.unknown.oid {
                guard let common = elementType.map({ Operators.commonType($0, a) }) ?? a.withoutModifier else { return nil }
                elementType = common
            }
        }
        if arrayType == nil, let e = elementType { arrayType = e.arrayType }
        var types: [SQLType] = []
        var exact = 0, preferred = 0
        for (p, a) in zip(parameters, arguments) {
            let target: SQLType
            switch p {
            case .any: types.append(a); exact += 1; continue
            case .type(let t): target = t
            case .anyArray: target = arrayType ?? .textArray
            case .anyElement: target = elementType ?? .text
            }
            if a.oid == target.oid { exact += 1 }
            else if a.oid == SQLType.unknown.oid { if target.category == .string { preferred += 1 } }
            else if Casts.context(from: a, to: target) != .implicit { return nil }
            types.append(target)
        }
        return (types, exact, preferred)
    }
}

extension FunctionDefinition {
    /// Shorthand for a function of fixed types.
    static func fn(_ name: String, _ parameters: [SQLType], _ result: SQLType, strict: Bool = true,
                   _ body: @escaping @Sendable ([Value], FunctionContext) throws -> Value) -> FunctionDefinition {
        FunctionDefinition(name, parameters.map { .type($0) }, returns: result, strict: strict) { args, _, context in try body(args, context) }
    }
}
