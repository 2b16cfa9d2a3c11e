// ConnectionWorker: one client connection's dedicated thread. It takes events from the
// InboundQueue in order, feeds them to the ConnectionStateMachine, and carries out the actions:
// authentication through the BackendFactory, then every query-protocol message through the
// QueryBackend, synchronously, so a statement that blocks (lock wait, WAL flush) blocks only this
// connection and never an event loop.
//
// Invariants: the state machine, the backend and the output are touched only by this thread;
// backend.terminate() is called exactly once if a backend was made; the sink is closed when the
// thread ends.

import Foundation
import Logging
import NIOCore
import Synchronization

final class ConnectionWorker: @unchecked Sendable {
    /// PostgreSQL's authentication_timeout default: startup plus authentication must fit in it.
    static let authenticationTimeout: TimeInterval = 60
    /// Stack of each worker thread (the SQL layer recurses over expression trees).
    static let workerStackBytes = 8 * 1024 * 1024

    let queue = InboundQueue()
    let processID: Int32
    let secretKey: Int32
    let sink: ConnectionSink
    private let factory: BackendFactory
    private var logger: Logger
    let output: OutboundBuffer
    var machine: ConnectionStateMachine
    var backend: QueryBackend?
    private var backendTerminated = false
    /// Set while a COPY FROM STDIN reads: a closing error to send once the backend returns.
    var pendingCloseError: PGError?
    /// Set by error(_:) when the backend sent a FATAL or PANIC error.
    var fatalErrorSent = false
    /// True while a statement runs (simpleQuery, execute, sync): only then is there something to
    /// cancel. Read from other threads (shutdown, a failed write).
    private let runningStatement = Atomic<Bool>(false)

    /// `random` gives n random bytes (salts, nonces); tests inject a fixed one.
    init(sink: ConnectionSink, factory: BackendFactory, remoteAddress: SocketAddress?, processID: Int32,
         connectionLimitExceeded: Bool, logger: Logger, random: @escaping (Int) -> [UInt8] = randomBytes) {
        self.sink = sink
        self.factory = factory
        self.processID = processID
        self.secretKey = Int32.random(in: .min ... .max)
        self.output = OutboundBuffer(sink: sink)
        self.machine = ConnectionStateMachine(remoteAddress: remoteAddress,
                                              connectionLimitExceeded: connectionLimitExceeded, random: random)
        self.logger = logger
        self.logger[metadataKey: "pid"] = "\(processID)"
        // The client is gone: cancel the statement still producing output for it.
        output.onDisconnect = { [unowned self] in cancelRunningStatement() }
    }

    /// Cancels the statement this connection is running, if any (fast shutdown, client gone).
    func cancelRunningStatement() {
        guard runningStatement.load(ordering: .acquiring) else { return }
        factory.cancel(processID: processID, secretKey: secretKey)
    }

    /// Runs `body` (a backend call that may run a statement) with `runningStatement` set.
    private func whileRunningStatement<T, Failure: Error>(_ body: () throws(Failure) -> T) throws(Failure) -> T {
        runningStatement.store(true, ordering: .releasing)
        defer { runningStatement.store(false, ordering: .releasing) }
        return try body()
    }

    /// Starts the thread; `onFinish` runs on it after the connection is closed.
    func start(onFinish: @escaping @Sendable () -> Void) {
        let thread = Thread { [self] in
            run()
            onFinish()
        }
        thread.name = "minipg backend \(processID)"
        thread.stackSize = Self.workerStackBytes
        thread.start()
    }

    /// The worker's loop; returns when the connection is closed.
    func run() {
        let authenticationDeadline = Date(timeIntervalSinceNow: Self.authenticationTimeout)
        while !machine.isClosed {
            let (event, resumeReading) = queue.pop(deadline: machine.isInSession ? nil : authenticationDeadline)
            if resumeReading { sink.resumeReading() }
            guard let event else {
                logger.info("authentication timed out")
                perform(machine.authenticationTimedOut())
                continue
            }
            handle(event)
        }
        finish()
    }

    private func handle(_ event: WorkerEvent) {
        switch event {
        case .message(let message): perform(machine.received(message))
        case .decodingFailed(let error): perform(machine.decodingFailed(error))
        case .connectionLost: perform(machine.connectionLost())
        case .administratorShutdown: perform(machine.administratorShutdown())
        }
    }

    // MARK: actions

    private func perform(_ action: ConnectionStateMachine.Action) {
        switch action {
        case .none, .deliverCopy:
            // A copy message with no COPY reading it cannot happen (the machine is in copyIn only
            // while readCopyMessage runs); nothing to do either way.
            break
        case .refuseEncryption:
            output.appendRaw([UInt8(ascii: "N")])
            output.flush()
        case .send(let messages, let flush):
            output.append(messages)
            if flush { output.flush() }
        case .decideAuthentication(let startup, let preamble):
            output.append(preamble)
            logger[metadataKey: "user"] = "\(startup.user)"
            perform(machine.authenticationMethodDecided(factory.authenticationMethod(for: startup)))
        case .startSession(let startup, let preamble):
            startSession(startup, preamble: preamble)
        case .cancelAndClose(let request):
            factory.cancel(processID: request.processID, secretKey: request.secretKey)
        case .closeWithError(let error):
            logger.info("closing connection: \(error.message)")
            output.append(.errorResponse(error))
            output.flush(waitUntilWritten: true)
        case .close:
            output.flush(waitUntilWritten: true)
        case .simpleQuery(let sql):
            guard let backend = requireBackend() else { return }
            whileRunningStatement { backend.simpleQuery(sql, self) }
            afterBackendCall { self.output.append(.readyForQuery(backend.transactionState)) }
            output.flush()
        case .parse(let parse):
            extendedStep { backend throws(PGError) in
                try backend.parse(name: parse.statement, query: parse.query, parameterTypes: parse.parameterTypes)
                output.append(.parseComplete)
            }
        case .bind(let bind):
            extendedStep { backend throws(PGError) in
                try backend.bind(portal: bind.portal, statement: bind.statement, parameterFormats: bind.parameterFormats,
                                 parameters: bind.parameters, resultFormats: bind.resultFormats)
                output.append(.bindComplete)
            }
        case .describe(let describe):
            extendedStep { backend throws(PGError) in
                switch describe.target {
                case .statement(let name):
                    let (parameterTypes, fields) = try backend.describeStatement(name)
                    output.append(.parameterDescription(parameterTypes))
                    output.append(fields.map { .rowDescription($0) } ?? .noData)
                case .portal(let name):
                    output.append(try backend.describePortal(name).map { .rowDescription($0) } ?? .noData)
                }
            }
        case .execute(let execute):
            extendedStep { backend throws(PGError) in
                let completed = try whileRunningStatement { () throws(PGError) in
                    try backend.execute(portal: execute.portal, maxRows: execute.maxRows, self)
                }
                if !completed { output.append(.portalSuspended) }
            }
            // The end of an Execute is sent at once, unless the client already sent more (a
            // pipelined Sync or the next statement): then one write carries both.
            if !queue.hasPendingEvents { output.flush() }
        case .closeStatementOrPortal(let close):
            extendedStep { backend in
                switch close.target {
                case .statement(let name): backend.close(statement: name)
                case .portal(let name): backend.close(portal: name)
                }
                output.append(.closeComplete)
            }
        case .sync:
            guard let backend = requireBackend() else { return }
            let state = whileRunningStatement { backend.sync() }
            afterBackendCall { self.output.append(.readyForQuery(state)) }
            output.flush()
        case .flush:
            output.flush()
        }
    }

    private func startSession(_ startup: StartupInfo, preamble: [BackendMessage]) {
        output.append(preamble)
        output.append(.authentication(.ok))
        for (name, value) in factory.parameterStatus(for: startup) {
            output.append(.parameterStatus(name: name, value: value))
        }
        output.append(.backendKeyData(processID: processID, secretKey: secretKey))
        do {
            let backend = try factory.makeBackend(for: startup, processID: processID, secretKey: secretKey)
            self.backend = backend
            machine.backendStarted()
            logger.debug("session started", metadata: ["database": "\(startup.database)"])
            output.append(.readyForQuery(backend.transactionState))
            output.flush()
        } catch {
            perform(machine.backendFailed(error))
        }
    }

    /// Runs one extended-protocol step; an error is sent and the rest is skipped until Sync.
    private func extendedStep(_ body: (QueryBackend) throws(PGError) -> Void) {
        guard let backend = requireBackend() else { return }
        do {
            try body(backend)
        } catch {
            output.append(.errorResponse(error))
            if error.severity.endsConnection {
                perform(machine.fatalErrorSent())
                return
            }
            machine.extendedQueryFailed()
        }
        afterBackendCall {}
    }

    /// After the backend ran: end a COPY it left, and close if it sent FATAL, a COPY broke the
    /// protocol, or the socket is gone; otherwise `then` (unless a shutdown is about to end it).
    private func afterBackendCall(then: () -> Void) {
        machine.copyInEnded()
        if let error = pendingCloseError {
            pendingCloseError = nil
            output.append(.errorResponse(error))
            output.flush(waitUntilWritten: true)
            return
        }
        if machine.isClosed { return }
        if fatalErrorSent {
            perform(machine.fatalErrorSent())
            return
        }
        if !output.isConnected {
            perform(machine.connectionLost())
            return
        }
        // A fast shutdown is waiting: its FATAL comes next, instead of ReadyForQuery.
        if queue.hasUrgentEvent { return }
        then()
    }

    private func requireBackend() -> QueryBackend? {
        if let backend { return backend }
        perform(.closeWithError(.protocolViolation("no session")))
        return nil
    }

    private func finish() {
        output.flush(waitUntilWritten: true)
        if let backend, !backendTerminated {
            backendTerminated = true
            backend.terminate()
        }
        sink.close()
        logger.debug("connection closed")
    }
}
