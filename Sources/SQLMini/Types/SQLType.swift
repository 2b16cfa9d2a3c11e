// SQLType: a PostgreSQL data type as the rest of SQLMini sees it — a pg_type OID plus a type
// modifier (atttypmod). Everything else (typname, typlen, category, array/element links, the
// format_type text) comes from the built-in type table in BuiltinTypes.swift.
//
// Type modifiers follow PostgreSQL exactly, because clients read them from RowDescription and
// pg_attribute.atttypmod:
//   character(n), character varying(n)  typmod = n + 4          (VARHDRSZ is counted in)
//   numeric(p, s)                        typmod = ((p << 16) | s) + 4
//   timestamp(p), timestamptz(p)         typmod = p
//   anything else                        typmod = -1 (none)

public struct SQLType: Hashable, Sendable, CustomStringConvertible {
    public var oid: UInt32
    public var typmod: Int32

    public init(oid: UInt32, typmod: Int32 = -1) {
        self.oid = oid
        self.typmod = typmod
    }

    /// The variable-length header size PostgreSQL adds into character and numeric typmods.
    public static let varlenaHeaderSize: Int32 = 4

    // MARK: Well-known types (PostgreSQL's OIDs from pg_type.dat)
    public static let bool = SQLType(oid: 16)
    public static let bytea = SQLType(oid: 17)
    public static let char = SQLType(oid: 18)            // "char": one byte
    public static let name = SQLType(oid: 19)
    public static let int8 = SQLType(oid: 20)
    public static let int2 = SQLType(oid: 21)
    public static let int2vector = SQLType(oid: 22)
    public static let int4 = SQLType(oid: 23)
    public static let regproc = SQLType(oid: 24)
    public static let text = SQLType(oid: 25)
    public static let oidType = SQLType(oid: 26)
    public static let tid = SQLType(oid: 27)
    public static let xid = SQLType(oid: 28)
    public static let cid = SQLType(oid: 29)
    public static let oidvector = SQLType(oid: 30)
    public static let pgNodeTree = SQLType(oid: 194)
    public static let inet = SQLType(oid: 869)
    public static let float4 = SQLType(oid: 700)
    public static let float8 = SQLType(oid: 701)
    public static let unknown = SQLType(oid: 705)
    public static let aclitem = SQLType(oid: 1033)
    public static let bpchar = SQLType(oid: 1042)
    public static let varchar = SQLType(oid: 1043)
    public static let date = SQLType(oid: 1082)
    public static let timestamp = SQLType(oid: 1114)
    public static let timestamptz = SQLType(oid: 1184)
    public static let interval = SQLType(oid: 1186)
    public static let numeric = SQLType(oid: 1700)
    public static let regclass = SQLType(oid: 2205)
    public static let regtype = SQLType(oid: 2206)
    public static let record = SQLType(oid: 2249)
    public static let cstring = SQLType(oid: 2275)
    public static let any = SQLType(oid: 2276)
    public static let anyarray = SQLType(oid: 2277)
    public static let void = SQLType(oid: 2278)
    public static let anyelement = SQLType(oid: 2283)
    public static let pgLSN = SQLType(oid: 3220)
    public static let regnamespace = SQLType(oid: 4089)
    public static let regrole = SQLType(oid: 4096)
    public static let xid8 = SQLType(oid: 5069)
    // Arrays psql reads
    public static let boolArray = SQLType(oid: 1000)
    public static let charArray = SQLType(oid: 1002)
    public static let nameArray = SQLType(oid: 1003)
    public static let int2Array = SQLType(oid: 1005)
    public static let int4Array = SQLType(oid: 1007)
    public static let textArray = SQLType(oid: 1009)
    public static let int8Array = SQLType(oid: 1016)
    public static let oidArray = SQLType(oid: 1028)
    public static let aclitemArray = SQLType(oid: 1034)
    public static let float8Array = SQLType(oid: 1022)

    // MARK: Constructors with modifiers
    public static func bpchar(length: Int) -> SQLType { SQLType(oid: 1042, typmod: Int32(length) + varlenaHeaderSize) }
    public static func varchar(length: Int) -> SQLType { SQLType(oid: 1043, typmod: Int32(length) + varlenaHeaderSize) }
    public static func numeric(precision: Int, scale: Int) -> SQLType {
        SQLType(oid: 1700, typmod: Int32((precision << 16) | (scale & 0xFFFF)) + varlenaHeaderSize)
    }

    // MARK: Properties from the type table
    public var info: TypeInfo? { BuiltinTypes.byOID[oid] }
    /// pg_type.typname ("int4", "_text"); "???" for an OID the table does not know.
    public var name: String { info?.name ?? "???" }
    /// pg_type.typlen, sent in RowDescription: 4 for int4, -1 for varlena, -2 for cstring/unknown.
    public var length: Int16 { info?.length ?? -1 }
    public var category: TypeCategory { info?.category ?? .user }
    public var isArray: Bool { info?.elementOID != nil && category == .array }
    /// The element type of an array type (typelem), keeping no typmod.
    public var elementType: SQLType? { info?.elementOID.map { SQLType(oid: $0) } }
    /// The array type whose elements are this type (typarray), keeping the typmod like PostgreSQL.
    public var arrayType: SQLType? { info?.arrayOID.map { SQLType(oid: $0, typmod: typmod) } }
    public var withoutModifier: SQLType { SQLType(oid: oid) }

    /// Declared length of character(n)/character varying(n), nil when unconstrained.
    public var characterLength: Int? {
        guard oid == SQLType.bpchar.oid || oid == SQLType.varchar.oid, typmod >= SQLType.varlenaHeaderSize else { return nil }
        return Int(typmod - SQLType.varlenaHeaderSize)
    }
    /// (precision, scale) of numeric(p, s), nil when unconstrained.
    public var numericPrecisionScale: (precision: Int, scale: Int)? {
        guard oid == SQLType.numeric.oid, typmod >= SQLType.varlenaHeaderSize else { return nil }
        let raw = Int(typmod - SQLType.varlenaHeaderSize)
        return (raw >> 16, Int(Int16(truncatingIfNeeded: raw & 0xFFFF)))
    }

    /// PostgreSQL's format_type(oid, typmod): "integer", "character varying(10)", "numeric(10,2)",
    /// "timestamp without time zone", "text[]".
    public var formatted: String {
        guard let info else { return "???" }
        if info.category == .array, let element = info.elementOID, info.name.hasPrefix("_") {
            return SQLType(oid: element, typmod: typmod).formatted + "[]"
        }
        let base = info.formatName
        guard typmod >= 0 else { return base }
        switch oid {
        case SQLType.bpchar.oid, SQLType.varchar.oid:
            return "\(base)(\(typmod - SQLType.varlenaHeaderSize))"
        case SQLType.numeric.oid:
            guard let ps = numericPrecisionScale else { return base }
            return "numeric(\(ps.precision),\(ps.scale))"
        case SQLType.timestamp.oid:
            return "timestamp(\(typmod)) without time zone"
        case SQLType.timestamptz.oid:
            return "timestamp(\(typmod)) with time zone"
        default:
            return base
        }
    }

    public var description: String { formatted }
}

/// pg_type.typcategory: drives implicit-cast preference and operator resolution.
public enum TypeCategory: Character, Sendable {
    case array = "A", boolean = "B", composite = "C", dateTime = "D", enumeration = "E"
    case geometric = "G", network = "I", numeric = "N", pseudo = "P", range = "R"
    case string = "S", timespan = "T", user = "U", bitString = "V", unknown = "X", internalUse = "Z"
}

/// One row of the built-in type table (a subset of pg_type).
public struct TypeInfo: Sendable {
    public var oid: UInt32
    public var name: String           // typname
    public var formatName: String     // format_type text without modifier
    public var length: Int16          // typlen
    public var category: TypeCategory // typcategory
    public var isPreferred: Bool      // typispreferred
    public var elementOID: UInt32?    // typelem (arrays, int2vector, oidvector)
    public var arrayOID: UInt32?      // typarray
    /// typalign for pg_type ('c' char, 's' short, 'i' int, 'd' double).
    public var alignment: Character
    /// typdelim for arrays of this type (',' everywhere here).
    public var delimiter: Character { "," }
}
