// BuiltinTypes: the table of data types minipg knows, with PostgreSQL's OIDs, names, lengths and
// categories (from PostgreSQL 15's pg_type.dat), and the resolution of SQL type names as the parser
// sees them ("integer", "character varying", "double precision", "pg_catalog.int4") to SQLType.
// The catalog's pg_type relation is filled from `BuiltinTypes.all`.

public enum BuiltinTypes {
    private static func base(_ oid: UInt32, _ name: String, _ format: String? = nil, length: Int16,
                             _ category: TypeCategory, preferred: Bool = false, array: UInt32?,
                             element: UInt32? = nil, align: Character = "i") -> TypeInfo {
        TypeInfo(oid: oid, name: name, formatName: format ?? name, length: length, category: category,
                 isPreferred: preferred, elementOID: element, arrayOID: array, alignment: align)
    }
    private static func array(_ oid: UInt32, of element: UInt32, _ elementName: String, align: Character = "i") -> TypeInfo {
        TypeInfo(oid: oid, name: "_" + elementName, formatName: elementName + "[]", length: -1,
                 category: .array, isPreferred: false, elementOID: element, arrayOID: nil, alignment: align)
    }

    /// Every built-in type, base types first, then their array types.
    public static let all: [TypeInfo] = [
        base(16, "bool", "boolean", length: 1, .boolean, preferred: true, array: 1000, align: "c"),
        base(17, "bytea", length: -1, .user, array: 1001),
        base(18, "char", "\"char\"", length: 1, .internalUse, array: 1002, align: "c"),
        base(19, "name", length: 64, .string, array: 1003, align: "c"),
        base(20, "int8", "bigint", length: 8, .numeric, array: 1016, align: "d"),
        base(21, "int2", "smallint", length: 2, .numeric, array: 1005, align: "s"),
        base(22, "int2vector", length: -1, .array, array: 1006, element: 21),
        base(23, "int4", "integer", length: 4, .numeric, array: 1007),
        base(24, "regproc", length: 4, .numeric, array: 1008),
        base(25, "text", length: -1, .string, preferred: true, array: 1009),
        base(26, "oid", length: 4, .numeric, preferred: true, array: 1028),
        base(27, "tid", length: 6, .user, array: 1010, align: "s"),
        base(28, "xid", length: 4, .user, array: 1011),
        base(29, "cid", length: 4, .user, array: 1012),
        base(30, "oidvector", length: -1, .array, array: 1013, element: 26),
        base(194, "pg_node_tree", length: -1, .internalUse, array: nil),
        base(700, "float4", "real", length: 4, .numeric, array: 1021),
        base(701, "float8", "double precision", length: 8, .numeric, preferred: true, array: 1022, align: "d"),
        base(705, "unknown", length: -2, .unknown, array: nil, align: "c"),
        base(869, "inet", length: -1, .network, preferred: true, array: 1041),
        base(1033, "aclitem", length: 12, .user, array: 1034),
        base(1042, "bpchar", "character", length: -1, .string, array: 1014),
        base(1043, "varchar", "character varying", length: -1, .string, array: 1015),
        base(1082, "date", length: 4, .dateTime, array: 1182),
        base(1114, "timestamp", "timestamp without time zone", length: 8, .dateTime, array: 1115, align: "d"),
        base(1184, "timestamptz", "timestamp with time zone", length: 8, .dateTime, preferred: true, array: 1185, align: "d"),
        base(1186, "interval", length: 16, .timespan, preferred: true, array: 1187, align: "d"),
        base(1700, "numeric", length: -1, .numeric, array: 1231),
        base(2205, "regclass", length: 4, .numeric, array: 2210),
        base(2206, "regtype", length: 4, .numeric, array: 2211),
        base(2249, "record", length: -1, .pseudo, array: 2287, align: "d"),
        base(2275, "cstring", length: -2, .pseudo, array: 1263, align: "c"),
        base(2276, "any", length: 4, .pseudo, array: nil),
        base(2277, "anyarray", length: -1, .pseudo, array: nil, align: "d"),
        base(2278, "void", length: 4, .pseudo, array: nil),
        base(2283, "anyelement", length: 4, .pseudo, array: nil),
        base(3220, "pg_lsn", length: 8, .user, array: 3221, align: "d"),
        base(4089, "regnamespace", length: 4, .numeric, array: 4090),
        base(4096, "regrole", length: 4, .numeric, array: 4097),
        base(5069, "xid8", length: 8, .user, array: 271, align: "d"),

        array(1000, of: 16, "bool", align: "c"), array(1001, of: 17, "bytea"), array(1002, of: 18, "char", align: "c"),
        array(1003, of: 19, "name"), array(1016, of: 20, "int8", align: "d"), array(1005, of: 21, "int2"),
        array(1006, of: 22, "int2vector"), array(1007, of: 23, "int4"), array(1008, of: 24, "regproc"),
        array(1009, of: 25, "text"), array(1028, of: 26, "oid"), array(1010, of: 27, "tid"),
        array(1011, of: 28, "xid"), array(1012, of: 29, "cid"), array(1013, of: 30, "oidvector"),
        array(1021, of: 700, "float4"), array(1022, of: 701, "float8", align: "d"), array(1041, of: 869, "inet"),
        array(1034, of: 1033, "aclitem"), array(1014, of: 1042, "bpchar"), array(1015, of: 1043, "varchar"),
        array(1182, of: 1082, "date"), array(1115, of: 1114, "timestamp", align: "d"),
        array(1185, of: 1184, "timestamptz", align: "d"), array(1187, of: 1186, "interval", align: "d"),
        array(1231, of: 1700, "numeric"), array(2210, of: 2205, "regclass"), array(2211, of: 2206, "regtype"),
        array(2287, of: 2249, "record", align: "d"), array(1263, of: 2275, "cstring"),
        array(3221, of: 3220, "pg_lsn", align: "d"), array(4090, of: 4089, "regnamespace"),
        array(4097, of: 4096, "regrole"), array(271, of: 5069, "xid8", align: "d"),
    ]

    public static let byOID: [UInt32: TypeInfo] = Dictionary(all.map { ($0.oid, $0) }, uniquingKeysWith: { first, _ in first })
    private static let byName: [String: TypeInfo] = Dictionary(all.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })

    /// SQL-standard spellings the grammar accepts, mapped to typname.
    private static let aliases: [String: String] = [
        "int": "int4", "integer": "int4", "smallint": "int2", "bigint": "int8",
        "real": "float4", "double precision": "float8", "float": "float8",
        "decimal": "numeric", "dec": "numeric", "boolean": "bool",
        "character varying": "varchar", "char varying": "varchar", "character": "bpchar", "char": "bpchar",
        "\"char\"": "char",
        "timestamp without time zone": "timestamp", "timestamp with time zone": "timestamptz",
    ]

    /// Resolves a type name as written in SQL (case-insensitive unless quoted; an optional
    /// `pg_catalog.` prefix) with its modifiers (`varchar(10)` → [10], `numeric(10,2)` → [10, 2]).
    /// Throws 42704 `type "x" does not exist` or 22023 for bad modifiers.
    public static func resolve(name rawName: String, modifiers: [Int] = []) throws -> SQLType {
        var name = rawName.trimmingSpaces
        if name.lowercased().hasPrefix("pg_catalog.") { name = String(name.dropFirst("pg_catalog.".count)) }
        var isArray = false
        if name.hasSuffix("[]") { isArray = true; name = String(name.dropLast(2)).trimmingSpaces }
        let lowered = name == "\"char\"" ? name : name.lowercased()
        var typname = aliases[lowered] ?? lowered
        if lowered == "float", let precision = modifiers.first {
            guard precision >= 1 else { throw SQLError(SQLError.invalidParameterValue, "precision for type float must be at least 1 bit") }
            guard precision <= 53 else { throw SQLError(SQLError.invalidParameterValue, "precision for type float must be less than 54 bits") }
            typname = precision <= 24 ? "float4" : "float8"
        }
        guard let info = byName[typname] else {
            throw SQLError(SQLError.undefinedObject, "type \"\(rawName)\" does not exist")
        }
        var type = SQLType(oid: info.oid)
        if lowered != "float" { type.typmod = try typmod(for: typname, modifiers: modifiers, spelled: lowered) }
        if isArray {
            guard let array = type.arrayType else { throw SQLError(SQLError.undefinedObject, "type \"\(rawName)\" does not exist") }
            type = array
        }
        return type
    }

    /// Resolves a parsed type name (already normalised to internal names by the parser:
    /// int4, bpchar, timestamptz, "char" as `char`) to an SQLType with its typmod.
    public static func resolve(_ typeName: TypeName) throws -> SQLType {
        let spelled = typeName.schema.map { "\($0).\(typeName.name)" } ?? typeName.name
        if let schema = typeName.schema, schema != "pg_catalog" {
            throw SQLError(SQLError.undefinedObject, "type \"\(spelled)\" does not exist", position: typeName.position)
        }
        guard let info = byName[typeName.name] else {
            throw SQLError(SQLError.undefinedObject, "type \"\(spelled)\" does not exist", position: typeName.position)
        }
        var type = SQLType(oid: info.oid)
        do {
            type.typmod = try typmod(for: info.name, modifiers: typeName.modifiers, spelled: info.name)
        } catch var error as SQLError {
            error.position = typeName.position
            throw error
        }
        if typeName.isArray {
            guard let array = type.arrayType else {
                throw SQLError(SQLError.undefinedObject, "type \"\(spelled)[]\" does not exist", position: typeName.position)
            }
            type = array
        }
        return type
    }

    private static let maxCharacterLength = 10_485_760
    private static let maxNumericPrecision = 1000
    private static let maxTimestampPrecision = 6

    private static func typmod(for typname: String, modifiers: [Int], spelled: String) throws -> Int32 {
        switch typname {
        case "bpchar", "varchar":
            guard !modifiers.isEmpty else { return spelled == "char" || spelled == "character" ? 1 + SQLType.varlenaHeaderSize : -1 }
            guard modifiers.count == 1 else { throw SQLError(SQLError.syntaxError, "invalid type modifier") }
            let length = modifiers[0]
            guard length >= 1 else { throw SQLError(SQLError.invalidParameterValue, "length for type \(typname) must be at least 1") }
            guard length <= maxCharacterLength else {
                throw SQLError(SQLError.invalidParameterValue, "length for type \(typname) cannot exceed \(maxCharacterLength)")
            }
            return Int32(length) + SQLType.varlenaHeaderSize
        case "numeric":
            guard !modifiers.isEmpty else { return -1 }
            guard modifiers.count <= 2 else { throw SQLError(SQLError.syntaxError, "invalid NUMERIC type modifier") }
            let precision = modifiers[0], scale = modifiers.count == 2 ? modifiers[1] : 0
            guard precision >= 1, precision <= maxNumericPrecision else {
                throw SQLError(SQLError.invalidParameterValue, "NUMERIC precision \(precision) must be between 1 and \(maxNumericPrecision)")
            }
            guard scale >= 0, scale <= precision else {
                throw SQLError(SQLError.invalidParameterValue, "NUMERIC scale \(scale) must be between 0 and precision \(precision)")
            }
            return SQLType.numeric(precision: precision, scale: scale).typmod
        case "timestamp", "timestamptz":
            guard let precision = modifiers.first else { return -1 }
            guard precision >= 0 else { throw SQLError(SQLError.invalidParameterValue, "TIMESTAMP(\(precision)) precision must not be negative") }
            return Int32(min(precision, maxTimestampPrecision))
        default:
            guard modifiers.isEmpty else { throw SQLError(SQLError.syntaxError, "type modifier is not allowed for type \"\(typname)\"") }
            return -1
        }
    }
}

extension StringProtocol {
    /// The string without leading and trailing spaces (FoundationEssentials has no trimming).
    var trimmingSpaces: String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" || first == "\n" || first == "\r" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" || last == "\n" || last == "\r" { slice = slice.dropLast() }
        return String(slice)
    }
}
