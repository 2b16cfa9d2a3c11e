// CatalogBootstrap: what initdb puts in a new database's catalog — the system relations
// themselves, the namespaces pg_catalog, public and information_schema, the bootstrap superuser
// (OID 10) with its password verifier, PostgreSQL's predefined roles (pg_database_owner, which owns
// public, pg_monitor, ...), and the databases template1, template0 and postgres.
//
// Invariants: everything is written by the bootstrap transaction (xid 1), which every snapshot
// sees as committed, so the catalog exists before any transaction runs; the WAL is flushed before
// returning so initdb's catalog survives a crash right after it.
import Storage
import WAL

enum CatalogBootstrap {
    static func run(storage: StorageEngine, superuser: String, passwordVerifier: String?) throws {
        let xid = TransactionID.bootstrap
        let command = CommandID(0)
        for relation in SystemRelation.allCases {
            try storage.createRelation(RelationID(relation.relationID), kind: .heap, xid: xid)
        }
        let store = CatalogStore(storage: storage)
        let owner = CatalogConstants.bootstrapSuperuser
        let namespaces = [
            CatalogNamespace(oid: CatalogConstants.pgCatalogNamespace, name: "pg_catalog", owner: owner),
            CatalogNamespace(oid: CatalogConstants.publicNamespace, name: "public", owner: CatalogConstants.databaseOwnerRole),
            CatalogNamespace(oid: CatalogConstants.informationSchemaNamespace, name: "information_schema", owner: owner),
        ]
        for namespace in namespaces { try store.insert(.namespace, namespace.row, xid: xid, command: command) }
        let role = CatalogRole(oid: owner, name: superuser, superuser: true, inherit: true, createRole: true,
                               createDatabase: true, canLogin: true, replication: true, bypassRowLevelSecurity: true,
                               connectionLimit: -1, password: passwordVerifier)
        try store.insert(.authid, role.row, xid: xid, command: command)
        for predefined in CatalogConstants.predefinedRoles {
            let role = CatalogRole(oid: predefined.oid, name: predefined.name, superuser: false, inherit: true,
                                   createRole: false, createDatabase: false, canLogin: false, replication: false,
                                   bypassRowLevelSecurity: false, connectionLimit: -1, password: nil)
            try store.insert(.authid, role.row, xid: xid, command: command)
        }
        let databases = [
            CatalogDatabase(oid: CatalogConstants.template1Database, name: "template1", owner: owner,
                            encoding: CatalogConstants.utf8Encoding, isTemplate: true, allowConnections: true),
            CatalogDatabase(oid: CatalogConstants.template0Database, name: "template0", owner: owner,
                            encoding: CatalogConstants.utf8Encoding, isTemplate: true, allowConnections: false),
            CatalogDatabase(oid: CatalogConstants.postgresDatabase, name: "postgres", owner: owner,
                            encoding: CatalogConstants.utf8Encoding, isTemplate: false, allowConnections: true),
        ]
        for database in databases { try store.insert(.database, database.row, xid: xid, command: command) }
        try storage.wal.flush(upTo: storage.wal.insertLSN)
    }
}
