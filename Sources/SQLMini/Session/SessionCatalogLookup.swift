// SessionCatalogLookup: the engine's CatalogLookup as a session's functions and type output use
// it, plus PostgreSQL's predefined roles that the catalog does not store as rows:
// pg_database_owner (6171, owner of the public schema: \dn shows it). Everything else is the
// engine's answer.

final class SessionCatalogLookup: CatalogLookup {
    let engineLookup: EngineCatalogLookup

    init(_ engineLookup: EngineCatalogLookup) {
        self.engineLookup = engineLookup
    }

    /// Predefined roles by oid (PostgreSQL 15's pg_authid.dat): none can log in; \du hides them.
    static let predefinedRoles: [UInt32: String] = [
        3373: "pg_monitor", 3374: "pg_read_all_settings", 3375: "pg_read_all_stats", 3377: "pg_stat_scan_tables",
        4200: "pg_signal_backend", 4544: "pg_checkpoint", 4569: "pg_read_server_files", 4570: "pg_write_server_files",
        4571: "pg_execute_server_program", CatalogConstants.databaseOwnerRole: "pg_database_owner",
        6181: "pg_read_all_data", 6182: "pg_write_all_data",
    ]

    func roleName(_ oid: UInt32) -> String? {
        engineLookup.roleName(oid) ?? Self.predefinedRoles[oid]
    }

    func roleOID(_ name: String) -> UInt32? {
        engineLookup.roleOID(name) ?? Self.predefinedRoles.first { $0.value == name }?.key
    }

    func relationName(_ oid: UInt32) -> String? { engineLookup.relationName(oid) }
    func relationOID(_ name: String) -> UInt32? { engineLookup.relationOID(name) }
    func typeName(_ oid: UInt32) -> String? { engineLookup.typeName(oid) }
    func namespaceName(_ oid: UInt32) -> String? { engineLookup.namespaceName(oid) }
    func namespaceOID(_ name: String) -> UInt32? { engineLookup.namespaceOID(name) }
    func functionName(_ oid: UInt32) -> String? { engineLookup.functionName(oid) }
    func isRelationVisible(_ oid: UInt32) -> Bool { engineLookup.isRelationVisible(oid) }
    func indexDefinition(_ oid: UInt32, column: Int, pretty: Bool) -> String? {
        engineLookup.indexDefinition(oid, column: column, pretty: pretty)
    }
    func constraintDefinition(_ oid: UInt32, pretty: Bool) -> String? {
        engineLookup.constraintDefinition(oid, pretty: pretty)
    }
}
