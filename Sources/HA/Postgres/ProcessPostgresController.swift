// ProcessPostgresController: the real PostgresController — runs `minipg server` as a child process of the
// agent and talks to it over the wire protocol, as Patroni runs and queries PostgreSQL.
//
//   start    write postgresql.auto.conf (+ standby.signal), spawn `minipg server -D DIR` with its output
//            appended to the log file, wait until it answers SQL (startTimeout)
//   stop     fast: SIGINT (shutdown checkpoint), escalated to immediate after fastStopTimeout;
//            immediate: SIGQUIT, then SIGKILL after immediateStopGracePeriod; the child is reaped
//   observe  is the process alive (waitpid, WNOHANG)? then one bounded session (ServerObservation)
//   promote  pg_promote(true, 60)           checkpoint  CHECKPOINT
//   follow   a standby: rewrite primary_conninfo and reload (the WAL receiver re-points, no restart);
//            a primary: stop fast and start as a standby
//   rewind   `minipg rewind -D DIR --source-server '…'`     clone  `minipg basebackup -R`
//            a target that was not shut down cleanly (SIGKILL) first finishes crash recovery: one start
//            as a standby with no primary_conninfo (replays its own WAL, takes no write), then a fast stop
//   init     `minipg initdb` (SCRAM, superuser password), then a first start that creates the
//            replication role, then stop
//
// A server left running by a previous agent (postmaster.pid names a live `minipg server`) is adopted,
// not restarted: an agent restart does not bounce the database. It is signalled like a child but not
// reaped (its parent is gone); its output keeps going to the log file the previous agent opened.
//
// Invariants: the actor serialises the controller's state (which process, which upstream, which
// parameters were written); blocking waits run on dedicated threads, never on the cooperative pool.
// Actions are idempotent (stop of a stopped server, start of a running one, promote of a primary).

import Foundation
import Logging
import PGWire

public actor ProcessPostgresController: PostgresController {
    public nonisolated let settings: PostgresProcessSettings
    private let logger: Logger
    private let files: ManagedConfiguration
    private let tool: MiniPGTool
    private var server: ChildProcess?
    /// The server a stop() is waiting for: its exit is expected, not a crash to warn about.
    private var stoppingPID: pid_t?
    /// Cached from `minipg controldata`; cleared when the data directory is replaced.
    private var systemIdentifier: String?
    /// The upstream and parameters last written to postgresql.auto.conf.
    private var upstream: UpstreamConnection?
    private var parameters: [String: String] = [:]

    /// How often a starting server is asked whether it answers yet.
    static let startPollInterval: Duration = .milliseconds(100)
    /// pg_promote's own wait, and the session bound around it.
    static let promoteWaitSeconds = 60
    /// A CHECKPOINT on a busy server may take a while; it still has a bound.
    static let checkpointTimeout: Duration = .seconds(300)

    public init(settings: PostgresProcessSettings, logger: Logger = Logger(label: "minipg.ha.postgres")) {
        self.settings = settings
        self.logger = logger
        self.files = ManagedConfiguration(settings: settings)
        self.tool = MiniPGTool(executable: settings.executable, logger: logger)
    }

    // MARK: Observation

    public func observe() async -> PostgresObservation {
        let dataDirectoryExists = FileManager.default.fileExists(atPath: files.versionFile)
        if dataDirectoryExists && systemIdentifier == nil {
            systemIdentifier = await tool.controlData(dataDirectory: settings.dataDirectory)?["Database system identifier"]
        }
        var observation = PostgresObservation(dataDirectoryExists: dataDirectoryExists, systemIdentifier: systemIdentifier,
                                              isRunning: runningServer() != nil)
        guard observation.isRunning else { return observation }
        let answer: ServerObservation
        do {
            answer = try await BoundedSession.run(superuserConnection, timeout: settings.observeTimeout) {
                try ServerObservation.read($0)
            }
        } catch {
            logger.debug("the server did not answer: \(error)")
            return observation
        }
        observation.isAnswering = true
        observation.role = answer.isInRecovery ? .replica : .primary
        observation.flushLSN = answer.flushLSN
        observation.receiveLSN = answer.receiveLSN
        observation.replayLSN = answer.replayLSN
        observation.replayTimestamp = answer.replayTimestamp
        observation.timeline = answer.timeline
        observation.isStreaming = answer.receiverStatus == "streaming"
        if let upstream, answer.senderHost == upstream.host, answer.senderPort == upstream.port {
            observation.upstream = upstream.memberName
        }
        observation.replication = answer.replication
        observation.pendingRestart = answer.pendingRestart.reduce(into: [:]) { pending, setting in
            let wanted = parameters.first { $0.key.lowercased() == setting.key.lowercased() }?.value ?? "?"
            pending[setting.key] = MemberStatus.PendingChange(oldValue: setting.value, newValue: wanted)
        }
        observation.postmasterStartTime = answer.postmasterStartTime
        observation.serverVersion = answer.serverVersion
        if observation.timeline == nil, answer.isInRecovery {
            // No WAL receiver (yet): the timeline the standby's control file records.
            let control = await tool.controlData(dataDirectory: settings.dataDirectory)
            observation.timeline = control?["Latest checkpoint's TimeLineID"].flatMap { Int($0) }
        }
        return observation
    }

    /// The server process if it is alive: our child, or one a previous agent left (adopted).
    private func runningServer() -> ChildProcess? {
        if let server {
            if server.isAlive { return server }
            if server.pid != stoppingPID {
                logger.warning("server process (PID \(server.pid)) \(server.exitDescription ?? "exited")")
            }
            self.server = nil
        }
        guard let pid = files.postmasterPID,
              let adopted = ChildProcess.adopt(pid: pid, executable: settings.executable,
                                               dataDirectory: settings.dataDirectory) else { return nil }
        logger.info("adopting the server already running in \"\(settings.dataDirectory)\" (PID \(pid))")
        server = adopted
        return adopted
    }

    private var superuserConnection: PGClientConfiguration {
        PGClientConfiguration(host: settings.localHost, port: settings.port, user: settings.superuser.username,
                              password: settings.superuser.password, database: "postgres",
                              applicationName: "minipg node")
    }

    // MARK: Start and stop

    public func start(standbyOf upstream: UpstreamConnection?, parameters: [String: String]) async throws {
        let role = upstream.map { "as a standby of \($0.memberName) (\($0.host):\($0.port))" } ?? "as a primary"
        if let running = runningServer() {
            logger.info("start \(role): the server is already running (PID \(running.pid))")
            return
        }
        guard FileManager.default.fileExists(atPath: files.versionFile) else {
            throw failure("cannot start the server: \"\(settings.dataDirectory)\" is not a data directory")
        }
        try writeConfiguration(parameters: parameters, standbyOf: upstream, for: "start the server")
        logger.info("starting the server \(role) on port \(settings.port)")
        let child = try await spawnServer()
        logger.info("the server (PID \(child.pid)) accepts connections")
    }

    /// Spawns `minipg server` on the files as they are and waits until it answers SQL.
    private func spawnServer() async throws -> ChildProcess {
        let child: ChildProcess
        do {
            // The server dies with this agent (SupervisorFence in Sources/Server): a primary must never
            // outlive the process that keeps its leader lock alive.
            child = try ChildProcess.spawn(settings.executable, ["server", "-D", settings.dataDirectory],
                                           environment: ["MINIPG_SUPERVISOR_PID": String(getpid())],
                                           output: .appendToFile(settings.logFile))
        } catch {
            throw failure("cannot start the server: \(error)")
        }
        server = child
        try await waitUntilAnswering(child)
        return child
    }

    /// pg_isready's question, asked until yes, the child exits, or startTimeout passes.
    private func waitUntilAnswering(_ child: ChildProcess) async throws {
        let deadline = ContinuousClock.now + settings.startTimeout
        let probe = superuserConnection
        while true {
            if !child.isAlive {
                server = nil
                throw failure("the server process (PID \(child.pid)) \(child.exitDescription ?? "exited") during startup: "
                              + "\(lastLogLine() ?? "no message") (log: \"\(settings.logFile)\")")
            }
            if (try? await BoundedSession.run(probe, timeout: settings.observeTimeout, { _ in true })) == true { return }
            if ContinuousClock.now >= deadline {
                throw failure("the server (PID \(child.pid)) did not accept connections within \(settings.startTimeout)")
            }
            try? await Task.sleep(for: Self.startPollInterval)
        }
    }

    public func stop(mode: StopMode) async throws {
        guard let process = runningServer() else {
            logger.debug("stop (\(mode.rawValue)): the server is not running")
            return
        }
        logger.info("stopping the server (PID \(process.pid)), \(mode.rawValue) mode")
        stoppingPID = process.pid
        defer { stoppingPID = nil }
        let fastTimeout = settings.fastStopTimeout
        let grace = settings.immediateStopGracePeriod
        let escalations = try await onDedicatedThread { () -> [String] in
            var notes: [String] = []
            if mode == .fast {
                process.send(SIGINT)
                if process.waitForExit(timeout: fastTimeout) { return notes }
                notes.append("the fast shutdown did not finish within \(fastTimeout): immediate shutdown")
            }
            process.send(SIGQUIT)
            if process.waitForExit(timeout: grace) { return notes }
            notes.append("the immediate shutdown did not finish within \(grace): SIGKILL")
            process.send(SIGKILL)
            _ = process.waitForExit(timeout: .seconds(10))
            return notes
        }
        for note in escalations { logger.warning("\(note)") }
        if process.isAlive { throw failure("the server (PID \(process.pid)) did not stop") }
        if server === process { server = nil }
        logger.info("the server \(process.exitDescription.map { "stopped: \($0)" } ?? "stopped")")
    }

    public func reload(parameters: [String: String]) async throws {
        try writeConfiguration(parameters: parameters, standbyOf: upstream, for: "reload",
                               keepingUnknownUpstream: upstream == nil)
        guard let process = runningServer() else {
            logger.info("parameters written; the server is not running, they apply at its next start")
            return
        }
        process.send(SIGHUP)
        logger.info("reloading the server's configuration (SIGHUP to PID \(process.pid))")
    }

    // MARK: Role changes

    public func promote() async throws {
        guard runningServer() != nil else { throw failure("cannot promote: the server is not running") }
        logger.info("promoting the server")
        let wait = Self.promoteWaitSeconds
        do {
            let promoted = try await BoundedSession.run(superuserConnection, timeout: .seconds(wait + 5)) {
                try BoundedSession.rows($0, "select pg_promote(true, \(wait)) as promoted").first?["promoted"] == "t"
            }
            guard promoted else { throw failure("the server did not finish promotion within \(wait) s") }
        } catch let error as PGError where error.sqlState == "55000" {
            logger.info("promote: the server is not in recovery (already a primary)")
        } catch let error as PostgresControllerError {
            throw error
        } catch {
            throw failure("promotion failed: \(error)")
        }
        upstream = nil
        logger.info("the server is a primary now")
    }

    public func checkpoint() async throws {
        guard runningServer() != nil else { throw failure("cannot checkpoint: the server is not running") }
        do {
            _ = try await BoundedSession.run(superuserConnection, timeout: Self.checkpointTimeout) {
                try $0.simpleQuery("CHECKPOINT")
            }
        } catch {
            throw failure("CHECKPOINT failed: \(error)")
        }
        logger.info("checkpoint complete")
    }

    public func follow(_ upstream: UpstreamConnection, parameters: [String: String]) async throws {
        guard let process = runningServer() else {
            try await start(standbyOf: upstream, parameters: parameters)
            return
        }
        if self.upstream == upstream, self.parameters == parameters {
            logger.debug("follow: already a standby of \(upstream.memberName)")
            return
        }
        guard FileManager.default.fileExists(atPath: files.standbySignalFile) else {
            // A primary becomes a standby only through a restart (and, if it diverged, a rewind first).
            logger.info("following \(upstream.memberName) (\(upstream.host):\(upstream.port)): restarting the primary as a standby")
            try await stop(mode: .fast)
            try await start(standbyOf: upstream, parameters: parameters)
            return
        }
        // A running standby re-points its WAL receiver on reload (primary_conninfo is a sighup setting).
        try writeConfiguration(parameters: parameters, standbyOf: upstream, for: "follow \(upstream.memberName)")
        process.send(SIGHUP)
        logger.info("following \(upstream.memberName) (\(upstream.host):\(upstream.port)): new primary_conninfo, reload (SIGHUP to PID \(process.pid))")
    }

    public func rewind(from upstream: UpstreamConnection) async throws -> RewindOutcome {
        guard runningServer() == nil else { throw failure("cannot rewind a running server") }
        if let unclean = await uncleanShutdownState() {
            do {
                try await finishCrashRecovery(state: unclean)
            } catch {
                try? await stop(mode: .immediate)
                return .impossible(reason: "crash recovery before the rewind failed: \(error)")
            }
        }
        var source: [(key: String, value: String)] = [("host", upstream.host), ("port", String(upstream.port)),
                                                      ("user", settings.superuser.username), ("dbname", "postgres")]
        if let password = settings.superuser.password { source.append(("password", password)) }
        logger.info("rewinding \"\(settings.dataDirectory)\" to the timeline of \(upstream.memberName)")
        let outcome = try await tool.run(["rewind", "-D", settings.dataDirectory,
                                          "--source-server", ConnectionInfo(pairs: source).text])
        logger.info("minipg rewind: \(outcome.lastLine)")
        if outcome.succeeded {
            return outcome.output.contains("no rewind required") ? .notNeeded : .rewound
        }
        return .impossible(reason: outcome.lastLine)
    }

    /// The control file's "Database cluster state" when it is not a clean shutdown ("in production" after
    /// a crash of a primary); nil after a clean one, or when controldata cannot say (the rewind then does).
    private func uncleanShutdownState() async -> String? {
        guard let state = await tool.controlData(dataDirectory: settings.dataDirectory)?["Database cluster state"],
              state != "shut down", state != "shut down in recovery" else { return nil }
        return state
    }

    /// What pg_rewind asks of a crashed target, as Patroni does it: start the server once as a standby with
    /// standby.signal and no primary_conninfo, so it replays its own WAL to the end without taking a write,
    /// wait until it answers and its replay position stops moving, then stop it fast (a clean shutdown).
    private func finishCrashRecovery(state: String) async throws {
        logger.info("the target was not shut down cleanly (control file: \"\(state)\"): crash recovery first, as a standby without an upstream")
        try writeConfiguration(parameters: parameters, standbyOf: nil, for: "prepare crash recovery")
        do {
            try ManagedConfiguration.replace(files.standbySignalFile, with: "")
        } catch {
            throw failure("cannot prepare crash recovery: \(error)")
        }
        let child = try await spawnServer()
        logger.info("crash recovery: the server (PID \(child.pid)) answers; waiting for its replay to stop moving")
        var replayed: String?
        let deadline = ContinuousClock.now + settings.startTimeout
        while true {
            guard child.isAlive else {
                throw failure("the server process (PID \(child.pid)) \(child.exitDescription ?? "exited") during crash "
                              + "recovery: \(lastLogLine() ?? "no message") (log: \"\(settings.logFile)\")")
            }
            let now = try? await BoundedSession.run(superuserConnection, timeout: settings.observeTimeout) {
                try BoundedSession.rows($0, "select pg_last_wal_replay_lsn() as lsn").first?["lsn"]
            }
            if let now, now == replayed { break }
            if ContinuousClock.now >= deadline {
                throw failure("crash recovery: the server (PID \(child.pid)) did not finish replaying within \(settings.startTimeout)")
            }
            replayed = now
            try? await Task.sleep(for: Self.startPollInterval)
        }
        logger.info("crash recovery: WAL replayed to \(replayed ?? "?"); stopping the server cleanly")
        try await stop(mode: .fast)
        let stateNow = await tool.controlData(dataDirectory: settings.dataDirectory)?["Database cluster state"] ?? "?"
        logger.info("crash recovery complete: the control file says \"\(stateNow)\"")
    }

    // MARK: Data directory

    public func initializeNewCluster() async throws {
        try requireStoppedAndEmpty("initialize a new cluster")
        logger.info("initializing a new cluster in \"\(settings.dataDirectory)\"")
        let passwordFile = try temporaryPasswordFile(settings.superuser.password)
        defer { if let passwordFile { unlink(passwordFile) } }
        var arguments = ["initdb", "-D", settings.dataDirectory, "-U", settings.superuser.username]
        if let passwordFile {
            arguments += ["--auth", "scram-sha-256", "--pwfile", passwordFile]
        } else {
            arguments += ["--auth", "trust"]
        }
        let outcome = try await tool.run(arguments)
        guard outcome.succeeded else { throw failure("initdb failed: \(outcome.lastLine)") }
        do {
            try await start(standbyOf: nil, parameters: [:])
            try await createReplicationRole()
            try await stop(mode: .fast)
        } catch {
            try? await stop(mode: .immediate)
            try? FileManager.default.removeItem(atPath: settings.dataDirectory)
            throw failure("bootstrap failed, data directory removed: \(error)")
        }
        systemIdentifier = nil
        logger.info("new cluster initialized")
    }

    /// What Patroni's post_bootstrap does: the role standbys stream and clone as.
    private func createReplicationRole() async throws {
        let replication = settings.replication
        guard replication.username != settings.superuser.username else { return }
        let password = replication.password.map { " PASSWORD \(Self.quotedLiteral($0))" } ?? ""
        let sql = "CREATE ROLE \(Self.quotedIdentifier(replication.username)) WITH REPLICATION LOGIN" + password
        _ = try await BoundedSession.run(superuserConnection, timeout: .seconds(30)) { try $0.simpleQuery(sql) }
        logger.info("created the replication role \"\(replication.username)\"")
    }

    public func cloneFrom(_ upstream: UpstreamConnection) async throws {
        try requireStoppedAndEmpty("clone \(upstream.memberName)")
        logger.info("cloning \(upstream.memberName) (\(upstream.host):\(upstream.port)) into \"\(settings.dataDirectory)\"")
        var environment: [String: String] = [:]
        environment["PGPASSWORD"] = settings.replication.password
        let outcome = try await tool.run(["basebackup", "-h", upstream.host, "-p", String(upstream.port),
                                          "-U", settings.replication.username, "-D", settings.dataDirectory,
                                          "-R", "-c", "fast"], environment: environment)
        guard outcome.succeeded else { throw failure("basebackup from \(upstream.memberName) failed: \(outcome.lastLine)") }
        systemIdentifier = nil
        self.upstream = upstream
        logger.info("clone of \(upstream.memberName) complete")
    }

    public func removeDataDirectory() async throws {
        guard runningServer() == nil else { throw failure("cannot remove the data directory of a running server") }
        logger.info("removing the data directory \"\(settings.dataDirectory)\"")
        do {
            if FileManager.default.fileExists(atPath: settings.dataDirectory) {
                try FileManager.default.removeItem(atPath: settings.dataDirectory)
            }
        } catch {
            throw failure("could not remove \"\(settings.dataDirectory)\": \(error)")
        }
        systemIdentifier = nil
        upstream = nil
    }

    // MARK: Helpers

    /// Writes postgresql.auto.conf (+ standby.signal) and remembers what it says.
    private func writeConfiguration(parameters: [String: String], standbyOf upstream: UpstreamConnection?,
                                    for action: String, keepingUnknownUpstream: Bool = false) throws {
        do {
            try files.write(parameters: parameters, standbyOf: upstream, keepingUnknownUpstream: keepingUnknownUpstream)
        } catch {
            throw failure("cannot \(action): \(error)")
        }
        self.upstream = upstream
        self.parameters = parameters
    }

    private func requireStoppedAndEmpty(_ action: String) throws {
        guard runningServer() == nil else { throw failure("cannot \(action): the server is running") }
        let contents = (try? FileManager.default.contentsOfDirectory(atPath: settings.dataDirectory)) ?? []
        guard contents.isEmpty else {
            throw failure("cannot \(action): \"\(settings.dataDirectory)\" exists but is not empty")
        }
    }

    /// initdb reads the superuser's password from a file; a private one, removed afterwards.
    private func temporaryPasswordFile(_ password: String?) throws -> String? {
        guard let password else { return nil }
        var template = Array((NSTemporaryDirectory() + "/minipg-pwfile-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.map { mkstemp($0) } ?? -1
        }
        guard descriptor >= 0 else { throw failure("could not create a password file: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        let bytes = Array((password + "\n").utf8)
        guard write(descriptor, bytes, bytes.count) == bytes.count else { throw failure("could not write the password file") }
        return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The server's last words: its log's last FATAL/PANIC message with the DETAIL and HINT lines after
    /// it (the reason it refused to start), else its last line.
    private func lastLogLine() -> String? {
        guard let handle = FileHandle(forReadingAtPath: settings.logFile) else { return nil }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        try? handle.seek(toOffset: size > 8192 ? size - 8192 : 0)
        let lines = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
        guard let fatal = lines.lastIndex(where: { $0.contains("FATAL:") || $0.contains("PANIC:") }) else {
            return lines.last.map(String.init)
        }
        let message = lines[fatal].range(of: "FATAL:") ?? lines[fatal].range(of: "PANIC:")
        var text = message.map { String(lines[fatal][$0.lowerBound...]) } ?? String(lines[fatal])
        for line in lines[(fatal + 1)...].prefix(while: { $0.hasPrefix("DETAIL:") || $0.hasPrefix("HINT:") }) {
            text += " " + line
        }
        return text
    }

    /// Logs an action's failure and returns it to throw.
    private func failure(_ message: String) -> PostgresControllerError {
        logger.error("\(message)")
        return PostgresControllerError(message)
    }

    static func quotedIdentifier(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
    static func quotedLiteral(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
}
