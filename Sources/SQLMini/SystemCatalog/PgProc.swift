// pg_proc (minimal): one row per built-in function overload of the function registry, with its
// name, argument types and result type. Polymorphic parameters show as anyarray / anyelement /
// "any". The OIDs are assigned in name order from `firstFunctionOID`, so they are stable for a
// given minipg build but are not PostgreSQL's.

extension SystemTable {
    static let pgProc = SystemTable("pg_proc", oid: 1255, columns: [
        ("oid", .oidType), ("proname", .name), ("pronamespace", .oidType), ("proowner", .oidType),
        ("prolang", .oidType), ("prokind", .char), ("proretset", .bool), ("prorettype", .oidType),
        ("pronargs", .int2), ("proargtypes", .oidvector),
    ]) { _ in functionRows }

    private static let firstFunctionOID: UInt32 = 9000
    /// pg_language "internal".
    private static let internalLanguage: UInt32 = 12
    private static let setReturningFunctions: Set<String> = ["generate_series", "unnest"]

    private static let functionRows: [[Value]] = {
        let overloads = FunctionRegistry.functions.keys.sorted().flatMap { name in
            (FunctionRegistry.functions[name] ?? []).map { (name, $0) }
        }
        return overloads.enumerated().map { index, entry in
            let (name, definition) = entry
            let argumentTypes = definition.parameters.map(parameterType)
            return [
                .oid(firstFunctionOID + UInt32(index)), .name(name), .oid(CatalogConstants.pgCatalogNamespace),
                .oid(CatalogConstants.bootstrapSuperuser), .oid(internalLanguage), .char("f"),
                .bool(setReturningFunctions.contains(name)), .oid(definition.result(argumentTypes).oid),
                .int2(Int16(clamping: argumentTypes.count)), .oidVector(argumentTypes.map(\.oid)),
            ]
        }
    }()

    private static func parameterType(_ parameter: ParameterType) -> SQLType {
        switch parameter {
        case .type(let type): return type
        case .anyArray: return .anyarray
        case .anyElement: return .anyelement
        case .any: return .any
        }
    }
}
