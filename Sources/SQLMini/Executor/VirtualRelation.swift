// VirtualRelation: a read-only relation computed on demand — the pg_catalog relations psql reads
// (pg_class, pg_attribute, pg_roles, ...) are built by the session layer from the engine's
// catalog and registered with Engine.register(systemRelation:). The binder resolves them like
// tables (pg_catalog is searched first), the executor scans the rows they return.

public protocol VirtualRelation: Sendable {
    var schema: String { get }
    var name: String { get }
    var oid: UInt32 { get }
    var columns: [(name: String, type: SQLType)] { get }
    /// The relation's rows, as the context's transaction should see them.
    func rows(_ context: ExecutionContext) throws -> [[Value]]
}
