// ConfigurationReload: what SIGHUP and pg_reload_conf() do — re-read postgresql.conf,
// postgresql.auto.conf and the command line's -c overrides (the same load as at startup), then:
//   sighup / superuser / user settings   take the new value; every session adopts it at its next
//                                        statement; logged  parameter "x" changed to "y"
//   postmaster settings                  keep the running value; pg_settings.pending_restart = true;
//                                        logged  parameter "x" cannot be changed without restarting the server
//   pg_hba.conf                          replaces the rules for new connections
//   primary_conninfo / primary_slot_name on a standby: the WAL receiver restarts towards the new upstream
// A file with errors changes nothing (PostgreSQL's "contains errors; no changes were applied").
// The log lines are PostgreSQL's, so a reader of either server's log sees the same story.
// Invariant: reloads are serialised; each one starts from the settings the previous one left.

import Foundation
import Logging
import SQLMini

final class ConfigurationReload: @unchecked Sendable {
    private let directory: DataDirectory
    private let overrides: [(String, String)]
    private let database: Database
    private let factory: ServerBackendFactory
    private let logger: Logger
    /// Told the new settings after each reload (the standby's WAL receiver).
    private let afterReload: @Sendable (ServerSettings) -> Void
    private let serialised = NSLock()

    init(directory: DataDirectory, overrides: [(String, String)], database: Database, factory: ServerBackendFactory,
         logger: Logger, afterReload: @escaping @Sendable (ServerSettings) -> Void) {
        self.afterReload = afterReload
        self.directory = directory
        self.overrides = overrides
        self.database = database
        self.factory = factory
        self.logger = logger
    }

    func run(reason: String) {
        serialised.lock()
        defer { serialised.unlock() }
        logger.info("\(reason), reloading configuration files")
        let fresh: ServerConfiguration
        do {
            fresh = try ServerConfiguration.load(directory: directory, overrides: overrides)
        } catch {
            logger.error("\(error)")
            logger.info("configuration file \"\(directory.configFile)\" contains errors; no changes were applied")
            return
        }
        let reload = database.settings.reloaded(from: fresh.settings)
        for name in reload.pendingRestart {
            logger.info("parameter \"\(name)\" cannot be changed without restarting the server")
        }
        for (name, value) in reload.changed {
            logger.info("parameter \"\(name)\" changed to \"\(value)\"")
        }
        if !reload.pendingRestart.isEmpty {
            logger.info("configuration file \"\(directory.configFile)\" contains errors; unaffected changes were applied")
        }
        database.settings = reload.settings
        afterReload(reload.settings)
        do {
            let text = try String(contentsOfFile: directory.hbaFile, encoding: .utf8)
            factory.replaceHostBasedAuthentication(try HostBasedAuthentication(parsing: text, file: directory.hbaFile))
        } catch {
            logger.error("\(error)")
            logger.warning("pg_hba.conf was not reloaded")
        }
    }
}
