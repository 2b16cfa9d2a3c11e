// PGClientConnection: the client side of the v3 protocol over one blocking socket (ClientSocket):
// startup, authentication (trust, cleartext, md5, SCRAM-SHA-256), simple queries, and the COPY
// streams that replication uses (CopyOut for BASE_BACKUP, CopyBoth for START_REPLICATION).
//
// One thread uses a connection at a time; only `interrupt()` may come from another thread.
// The conversation, as a state machine over `State`:
//
//   connect ──startup+auth──► ready ──simpleQuery──► ready
//                              │
//                              └──startCopy──► copyOut / copyBoth ──server CopyDone──► copyFinished
//                                                                   ──finishCopy()──► ready
//
// A server ErrorResponse becomes a thrown PGError (SQLSTATE, message, detail, hint); the
// connection stays usable when the server followed it with ReadyForQuery (simple query), and is
// closed otherwise. A transport failure is a PGConnectionError and closes the connection.

import NIOCore

public final class PGClientConnection: @unchecked Sendable {
    /// What a COPY stream delivers to the reader.
    public enum CopyEvent: Sendable, Equatable {
        case data([UInt8])
        /// The server sent CopyDone: the stream is over (call finishCopy()).
        case done
        /// Nothing arrived within the timeout.
        case timedOut
    }

    /// Which stream a command opened.
    public enum CopyMode: Sendable, Equatable { case none, copyOut, copyBoth }

    enum State: Equatable { case ready, copyOut, copyBoth, copyFinished, closed }

    /// Largest message accepted from a server (the server side's own bound, MessageLimits).
    static let messageBytesMaximum = 1 << 30
    /// Bytes asked of the kernel per read.
    static let readChunkBytes = 256 * 1024

    private let socket: ClientSocket
    private var inbound = ByteBuffer()
    private var outbound = ByteBuffer()
    private(set) var state: State = .ready
    private var sentCopyDone = false
    let configuration: PGClientConfiguration

    /// ParameterStatus values the server reported (server_version, …).
    public private(set) var parameters: [String: String] = [:]
    /// From BackendKeyData.
    public private(set) var processID: Int32 = 0
    public private(set) var secretKey: Int32 = 0

    private init(socket: ClientSocket, configuration: PGClientConfiguration) {
        self.socket = socket
        self.configuration = configuration
    }

    /// Connects, authenticates and waits for the first ReadyForQuery.
    public static func connect(_ configuration: PGClientConfiguration) throws -> PGClientConnection {
        let socket = try ClientSocket.connect(host: configuration.host, port: configuration.port,
                                              timeout: configuration.connectTimeout)
        let connection = PGClientConnection(socket: socket, configuration: configuration)
        do {
            try connection.startup()
        } catch {
            connection.socket.close()
            connection.state = .closed
            throw connection.failure(error)
        }
        return connection
    }

    /// libpq's wording for a failed connection attempt: the peer, then the server's message.
    private func failure(_ error: any Error) -> any Error {
        if let error = error as? PGError {
            return PGConnectionError("connection to \(socket.peerDescription) failed: "
                                     + "\(error.severity.rawValue):  \(error.message)")
        }
        if let error = error as? PGConnectionError, !error.message.hasPrefix("connection to") {
            return PGConnectionError("connection to \(socket.peerDescription) failed: \(error.message)")
        }
        return error
    }

    private func startup() throws {
        send(.startup(StartupMessage(protocolMinorVersion: 0, parameters: configuration.startupParameters)))
        try flush()
        var scram: SCRAMClientExchange?
        while true {
            let message = try receive()
            switch message {
            case .authentication(.ok):
                continue
            case .authentication(.cleartextPassword):
                send(.authenticationResponse(.password(try requirePassword())))
                try flush()
            case .authentication(.md5Password(let salt)):
                let stored = MD5Password.makeStoredHash(password: try requirePassword(), user: configuration.user)
                send(.authenticationResponse(.password(MD5Password.expectedResponse(storedHash: stored, salt: salt))))
                try flush()
            case .authentication(.sasl(let mechanisms)):
                guard mechanisms.contains(SCRAM.mechanism) else {
                    throw PGConnectionError("none of the server's SASL authentication mechanisms are supported")
                }
                let exchange = SCRAMClientExchange(password: try requirePassword())
                send(.authenticationResponse(.saslInitial(mechanism: SCRAM.mechanism, data: exchange.clientFirstMessage)))
                try flush()
                scram = exchange
            case .authentication(.saslContinue(let data)):
                guard var exchange = scram else { throw PGConnectionError("unexpected SASL message") }
                let clientFinal = try exchange.receiveServerFirst(data)
                scram = exchange
                send(.authenticationResponse(AuthenticationResponse(bytes: clientFinal)))
                try flush()
            case .authentication(.saslFinal(let data)):
                guard let exchange = scram else { throw PGConnectionError("unexpected SASL message") }
                try exchange.receiveServerFinal(data)
            case .parameterStatus(let name, let value):
                parameters[name] = value
            case .backendKeyData(let processID, let secretKey):
                self.processID = processID
                self.secretKey = secretKey
            case .noticeResponse, .negotiateProtocolVersion:
                continue
            case .readyForQuery:
                return
            case .errorResponse(let error):
                throw error
            default:
                throw PGConnectionError("unexpected message from server during startup")
            }
        }
    }

    private func requirePassword() throws(PGConnectionError) -> String {
        guard let password = configuration.password else {
            throw PGConnectionError("fe_sendauth: no password supplied")
        }
        return password
    }

    // MARK: Simple query

    /// Runs one simple query (possibly several statements) and returns every result set.
    /// A server error is thrown after the server's ReadyForQuery, so the connection stays usable.
    public func simpleQuery(_ sql: String) throws -> [PGQueryResult] {
        let (results, mode) = try startCopy(sql)
        guard mode == .none else {
            fail()
            throw PGConnectionError("unexpected COPY response to a simple query")
        }
        return results
    }

    /// Sends a query that may open a COPY stream. Returns the result sets that came before the
    /// stream (BASE_BACKUP's start position) and which stream opened; `.none` means the command
    /// finished without one (then the results are all of them).
    public func startCopy(_ sql: String) throws -> (results: [PGQueryResult], mode: CopyMode) {
        precondition(state == .ready, "a query was sent while the connection is in state \(state)")
        send(.query(Query(sql: sql)))
        try flush()
        var collector = ResultCollector()
        var serverError: PGError?
        while true {
            let message = try receive()
            if collector.consume(message) { continue }
            switch message {
            case .errorResponse(let error):
                serverError = error
            case .copyResponse(let response):
                switch response.direction {
                case .copyOut: state = .copyOut
                case .copyBoth: state = .copyBoth
                case .copyIn:
                    send(.copyFail(CopyFail(reason: "COPY FROM STDIN is not supported by this client")))
                    try flush()
                    continue
                }
                sentCopyDone = false
                return (collector.results, state == .copyOut ? .copyOut : .copyBoth)
            case .readyForQuery:
                if let serverError { throw serverError }
                return (collector.results, .none)
            case .parameterStatus(let name, let value):
                parameters[name] = value
            case .noticeResponse:
                continue
            default:
                fail()
                throw PGConnectionError("unexpected message from server in reply to a query")
            }
        }
    }

    // MARK: COPY streams

    /// The next CopyData of the open stream, `.done` when the server ended it, or `.timedOut` (also
    /// when `wake`, a descriptor such as an eventfd, became readable first).
    public func readCopy(timeout: Duration?, wake: Int32? = nil) throws -> CopyEvent {
        guard state == .copyOut || state == .copyBoth else {
            preconditionFailure("readCopy outside a COPY stream (state \(state))")
        }
        while true {
            guard let message = try receive(timeout: timeout, wake: wake) else { return .timedOut }
            switch message {
            case .copyData(let bytes):
                return .data(bytes)
            case .copyDone:
                state = .copyFinished
                return .done
            case .parameterStatus(let name, let value):
                parameters[name] = value
            case .noticeResponse:
                continue
            case .errorResponse(let error):
                fail()
                throw error
            default:
                fail()
                throw PGConnectionError("unexpected message from server inside a COPY stream")
            }
        }
    }

    /// Sends one CopyData (CopyBoth: the standby's status updates and feedback). Each direction of
    /// CopyBoth ends on its own: after the server's CopyDone the client may still send until it
    /// sends its own CopyDone (a standby reports its last flush position then).
    public func sendCopyData(_ bytes: [UInt8]) throws {
        guard state == .copyBoth || (state == .copyFinished && !sentCopyDone) else {
            throw PGConnectionError("CopyData cannot be sent: the client's half of the COPY stream is closed (state \(state))")
        }
        send(.copyData(CopyData(bytes: bytes)))
        try flush()
    }

    /// Ends the client's half of a CopyBoth stream; the server answers with its CopyDone.
    public func sendCopyDone() throws {
        guard state == .copyBoth || state == .copyFinished, !sentCopyDone else { return }
        sentCopyDone = true
        send(.copyDone)
        try flush()
    }

    /// After the server's CopyDone: reads what follows up to ReadyForQuery (the end position of
    /// BASE_BACKUP, the next timeline after START_REPLICATION) and returns those result sets.
    public func finishCopy() throws -> [PGQueryResult] {
        precondition(state == .copyFinished, "finishCopy before the server ended the stream (state \(state))")
        try sendCopyDone()
        state = .ready
        var collector = ResultCollector()
        var serverError: PGError?
        while true {
            let message = try receive()
            if collector.consume(message) { continue }
            switch message {
            case .errorResponse(let error):
                serverError = error
            case .parameterStatus, .noticeResponse:
                continue
            case .readyForQuery:
                if let serverError { throw serverError }
                return collector.results
            default:
                fail()
                throw PGConnectionError("unexpected message from server after a COPY stream")
            }
        }
    }

    // MARK: Ending

    /// Sends Terminate (when the protocol state allows it) and closes the socket.
    public func close() {
        guard state != .closed else { return }
        if state == .ready {
            send(.terminate)
            try? flush()
        }
        fail()
    }

    /// Wakes the thread using this connection (from any thread); its current call throws.
    public func interrupt() {
        socket.interrupt()
    }

    deinit {
        socket.close()
    }

    // MARK: Framing

    private func fail() {
        state = .closed
        socket.close()
    }

    private func send(_ message: FrontendMessage) {
        message.encode(into: &outbound)
    }

    private func flush() throws(PGConnectionError) {
        guard outbound.readableBytes > 0 else { return }
        defer { outbound.clear() }
        do {
            try outbound.withUnsafeReadableBytes { bytes throws(PGConnectionError) in try socket.write(bytes) }
        } catch {
            fail()
            throw error
        }
    }

    private func receive() throws -> BackendMessage {
        guard let message = try receive(timeout: nil) else {
            preconditionFailure("a read without timeout returned no message")
        }
        return message
    }

    /// The next whole message, or nil if none arrived within `timeout` (nil: wait forever) or `wake`
    /// became readable.
    private func receive(timeout: Duration?, wake: Int32? = nil) throws -> BackendMessage? {
        let deadline = timeout.map { ContinuousClock.now + $0 }
        while true {
            if let length = inbound.getInteger(at: inbound.readerIndex + 1, as: Int32.self),
               length < 4 || Int(length) > Self.messageBytesMaximum {
                fail()
                throw PGConnectionError("invalid message length \(length) from server")
            }
            if let message = try BackendMessage.decode(from: &inbound) {
                if inbound.readerIndex > Self.readChunkBytes { inbound.discardReadBytes() }
                return message
            }
            guard state != .closed else { throw PGConnectionError("connection is closed") }
            do {
                if let deadline {
                    let remaining = max(deadline - ContinuousClock.now, .zero)
                    if try !socket.waitReadable(timeout: remaining, wake: wake) { return nil }
                }
                inbound.reserveCapacity(minimumWritableBytes: Self.readChunkBytes)
                _ = try inbound.writeWithUnsafeMutableBytes(minimumWritableBytes: Self.readChunkBytes) {
                    (buffer) throws(PGConnectionError) -> Int in try socket.read(into: buffer)
                }
            } catch {
                fail()
                throw error
            }
        }
    }
}

/// Gathers RowDescription / DataRow / CommandComplete into result sets.
private struct ResultCollector {
    var results: [PGQueryResult] = []
    private var current = PGQueryResult()

    /// True when `message` belonged to a result set.
    mutating func consume(_ message: BackendMessage) -> Bool {
        switch message {
        case .rowDescription(let fields):
            current.columns = fields.map { PGQueryResult.Column(name: $0.name, typeOID: $0.typeOID) }
        case .dataRow(let values):
            current.rows.append(values)
        case .commandComplete(let tag):
            current.commandTag = tag
            results.append(current)
            current = PGQueryResult()
        case .emptyQueryResponse:
            current = PGQueryResult()
        default:
            return false
        }
        return true
    }
}
