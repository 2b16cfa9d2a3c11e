// Replication connections (startup parameter `replication`): who may open one, and the
// WALSenderBackend that serves it. `replication=true` is a physical WAL sender (replication
// commands and SHOW only; pg_hba's `replication` pseudo-database); `replication=database` also
// runs SQL on the named database through an ordinary session.

import PGWire
import Replication
import WAL

enum ReplicationConnectionKind {
    case physical, database

    /// The kind asked for by the startup parameter; nil for an ordinary session.
    init?(_ value: String?) throws(PGError) {
        guard let value else { return nil }
        switch value.lowercased() {
        case "true", "on", "yes", "1": self = .physical
        case "database": self = .database
        case "false", "off", "no", "0": return nil
        default:
            throw PGError(severity: .fatal, sqlState: "22023", message: "invalid value for parameter \"replication\": \"\(value)\"",
                          hint: "Valid values are: \"false\", 0, \"true\", 1, \"database\".")
        }
    }
}

extension ServerBackendFactory {
    func makeWALSender(_ kind: ReplicationConnectionKind, startup: StartupInfo, processID: Int32,
                       secretKey: Int32) throws(PGError) -> QueryBackend {
        guard let replication else {
            throw PGError(severity: .fatal, sqlState: "55000", message: "replication connections are not available")
        }
        guard let role = database.role(named: startup.user), role.superuser || role.replication else {
            throw PGError(severity: .fatal, sqlState: "42501", message: "must be superuser or replication role to start walsender")
        }
        let sqlBackend = kind == .database ? try makeSessionBackend(for: startup, processID: processID, secretKey: secretKey) : nil
        var port: Int?
        if let address = startup.remoteAddress, startup.remoteHost != "[local]" { port = address.port }
        let status = WALSenderStatus(pid: processID, userOID: role.oid, userName: role.name,
                                     applicationName: startup.applicationName,
                                     clientAddress: port == nil ? nil : startup.remoteHost, clientPort: port,
                                     backendStart: PostgresTimestamp.now())
        do {
            return try WALSenderBackend(environment: replication, status: status,
                                        database: kind == .database ? startup.database : nil, sqlBackend: sqlBackend)
        } catch {
            sqlBackend?.terminate()
            throw error
        }
    }
}
