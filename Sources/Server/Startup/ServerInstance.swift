// ServerInstance: one running database instance — the composition root.
//
// Startup: read postgresql.conf (+ -c overrides) and pg_hba.conf, take the postmaster.pid lock,
// open the storage engine (which runs crash recovery from the last checkpoint if the server did not
// shut down cleanly), open the database, listen. Shutdown, by signal, as PostgreSQL's postmaster:
//   SIGTERM  smart:     stop accepting connections, wait for the sessions to end, checkpoint, exit
//   SIGINT   fast:      stop accepting, terminate sessions (their transactions roll back), checkpoint, exit
//   SIGQUIT  immediate: exit at once without a checkpoint; the next start runs crash recovery
// SIGHUP (and pg_reload_conf()) re-reads postgresql.conf, postgresql.auto.conf and pg_hba.conf
// (ConfigurationReload): reloadable settings change, postmaster settings become pending_restart.
// Invariant: the shutdown checkpoint runs only after every session has ended, so nothing is written
// after it; an immediate shutdown writes nothing at all.

import Dispatch
import Foundation
import Logging
import PGWire
import Replication
import SQLMini
import Storage
import WAL

public enum ServerInstance {
    /// Runs the server until a shutdown signal; returns the process exit code.
    public static func runUntilShutdown(dataDirectory path: String, overrides: [(String, String)]) -> Int32 {
        LoggingSystem.bootstrap { label in ServerLogHandler(label: label) }
        var logger = Logger(label: "minipg.server")
        logger.logLevel = .info
        let directory = DataDirectory(path)
        let startTime = Date()
        let configuration: ServerConfiguration
        let hba: HostBasedAuthentication
        do {
            try directory.validate()
            configuration = try ServerConfiguration.load(directory: directory, overrides: overrides)
            let hbaText = try String(contentsOfFile: directory.hbaFile, encoding: .utf8)
            hba = try HostBasedAuthentication(parsing: hbaText, file: directory.hbaFile)
            try directory.lock(port: configuration.port, listenAddresses: configuration.listenAddresses.joined(separator: ","), startTime: startTime)
        } catch {
            logger.critical("\(error)")
            return 1
        }
        defer { directory.unlock() }

        let signals = ShutdownSignals()
        let storage: StorageEngine
        let database: Database
        let server: PGServer
        let factory: ServerBackendFactory
        let walSenders: WALSenders
        var standby: StandbyServer?
        do {
            logger.info("starting minipg 0.1 (PostgreSQL 15 protocol) on \(configuration.listenAddresses.joined(separator: ", ")) port \(configuration.port)")
            storage = try StorageEngine(dataDirectory: directory.path, configuration: configuration.storage, logger: logger,
                                        standby: StandbyServer.isRequested(in: directory))
            // CREATE/ALTER ROLE ... PASSWORD stores a verifier made as password_encryption asks.
            let encryption = configuration.settings.passwordEncryption
            database = try Database(storage: storage, settings: configuration.settings, logger: logger) { user, password in
                InitDB.passwordVerifier(password, user: user, method: encryption)
            }
            // A standby writes nothing: autovacuum starts when it is promoted.
            let startAutovacuum: @Sendable () -> Void = { [autovacuum = configuration.autovacuum, engine = database.engine] in
                storage.startAutovacuum(autovacuum) { engine.allVacuumTargets() }
            }
            let autovacuumOn = configuration.settings.autovacuum
            if autovacuumOn && !storage.isInRecovery { startAutovacuum() }
            let replication = try ReplicationWiring.environment(storage: storage, settings: configuration.settings, logger: logger)
            ReplicationWiring.registerViews(on: database, environment: replication)
            walSenders = replication.senders
            if storage.isInRecovery {
                let streaming = try StandbyServer(directory: directory, storage: storage, settings: configuration.settings,
                                                  logger: logger) {
                    if autovacuumOn { startAutovacuum() }
                }
                database.standbyProvider = streaming
                streaming.start()
                standby = streaming
            }
            factory = ServerBackendFactory(database: database, hba: hba, maxConnections: configuration.maxConnections,
                                               parameterStatus: configuration.parameterStatus, logger: logger,
                                               replication: replication)
            server = PGServer(host: configuration.listenAddresses, port: configuration.port, factory: factory, logger: logger,
                              unixSocketDirectories: configuration.unixSocketDirectories)
            try server.start()
        } catch {
            logger.critical("\(error)")
            return 1
        }
        logger.info(standby == nil ? "database system is ready to accept connections"
                                   : "database system is ready to accept read-only connections")

        let streaming = standby
        let reload = ConfigurationReload(directory: directory, overrides: overrides, database: database,
                                         factory: factory, logger: logger) { streaming?.settingsReloaded($0) }
        database.configurationReloader = { reload.run(reason: "received SIGHUP") }
        let hangup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: DispatchQueue(label: "minipg.reload"))
        hangup.setEventHandler { reload.run(reason: "received SIGHUP") }
        hangup.resume()
        defer { hangup.cancel() }

        let mode = signals.waitForShutdown()
        switch mode {
        case .smart:
            logger.info("received smart shutdown request")
            server.closeListeners()
            // As in PostgreSQL, WAL senders do not hold up a smart shutdown: they end with the server.
            while server.connectionCount > walSenders.all.count && signals.current == .smart { usleep(50_000) }
            if signals.current == .fast {
                logger.info("received fast shutdown request")
                endClientSessions(server, sparing: walSenders)
            }
        case .fast:
            logger.info("received fast shutdown request")
            server.closeListeners()
            logger.info("aborting any active transactions")
            endClientSessions(server, sparing: walSenders)
        case .immediate:
            logger.info("received immediate shutdown request")
            directory.unlock()
            logger.info("database system is shut down")
            _exit(0)
        }
        standby?.stop()
        logger.info("shutting down")
        do {
            try storage.shutdown()
        } catch {
            server.stop()
            logger.critical("shutdown checkpoint failed: \(error)")
            return 1
        }
        waitForWALSenders(walSenders, toFlush: storage.wal.flushedLSN)
        server.stop()
        return 0
    }

    /// Ends every client session and waits (bounded) until they are gone, so that no transaction is
    /// running when the shutdown checkpoint is written. The WAL senders stay connected.
    private static func endClientSessions(_ server: PGServer, sparing walSenders: WALSenders) {
        let senders = Set(walSenders.all.map(\.pid))
        server.terminateAllSessions(sparing: senders)
        let deadline = ContinuousClock.now + .seconds(5)
        while server.connectionCount > senders.count, ContinuousClock.now < deadline { usleep(10_000) }
    }

    /// PostgreSQL's walsender shutdown: after the shutdown checkpoint, each streaming standby is given
    /// the WAL up to its end and the server waits until the standby reports it flushed — so a standby
    /// promoted next (a switchover) has every commit this server acknowledged. Bounded by
    /// `senderDrainTimeout`: a standby that stopped answering does not hold the shutdown forever.
    private static func waitForWALSenders(_ walSenders: WALSenders, toFlush end: LSN) {
        walSenders.poke()
        let deadline = ContinuousClock.now + senderDrainTimeout
        while ContinuousClock.now < deadline {
            // As PostgreSQL's WalSndDone: the flush position, or the write position for a client that
            // reports no flushes (pg_receivewal without --synchronous).
            let behind = walSenders.all.filter { sender in
                let replicated = (sender.flush.flatMap { $0 == .invalid ? nil : $0 }) ?? sender.write ?? .invalid
                return sender.isStreaming && replicated < end
            }
            if behind.isEmpty { return }
            usleep(10_000)
        }
    }

    static let senderDrainTimeout: Duration = .seconds(10)
}

/// Turns SIGTERM / SIGINT / SIGQUIT into a shutdown mode the main thread waits for.
final class ShutdownSignals: @unchecked Sendable {
    enum Mode { case smart, fast, immediate }

    private let queue = DispatchQueue(label: "minipg.signals")
    private var sources: [DispatchSourceSignal] = []
    private let lock = NSLock()
    private var mode: Mode?
    private let arrived = DispatchSemaphore(value: 0)

    init() {
        signal(SIGPIPE, SIG_IGN)
        for (number, mode) in [(SIGTERM, Mode.smart), (SIGINT, .fast), (SIGQUIT, .immediate)] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [weak self] in self?.deliver(mode) }
            source.resume()
            sources.append(source)
        }
        signal(SIGHUP, SIG_IGN)
    }

    private func deliver(_ newMode: Mode) {
        lock.lock()
        // A later, more urgent signal upgrades the shutdown (smart → fast → immediate).
        let upgrade: Bool
        switch (mode, newMode) {
        case (nil, _): upgrade = true
        case (.smart?, .fast), (.smart?, .immediate), (.fast?, .immediate): upgrade = true
        default: upgrade = false
        }
        if upgrade { mode = newMode }
        lock.unlock()
        if upgrade {
            if newMode == .immediate { _exit(0) }
            arrived.signal()
        }
    }

    var current: Mode? {
        lock.lock(); defer { lock.unlock() }
        return mode
    }

    func waitForShutdown() -> Mode {
        arrived.wait()
        lock.lock(); defer { lock.unlock() }
        return mode ?? .fast
    }
}
