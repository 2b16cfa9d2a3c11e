// CatalogLookup: what type output, casts and built-in functions need from the system catalog,
// implemented by the engine's catalog. regclass prints a relation's name, format_type names a
// user type, pg_get_indexdef rebuilds CREATE INDEX text, pg_table_is_visible follows search_path.
// Every method answers nil/false for an OID it does not know; callers then fall back to the number,
// as PostgreSQL does.

public protocol CatalogLookup: AnyObject {
    /// The relation's name as regclass prints it: bare when visible in search_path, else "schema.name".
    func relationName(_ oid: UInt32) -> String?
    /// The OID of a relation named "name" or "schema.name" (search_path rules), nil if none.
    func relationOID(_ name: String) -> UInt32?
    /// A type's name for a non-built-in type (built-ins are answered by BuiltinTypes).
    func typeName(_ oid: UInt32) -> String?
    func namespaceName(_ oid: UInt32) -> String?
    func namespaceOID(_ name: String) -> UInt32?
    func roleName(_ oid: UInt32) -> String?
    func roleOID(_ name: String) -> UInt32?
    /// A function's name (regproc output), nil if unknown.
    func functionName(_ oid: UInt32) -> String?
    /// pg_table_is_visible: the relation is the first of its name found through search_path.
    func isRelationVisible(_ oid: UInt32) -> Bool
    /// pg_get_indexdef(oid, column, pretty): "CREATE UNIQUE INDEX t_pkey ON t USING btree (id)";
    /// with column > 0 only that key column's name.
    func indexDefinition(_ oid: UInt32, column: Int, pretty: Bool) -> String?
    /// pg_get_constraintdef(oid, pretty): "PRIMARY KEY (id)", "UNIQUE (a, b)", "CHECK (...)".
    func constraintDefinition(_ oid: UInt32, pretty: Bool) -> String?
}
