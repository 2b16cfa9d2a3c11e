// ServerBackendFactory: PGWire's BackendFactory for one database instance — decides how each
// connection authenticates (pg_hba.conf + the role's stored verifier), builds its session, and routes
// CancelRequests to the right session.
//
// As in PostgreSQL: a role that does not exist, or has no password, still goes through the password
// exchange and then fails with `password authentication failed` (no role enumeration); an `md5` rule
// with a SCRAM verifier stored uses SCRAM; a cancel key that does not match is silently ignored.

import Logging
import NIOCore
import PGWire
import Replication
import SQLMini
import Foundation
import Synchronization

final class ServerBackendFactory: BackendFactory, @unchecked Sendable {
    let database: Database
    /// pg_hba.conf's rules; a reload replaces them for the connections that come after it.
    private let hbaRules: Mutex<HostBasedAuthentication>
    private let logger: Logger
    let maxConnections: Int
    private let staticParameters: [(String, String)]
    private let liveSessions = LiveSessions()
    /// What WAL senders need; nil refuses replication connections (tests of plain sessions).
    let replication: WALSenderEnvironment?

    init(database: Database, hba: HostBasedAuthentication, maxConnections: Int,
         parameterStatus: [(String, String)], logger: Logger, replication: WALSenderEnvironment? = nil) {
        self.database = database
        self.replication = replication
        self.hbaRules = Mutex(hba)
        self.maxConnections = maxConnections
        self.staticParameters = parameterStatus
        self.logger = logger
    }

    var parameterStatus: [(String, String)] { staticParameters }

    /// A reload (SIGHUP, pg_reload_conf) read pg_hba.conf again.
    func replaceHostBasedAuthentication(_ rules: HostBasedAuthentication) {
        hbaRules.withLock { $0 = rules }
    }

    func parameterStatus(for startup: StartupInfo) -> [(String, String)] {
        let superuser = database.role(named: startup.user)?.superuser ?? false
        var pairs = staticParameters.filter { !["application_name", "is_superuser", "session_authorization"].contains($0.0) }
        pairs.append(("application_name", startup.applicationName))
        pairs.append(("is_superuser", superuser ? "on" : "off"))
        pairs.append(("session_authorization", startup.user))
        return pairs.sorted { $0.0.lowercased() < $1.0.lowercased() }
    }

    func authenticationMethod(for startup: StartupInfo) -> Result<AuthenticationMethod, PGError> {
        let isReplication = Self.isPhysicalReplication(startup.replication)
        let address: IPAddress? = startup.remoteAddress.flatMap { $0.ipAddress }.flatMap(IPAddress.init)
        let connectionType: HBAConnectionType = address == nil ? .local : .host
        let hostText = address == nil ? "[local]" : startup.remoteHost
        let databaseText = isReplication ? "replication connection" : "database \"\(startup.database)\""
        let hba = hbaRules.withLock { $0 }
        guard let rule = hba.match(connectionType: connectionType, database: startup.database, user: startup.user,
                                   isReplication: isReplication, address: address) else {
            logger.info("connection refused: no pg_hba.conf entry", metadata: ["user": "\(startup.user)", "host": "\(hostText)"])
            let where_ = connectionType == .local ? "" : "host \"\(hostText)\", "
            return .failure(PGError(severity: .fatal, sqlState: "28000",
                                    message: "no pg_hba.conf entry for \(where_)user \"\(startup.user)\", \(databaseText), no encryption"))
        }
        let verifier = database.role(named: startup.user).flatMap { $0.canLogin ? $0.passwordVerifier : nil }
        switch rule.method {
        case .trust:
            return .success(.trust)
        case .reject:
            let where_ = connectionType == .local ? "" : "host \"\(hostText)\", "
            return .failure(PGError(severity: .fatal, sqlState: "28000",
                                    message: "pg_hba.conf rejects connection for \(where_)user \"\(startup.user)\", \(databaseText), no encryption"))
        case .md5:
            if let verifier, verifier.hasPrefix("SCRAM-SHA-256$") { return .success(.scramSHA256(verifier: verifier)) }
            return .success(.md5(storedHash: verifier))
        case .scramSHA256:
            if let verifier, verifier.hasPrefix("SCRAM-SHA-256$") { return .success(.scramSHA256(verifier: verifier)) }
            return .success(.scramSHA256(verifier: nil))
        }
    }

    func makeBackend(for startup: StartupInfo, processID: Int32, secretKey: Int32) throws(PGError) -> QueryBackend {
        if let kind = try ReplicationConnectionKind(startup.replication) {
            return try makeWALSender(kind, startup: startup, processID: processID, secretKey: secretKey)
        }
        return try makeSessionBackend(for: startup, processID: processID, secretKey: secretKey)
    }

    func makeSessionBackend(for startup: StartupInfo, processID: Int32, secretKey: Int32) throws(PGError) -> SessionBackend {
        let session: Session
        do {
            session = try database.makeSession(user: startup.user, database: startup.database,
                                               processID: processID, applicationName: startup.applicationName)
        } catch let error as SQLError {
            var fatal = PGError(error)
            fatal.severity = .fatal
            throw fatal
        } catch {
            throw PGError(severity: .fatal, sqlState: SQLError.internalError, message: String(describing: error))
        }
        let backend = SessionBackend(session: session) { [liveSessions] in
            liveSessions.remove(processID)
        }
        liveSessions.add(processID, secretKey: secretKey, backend: backend)
        return backend
    }

    func cancel(processID: Int32, secretKey: Int32) {
        liveSessions.backend(processID, secretKey: secretKey)?.cancel()
    }

    /// `replication=true|on|yes|1` asks for a physical replication connection; `database` is logical.
    static func isPhysicalReplication(_ value: String?) -> Bool {
        guard let value = value?.lowercased() else { return false }
        return ["true", "on", "yes", "1"].contains(value)
    }
}

/// The sessions that can be cancelled, by process id, with their cancel keys.
final class LiveSessions: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [Int32: (secretKey: Int32, backend: SessionBackend)] = [:]

    func add(_ processID: Int32, secretKey: Int32, backend: SessionBackend) {
        lock.lock(); defer { lock.unlock() }
        entries[processID] = (secretKey, backend)
    }

    func remove(_ processID: Int32) {
        lock.lock(); defer { lock.unlock() }
        entries[processID] = nil
    }

    /// The session with this process id, if the key matches (a wrong key is ignored, as in PostgreSQL).
    func backend(_ processID: Int32, secretKey: Int32) -> SessionBackend? {
        lock.lock(); defer { lock.unlock() }
        guard let entry = entries[processID], entry.secretKey == secretKey else { return nil }
        return entry.backend
    }
}
