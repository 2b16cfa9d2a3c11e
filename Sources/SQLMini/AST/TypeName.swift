// TypeName: a type as written in `::type`, CAST(x AS type) and column definitions.
//
// The parser normalises SQL-standard spellings to PostgreSQL's internal type names, as gram.y
// does: `integer`/`int` -> int4, `smallint` -> int2, `bigint` -> int8, `real` -> float4,
// `double precision`/`float` -> float8, `decimal` -> numeric, `boolean` -> bool,
// `character varying(n)`/`varchar(n)` -> varchar, `character(n)`/`char(n)` -> bpchar (no length
// means length 1), `timestamp with time zone` -> timestamptz, `timestamp [without time zone]` ->
// timestamp. The quoted `"char"` stays `char` (the one-byte type, OID 18). `serial`/`bigserial`
// are kept as written; CREATE TABLE turns them into an integer column with a sequence default.
// Any other name (text, name, oid, regclass, ...) is kept as written (lower-cased unless quoted).

public struct TypeName: Sendable, Equatable {
    /// `pg_catalog` in `::pg_catalog.regclass`; nil when unqualified.
    public var schema: String?
    /// The internal name after normalisation, e.g. "int4", "bpchar", "timestamptz".
    public var name: String
    /// The numbers in parentheses: `varchar(20)` -> [20], `numeric(10,2)` -> [10, 2]. For bpchar
    /// written without a length the parser supplies [1], like PostgreSQL.
    public var modifiers: [Int]
    /// Number of `[]` suffixes (or `ARRAY`): `int2[]` -> 1.
    public var arrayDimensions: Int
    public var position: Int

    public init(schema: String? = nil, _ name: String, modifiers: [Int] = [], arrayDimensions: Int = 0,
                position: Int) {
        self.schema = schema
        self.name = name
        self.modifiers = modifiers
        self.arrayDimensions = arrayDimensions
        self.position = position
    }

    public var isArray: Bool { arrayDimensions > 0 }
}
