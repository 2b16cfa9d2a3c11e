// ConnectionStateMachine: the life of one client connection, as a pure value type. It does no
// I/O: the worker (ConnectionWorker) feeds it events and carries out the Action it returns.
//
//   awaitingStartup ──SSLRequest/GSSENCRequest──▶ awaitingStartup (answer 'N')
//        │ StartupMessage                      └──CancelRequest──▶ closed (after cancelling)
//        ▼
//   awaitingAuthenticationMethod ──trust──────────────────────────┐
//        │ md5 / scram                                             │
//        ▼                                                         ▼
//   awaitingPassword (md5) | awaitingSASLInitial ─▶ awaitingSASLFinal ─▶ startingSession
//                                                                  │ backend made, ReadyForQuery
//                                                                  ▼
//               ┌──── idle ◀──Sync── extendedQuery ──error──▶ skippingUntilSync ──Sync──┐
//               │      ▲ └─Parse/Bind/Describe/Execute/Close─▶┘                           │
//               │      └──────────────────────────────────────────────────────────────────┘
//               └─ copyIn (while COPY FROM STDIN or CopyBoth reads the client's data) ─▶ back where it was
//   any state ──Terminate / EOF / FATAL error / administrator shutdown──▶ closed
//
// Every transition is explicit; an event that makes no sense in a state is a protocol violation
// (FATAL 08P01), never a trap.

import NIOCore

struct ConnectionStateMachine {
    enum State {
        case awaitingStartup
        case awaitingAuthenticationMethod(StartupInfo)
        case awaitingPassword(StartupInfo, storedHash: String?, salt: [UInt8])
        case awaitingSASLInitial(StartupInfo, SCRAMServerExchange)
        case awaitingSASLFinal(StartupInfo, SCRAMServerExchange)
        case startingSession(StartupInfo)
        case session(SessionPhase)
        case copyIn(resumeIn: SessionPhase)
        case closed
    }

    /// Where a running session is in the query protocols.
    enum SessionPhase: Equatable {
        case idle                 // between queries (after ReadyForQuery)
        case extendedQuery        // extended-protocol messages since the last Sync, no error yet
        case skippingUntilSync    // an extended-protocol message failed: discard until Sync
    }

    enum Action: Equatable {
        /// Nothing to do (an ignored message).
        case none
        /// Send 'N': SSL/GSS encryption is not offered.
        case refuseEncryption
        /// Send these (buffered; flushed when `flush`).
        case send([BackendMessage], flush: Bool)
        /// Ask the factory how this client authenticates, after sending `preamble`.
        case decideAuthentication(StartupInfo, preamble: [BackendMessage])
        /// Authentication succeeded: send `preamble` (SASLFinal, if any), AuthenticationOk, the
        /// ParameterStatus messages and BackendKeyData, make the backend, then feed
        /// backendStarted / backendFailed.
        case startSession(StartupInfo, preamble: [BackendMessage])
        case cancelAndClose(CancelRequest)
        /// Send this FATAL error, then close (terminating the backend if there is one).
        case closeWithError(PGError)
        /// Close without a word (EOF during authentication, Terminate).
        case close
        // The session's work, carried out by the worker on the backend:
        case simpleQuery(String)
        case parse(Parse)
        case bind(Bind)
        case describe(Describe)
        case execute(Execute)
        case closeStatementOrPortal(Close)
        case sync
        case flush
        /// Hand this to the COPY FROM STDIN waiting in readCopyMessage().
        case deliverCopy(CopyMessage)
    }

    private(set) var state: State = .awaitingStartup
    private let remoteAddress: SocketAddress?
    private let connectionLimitExceeded: Bool
    private let random: (Int) -> [UInt8]

    /// `random` gives n random bytes (salts, nonces); injected so that tests are deterministic.
    init(remoteAddress: SocketAddress?, connectionLimitExceeded: Bool,
         random: @escaping (Int) -> [UInt8] = randomBytes) {
        self.remoteAddress = remoteAddress
        self.connectionLimitExceeded = connectionLimitExceeded
        self.random = random
    }

    var isClosed: Bool { if case .closed = state { true } else { false } }
    var isInSession: Bool {
        switch state {
        case .session, .copyIn: true
        default: false
        }
    }

    // MARK: events

    mutating func received(_ message: FrontendMessage) -> Action {
        switch state {
        case .awaitingStartup:
            return receivedInStartup(message)
        case .awaitingPassword(let startup, let storedHash, let salt):
            guard case .authenticationResponse(let response) = message else { return unexpected(message) }
            let password: String
            do { password = try response.password() } catch { return fail(error) }
            guard MD5Password.verify(response: password, storedHash: storedHash, salt: salt) else {
                return fail(.passwordAuthenticationFailed(user: startup.user))
            }
            state = .startingSession(startup)
            return .startSession(startup, preamble: [])
        case .awaitingSASLInitial(let startup, var exchange):
            guard case .authenticationResponse(let response) = message else { return unexpected(message) }
            do {
                let initial = try response.saslInitialResponse()
                let serverFirst = try exchange.receiveClientFirst(mechanism: initial.mechanism, data: initial.data)
                state = .awaitingSASLFinal(startup, exchange)
                return .send([.authentication(.saslContinue(serverFirst))], flush: true)
            } catch {
                return fail(error)
            }
        case .awaitingSASLFinal(let startup, var exchange):
            guard case .authenticationResponse(let response) = message else { return unexpected(message) }
            do {
                let serverFinal = try exchange.receiveClientFinal(data: response.bytes)
                state = .startingSession(startup)
                return .startSession(startup, preamble: [.authentication(.saslFinal(serverFinal))])
            } catch {
                return fail(error)
            }
        case .awaitingAuthenticationMethod, .startingSession:
            // The client may not speak before the server asked (libpq never does).
            return unexpected(message)
        case .session(let phase):
            return receivedInSession(message, phase: phase)
        case .copyIn(let resumeIn):
            return receivedInCopy(message, resumeIn: resumeIn)
        case .closed:
            return .none
        }
    }

    mutating func authenticationMethodDecided(_ result: Result<AuthenticationMethod, PGError>) -> Action {
        guard case .awaitingAuthenticationMethod(let startup) = state else {
            return fail(.protocolViolation("authentication decided twice"))
        }
        switch result {
        case .failure(let error):
            return fail(PGError(severity: .fatal, sqlState: error.sqlState, message: error.message,
                                detail: error.detail, hint: error.hint))
        case .success(.reject):
            return fail(PGError(severity: .fatal, sqlState: "28000", message:
                "pg_hba.conf rejects connection for host \"\(startup.remoteHost)\", user \"\(startup.user)\", database \"\(startup.database)\", no encryption"))
        case .success(.trust):
            state = .startingSession(startup)
            return .startSession(startup, preamble: [])
        case .success(.md5(let storedHash)):
            let salt = random(MD5Password.saltByteCount)
            state = .awaitingPassword(startup, storedHash: storedHash, salt: salt)
            return .send([.authentication(.md5Password(salt: salt))], flush: true)
        case .success(.scramSHA256(let verifier)):
            let exchange = SCRAMServerExchange(user: startup.user, verifierText: verifier,
                                               serverNonce: base64Encode(random(SCRAMServerExchange.serverNonceByteCount)))
            state = .awaitingSASLInitial(startup, exchange)
            return .send([.authentication(.sasl(mechanisms: [SCRAM.mechanism]))], flush: true)
        }
    }

    /// The backend exists: the session starts idle (the worker sends ReadyForQuery).
    mutating func backendStarted() {
        if case .startingSession = state { state = .session(.idle) }
    }

    /// makeBackend threw: send it (as FATAL) and close.
    mutating func backendFailed(_ error: PGError) -> Action {
        var fatal = error
        fatal.severity = .fatal
        return fail(fatal)
    }

    /// A Parse/Bind/Describe/Execute/Close failed (its ErrorResponse was sent): skip until Sync.
    mutating func extendedQueryFailed() {
        switch state {
        case .session: state = .session(.skippingUntilSync)
        case .copyIn: state = .copyIn(resumeIn: .skippingUntilSync)
        default: break
        }
    }

    /// The backend answered CopyInResponse: copy messages now go to it.
    mutating func copyInStarted() {
        if case .session(let phase) = state { state = .copyIn(resumeIn: phase) }
    }

    /// The COPY ended (CopyDone or CopyFail delivered, or the backend stopped reading).
    mutating func copyInEnded() {
        if case .copyIn(let phase) = state { state = .session(phase) }
    }

    /// A backend error of severity FATAL/PANIC was sent: the connection ends.
    mutating func fatalErrorSent() -> Action {
        state = .closed
        return .close
    }

    /// The socket closed (EOF, reset) or the decoder failed.
    mutating func connectionLost() -> Action {
        state = .closed
        return .close
    }

    mutating func decodingFailed(_ error: PGError) -> Action { fail(error) }

    /// Fast shutdown of this session.
    mutating func administratorShutdown() -> Action { fail(.administratorShutdown) }

    /// Startup or authentication took longer than authentication_timeout.
    mutating func authenticationTimedOut() -> Action {
        // PostgreSQL closes quietly here (the client may be half-way through anything).
        state = .closed
        return .close
    }

    // MARK: per state

    private mutating func receivedInStartup(_ message: FrontendMessage) -> Action {
        switch message {
        case .sslRequest, .gssEncryptionRequest:
            return .refuseEncryption
        case .cancelRequest(let request):
            state = .closed
            return .cancelAndClose(request)
        case .startup(let startup):
            return receivedStartup(startup)
        default:
            return unexpected(message)
        }
    }

    private mutating func receivedStartup(_ message: StartupMessage) -> Action {
        var info = StartupInfo(user: "", database: "", remoteAddress: remoteAddress)
        var user: String?
        var database: String?
        var unrecognizedOptions: [String] = []
        for (name, value) in message.parameters {
            switch name {
            case "user": user = value
            case "database": database = value
            case "application_name": info.applicationName = value
            case "replication": info.replication = value
            case let option where option.hasPrefix("_pq_."): unrecognizedOptions.append(option)
            default: info.options[name] = value
            }
        }
        guard let user, !user.isEmpty else {
            return fail(PGError(severity: .fatal, sqlState: "28000",
                                message: "no PostgreSQL user name specified in startup packet"))
        }
        info.user = user
        info.database = (database?.isEmpty ?? true) ? user : database ?? user
        if connectionLimitExceeded { return fail(.tooManyConnections) }
        var preamble: [BackendMessage] = []
        if message.protocolMinorVersion > StartupPacketCode.newestMinorVersion || !unrecognizedOptions.isEmpty {
            preamble.append(.negotiateProtocolVersion(NegotiateProtocolVersion(
                newestMinorVersion: StartupPacketCode.newestMinorVersion, unrecognizedOptions: unrecognizedOptions)))
        }
        state = .awaitingAuthenticationMethod(info)
        return .decideAuthentication(info, preamble: preamble)
    }

    private mutating func receivedInSession(_ message: FrontendMessage, phase: SessionPhase) -> Action {
        if phase == .skippingUntilSync {
            switch message {
            case .sync:
                state = .session(.idle)
                return .sync
            case .terminate:
                state = .closed
                return .close
            default:
                return .none
            }
        }
        switch message {
        case .query(let query):
            state = .session(.idle)
            return .simpleQuery(query.sql)
        case .parse(let parse):
            state = .session(.extendedQuery)
            return .parse(parse)
        case .bind(let bind):
            state = .session(.extendedQuery)
            return .bind(bind)
        case .describe(let describe):
            state = .session(.extendedQuery)
            return .describe(describe)
        case .execute(let execute):
            state = .session(.extendedQuery)
            return .execute(execute)
        case .close(let close):
            state = .session(.extendedQuery)
            return .closeStatementOrPortal(close)
        case .sync:
            state = .session(.idle)
            return .sync
        case .flush:
            return .flush
        case .copyData, .copyDone, .copyFail:
            // Outside COPY these are ignored, as PostgreSQL does, so a client can recover from an
            // error that ended the COPY early.
            return .none
        case .terminate:
            state = .closed
            return .close
        case .sslRequest, .gssEncryptionRequest, .startup, .cancelRequest, .authenticationResponse:
            return unexpected(message)
        }
    }

    private mutating func receivedInCopy(_ message: FrontendMessage, resumeIn: SessionPhase) -> Action {
        switch message {
        case .copyData(let data):
            return .deliverCopy(.data(data.bytes))
        case .copyDone:
            state = .session(resumeIn)
            return .deliverCopy(.done)
        case .copyFail(let failure):
            state = .session(resumeIn)
            return .deliverCopy(.fail(failure.reason))
        case .flush, .sync:
            // PostgreSQL ignores Flush and Sync during COPY FROM STDIN.
            return .none
        default:
            return unexpected(message)
        }
    }

    // MARK: helpers

    private mutating func fail(_ error: PGError) -> Action {
        state = .closed
        return .closeWithError(error)
    }

    private mutating func unexpected(_ message: FrontendMessage) -> Action {
        fail(.protocolViolation("unexpected message \(message.name) in state \(stateName)"))
    }

    var stateName: String {
        switch state {
        case .awaitingStartup: "startup"
        case .awaitingAuthenticationMethod, .awaitingPassword, .awaitingSASLInitial, .awaitingSASLFinal: "authentication"
        case .startingSession: "session start"
        case .session(.idle): "idle"
        case .session(.extendedQuery): "extended query"
        case .session(.skippingUntilSync): "skipping until Sync"
        case .copyIn: "COPY"
        case .closed: "closed"
        }
    }
}
