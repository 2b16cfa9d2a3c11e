// The keyword classes of PostgreSQL's grammar (src/include/parser/kwlist.h) that decide where a
// word may be used as a name. Every other word is an ordinary identifier.
//
// - reserved: never a column, table or function name, nor an alias without AS (SELECT, FROM, ...)
// - typeOrFunctionName: may name a function or type but not a column or table, and is never a
//   bare alias (JOIN, LEFT, LIKE, ...), which is what lets `FROM a LEFT JOIN b` parse.
// - columnNameOnly: may name a column, but as a function or type it has its own grammar
//   (INT, CHAR, EXISTS, ...); the parser handles those words where they have it.

enum Keywords {
    static let reserved: Set<String> = [
        "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "both", "case", "cast",
        "check", "collate", "column", "constraint", "create", "current_catalog", "current_date", "current_role",
        "current_time", "current_timestamp", "current_user", "default", "deferrable", "desc", "distinct", "do",
        "else", "end", "except", "false", "fetch", "for", "foreign", "from", "grant", "group", "having", "in",
        "initially", "intersect", "into", "lateral", "leading", "limit", "localtime", "localtimestamp", "not",
        "null", "offset", "on", "only", "or", "order", "placing", "primary", "references", "returning", "select",
        "session_user", "some", "symmetric", "table", "then", "to", "trailing", "true", "union", "unique", "user",
        "using", "variadic", "when", "where", "window", "with",
    ]

    static let typeOrFunctionName: Set<String> = [
        "authorization", "binary", "collation", "concurrently", "cross", "current_schema", "freeze", "full",
        "ilike", "inner", "is", "isnull", "join", "left", "like", "natural", "notnull", "outer", "overlaps",
        "right", "similar", "tablesample", "verbose",
    ]

    /// May name a column but not a function or type; SQL text quotes them (quote_ident).
    static let columnNameOnly: Set<String> = [
        "between", "bigint", "bit", "boolean", "char", "character", "coalesce", "dec", "decimal", "exists",
        "extract", "float", "greatest", "grouping", "inout", "int", "integer", "interval", "least", "national",
        "nchar", "none", "normalize", "nullif", "numeric", "out", "overlay", "position", "precision", "real", "row",
        "setof", "smallint", "substring", "time", "timestamp", "treat", "trim", "values", "varchar",
    ]

    /// May this unquoted word name a column or table (PostgreSQL's ColId)?
    static func isColumnName(_ word: String) -> Bool {
        !reserved.contains(word) && !typeOrFunctionName.contains(word)
    }

    /// May this unquoted word name a function (PostgreSQL's func_name)?
    static func isFunctionName(_ word: String) -> Bool {
        !reserved.contains(word)
    }
}
