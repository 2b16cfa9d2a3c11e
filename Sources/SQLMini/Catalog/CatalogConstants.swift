// Fixed identifiers of the catalog: PostgreSQL's well-known OIDs for the objects every database has
// (pg_catalog 11, public 2200, database postgres 5, the bootstrap superuser 10) and the relation
// ids of minipg's own system relations, which reuse the OIDs of the PostgreSQL catalogs they feed
// (minipg_class is 1259 like pg_class). All are below FirstNormalObjectId (16384), so they never
// collide with OIDs handed out by StorageEngine.allocateOID().

public enum CatalogConstants {
    // Namespaces
    public static let pgCatalogNamespace: UInt32 = 11
    public static let publicNamespace: UInt32 = 2200
    public static let informationSchemaNamespace: UInt32 = 13000
    public static let pgToastNamespace: UInt32 = 99

    // Roles and databases
    public static let bootstrapSuperuser: UInt32 = 10
    /// pg_database_owner: the owner shown for the public schema.
    public static let databaseOwnerRole: UInt32 = 6171
    /// PostgreSQL 15's predefined roles (pg_authid.dat), created by bootstrap; none can log in, and
    /// psql's \du hides them (names starting with pg_ are reserved).
    public static let predefinedRoles: [(oid: UInt32, name: String)] = [
        (3373, "pg_monitor"), (3374, "pg_read_all_settings"), (3375, "pg_read_all_stats"),
        (3377, "pg_stat_scan_tables"), (4200, "pg_signal_backend"), (4544, "pg_checkpoint"),
        (4569, "pg_read_server_files"), (4570, "pg_write_server_files"), (4571, "pg_execute_server_program"),
        (databaseOwnerRole, "pg_database_owner"), (6181, "pg_read_all_data"), (6182, "pg_write_all_data"),
    ]
    public static let template1Database: UInt32 = 1
    public static let template0Database: UInt32 = 4
    public static let postgresDatabase: UInt32 = 5
    public static let utf8Encoding: Int32 = 6

    // Access methods (pg_am)
    public static let heapAccessMethod: UInt32 = 2
    public static let btreeAccessMethod: UInt32 = 403

    /// The first OID StorageEngine hands out; everything below is fixed at bootstrap.
    public static let firstNormalObjectID: UInt32 = 16384

    // minipg's system relations (heap relation ids; their rows are the catalog)
    public static let namespaceRelation: UInt32 = 2615   // minipg_namespace (pg_namespace)
    public static let classRelation: UInt32 = 1259       // minipg_class (pg_class)
    public static let attributeRelation: UInt32 = 1249   // minipg_attribute (pg_attribute + pg_attrdef)
    public static let indexRelation: UInt32 = 2610       // minipg_index (pg_index)
    public static let constraintRelation: UInt32 = 2606  // minipg_constraint (pg_constraint)
    public static let sequenceRelation: UInt32 = 2224    // minipg_sequence (pg_sequence)
    public static let authidRelation: UInt32 = 1260      // minipg_authid (pg_authid)
    public static let databaseRelation: UInt32 = 1262    // minipg_database (pg_database)
}
