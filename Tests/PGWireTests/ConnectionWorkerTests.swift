// The connection worker driven without sockets: events are queued up front, run() processes them
// on the test's thread, and the bytes it wrote are decoded and compared.

import Logging
import NIOCore
import Testing
@testable import PGWire

@Suite struct ConnectionWorkerTests {
    static let startup = FrontendMessage.startup(StartupMessage(protocolMinorVersion: 0, parameters: [
        ("user", "alice"), ("database", "db"), ("application_name", "psql")]))
    /// "random" bytes: 1, 2, 3, … (so the md5 salt is [1, 2, 3, 4]).
    static func counting(_ count: Int) -> [UInt8] { (1...count).map { UInt8($0) } }

    static func run(_ events: [WorkerEvent], factory: TestFactory = TestFactory(),
                    connectionLimitExceeded: Bool = false) -> (RecordingSink, TestFactory) {
        let sink = RecordingSink()
        let worker = ConnectionWorker(sink: sink, factory: factory, remoteAddress: nil, processID: 4242,
                                      connectionLimitExceeded: connectionLimitExceeded,
                                      logger: quietLogger, random: counting)
        for event in events { _ = worker.queue.push(event) }
        worker.run()
        return (sink, factory)
    }

    static let quietLogger: Logger = {
        var logger = Logger(label: "PGWireTests")
        logger.logLevel = .warning
        return logger
    }()

    static func messages(_ list: [FrontendMessage]) -> [WorkerEvent] { list.map { .message($0) } }

    /// Drops the session preamble (AuthenticationOk … first ReadyForQuery).
    static func afterFirstReady(_ messages: [BackendMessage]) -> [BackendMessage] {
        guard let index = messages.firstIndex(where: { if case .readyForQuery = $0 { true } else { false } }) else { return [] }
        return Array(messages[(index + 1)...])
    }

    static let selectOneResult: [BackendMessage] = [
        .rowDescription([TestBackend.int4Field]), .dataRow([Array("1".utf8)]), .commandComplete("SELECT 1"),
    ]

    @Test func trustStartupThenSimpleQuery() throws {
        let (sink, factory) = Self.run(Self.messages([.sslRequest, Self.startup, .query(Query(sql: "select 1")), .terminate]))
        #expect(sink.bytes.first == UInt8(ascii: "N"))
        let messages = try sink.messages(skipSSLAnswer: true)
        #expect(messages.first == .authentication(.ok))
        #expect(messages[1] == .parameterStatus(name: "application_name", value: "psql"))
        #expect(messages.contains(.parameterStatus(name: "server_version", value: "15.0")))
        #expect(messages.contains(.backendKeyData(processID: 4242, secretKey: messages.compactMap {
            if case .backendKeyData(_, let key) = $0 { key } else { nil } }.first ?? 0)))
        #expect(Self.afterFirstReady(messages) == Self.selectOneResult + [.readyForQuery(.idle)])
        #expect(sink.isClosed)
        #expect(factory.events.all == ["simpleQuery select 1", "terminate"])
    }

    @Test func emptyQueryAndErrorsInSimpleQuery() throws {
        let (sink, _) = Self.run(Self.messages([Self.startup, .query(Query(sql: "")), .query(Query(sql: "begin")),
                                                .query(Query(sql: "oops")), .terminate]))
        let after = Self.afterFirstReady(try sink.messages())
        #expect(after == [
            .emptyQueryResponse, .readyForQuery(.idle),
            .commandComplete("BEGIN"), .readyForQuery(.inTransaction),
            .errorResponse(TestBackend.syntaxError("oops")), .readyForQuery(.failed),
        ])
    }

    @Test func extendedQueryPipeline() throws {
        let (sink, _) = Self.run(Self.messages([
            Self.startup,
            .parse(Parse(statement: "s", query: "select 1", parameterTypes: [])),
            .bind(Bind(portal: "", statement: "s", parameterFormats: [], parameters: [], resultFormats: [])),
            .describe(Describe(target: .portal(""))),
            .execute(Execute(portal: "", maxRows: 0)),
            .describe(Describe(target: .statement("s"))),
            .close(Close(target: .statement("s"))),
            .sync, .terminate,
        ]))
        #expect(Self.afterFirstReady(try sink.messages()) == [
            .parseComplete, .bindComplete, .rowDescription([TestBackend.int4Field]),
            .dataRow([Array("1".utf8)]), .commandComplete("SELECT 1"),
            .parameterDescription([]), .rowDescription([TestBackend.int4Field]),
            .closeComplete, .readyForQuery(.idle),
        ])
    }

    @Test func errorSkipsUntilSync() throws {
        let (sink, factory) = Self.run(Self.messages([
            Self.startup,
            .parse(Parse(statement: "", query: "bad", parameterTypes: [])),
            .bind(Bind(portal: "", statement: "", parameterFormats: [], parameters: [], resultFormats: [])),
            .execute(Execute(portal: "", maxRows: 0)),
            .query(Query(sql: "select 1")),
            .sync,
            .parse(Parse(statement: "", query: "select 1", parameterTypes: [])),
            .sync, .terminate,
        ]))
        #expect(Self.afterFirstReady(try sink.messages()) == [
            .errorResponse(TestBackend.syntaxError("bad")), .readyForQuery(.idle),
            .parseComplete, .readyForQuery(.idle),
        ])
        #expect(factory.events.all == ["parse ", "sync", "parse ", "sync", "terminate"])
    }

    @Test func executeWithMaxRowsSuspends() throws {
        let (sink, _) = Self.run(Self.messages([
            Self.startup,
            .parse(Parse(statement: "", query: "select generate_series", parameterTypes: [])),
            .bind(Bind(portal: "c", statement: "", parameterFormats: [], parameters: [], resultFormats: [])),
            .execute(Execute(portal: "c", maxRows: 3)),
            .execute(Execute(portal: "c", maxRows: 3)),
            .sync, .terminate,
        ]))
        let rows: [BackendMessage] = (1...5).map { .dataRow([Array(String($0).utf8)]) }
        #expect(Self.afterFirstReady(try sink.messages()) ==
            [.parseComplete, .bindComplete] + rows[0..<3] + [.portalSuspended] + rows[3..<5]
            + [.commandComplete("SELECT 5"), .readyForQuery(.idle)])
    }

    @Test func copyFromStdin() throws {
        let (sink, _) = Self.run(Self.messages([
            Self.startup, .query(Query(sql: "copy t from stdin")),
            .copyData(CopyData(bytes: Array("1\n2\n".utf8))), .flush, .copyData(CopyData(bytes: Array("3\n".utf8))),
            .copyDone, .copyData(CopyData(bytes: [1])), .query(Query(sql: "select 1")), .terminate,
        ]))
        #expect(Self.afterFirstReady(try sink.messages()) == [
            .copyResponse(CopyResponse(direction: .copyIn, format: 0, columnFormats: [0])),
            .commandComplete("COPY 3"), .readyForQuery(.idle),
        ] + Self.selectOneResult + [.readyForQuery(.idle)])
    }

    @Test func copyFailReachesTheBackend() throws {
        let (sink, _) = Self.run(Self.messages([
            Self.startup, .query(Query(sql: "copy t from stdin")), .copyFail(CopyFail(reason: "no thanks")), .terminate,
        ]))
        #expect(Self.afterFirstReady(try sink.messages()).dropFirst() == [
            .errorResponse(PGError(sqlState: "57014", message: "COPY from stdin failed: no thanks")), .readyForQuery(.idle),
        ])
    }

    @Test func otherMessageDuringCopyIsProtocolViolation() throws {
        let (sink, factory) = Self.run(Self.messages([
            Self.startup, .query(Query(sql: "copy t from stdin")), .query(Query(sql: "select 1")),
        ]))
        let after = Self.afterFirstReady(try sink.messages())
        #expect(after.last == .errorResponse(.protocolViolation("unexpected message Query in state COPY")))
        #expect(!after.contains(.readyForQuery(.idle)))
        #expect(sink.isClosed)
        #expect(factory.events.all.last == "terminate")
    }

    @Test func copyToStdout() throws {
        let (sink, _) = Self.run(Self.messages([Self.startup, .query(Query(sql: "copy t to stdout")), .terminate]))
        #expect(Self.afterFirstReady(try sink.messages()) == [
            .copyResponse(CopyResponse(direction: .copyOut, format: 0, columnFormats: [0])),
            .copyData(Array("1\n".utf8)), .copyDone, .commandComplete("COPY 1"), .readyForQuery(.idle),
        ])
    }

    @Test func fatalErrorFromBackendCloses() throws {
        let (sink, factory) = Self.run(Self.messages([Self.startup, .query(Query(sql: "fatal")), .query(Query(sql: "select 1"))]))
        #expect(Self.afterFirstReady(try sink.messages()) == [
            .errorResponse(PGError(severity: .fatal, sqlState: "57P01", message: "goodbye")),
        ])
        #expect(factory.events.all == ["simpleQuery fatal", "terminate"])
    }

    @Test func md5Authentication() throws {
        let stored = MD5Password.makeStoredHash(password: "secret", user: "alice")
        let response = MD5Password.expectedResponse(storedHash: stored, salt: [1, 2, 3, 4])
        let (sink, _) = Self.run(Self.messages([Self.startup, .authenticationResponse(.password(response)), .terminate]),
                                 factory: TestFactory(method: .success(.md5(storedHash: stored))))
        let messages = try sink.messages()
        #expect(messages[0] == .authentication(.md5Password(salt: [1, 2, 3, 4])))
        #expect(messages[1] == .authentication(.ok))
        #expect(messages.last == .readyForQuery(.idle))
    }

    @Test func md5WrongPasswordAndUnknownRole() throws {
        for stored in [MD5Password.makeStoredHash(password: "secret", user: "alice"), nil] {
            let (sink, factory) = Self.run(
                Self.messages([Self.startup, .authenticationResponse(.password("md5" + String(repeating: "0", count: 32)))]),
                factory: TestFactory(method: .success(.md5(storedHash: stored))))
            #expect(try sink.messages() == [
                .authentication(.md5Password(salt: [1, 2, 3, 4])),
                .errorResponse(.passwordAuthenticationFailed(user: "alice")),
            ])
            #expect(sink.isClosed)
            #expect(factory.events.all.isEmpty)
        }
    }

    @Test func hbaRejectionIsSentAsFatal() throws {
        let hba = PGError(severity: .fatal, sqlState: "28000",
                          message: "no pg_hba.conf entry for host \"[local]\", user \"alice\", database \"db\", no encryption")
        let (sink, _) = Self.run(Self.messages([Self.startup]), factory: TestFactory(method: .failure(hba)))
        #expect(try sink.messages() == [.errorResponse(hba)])
        #expect(sink.isClosed)
    }

    @Test func tooManyConnections() throws {
        let (sink, _) = Self.run(Self.messages([Self.startup]), connectionLimitExceeded: true)
        #expect(try sink.messages() == [.errorResponse(.tooManyConnections)])
    }

    @Test func unknownDatabaseFromMakeBackend() throws {
        let startup = FrontendMessage.startup(StartupMessage(protocolMinorVersion: 0, parameters: [
            ("user", "alice"), ("database", "nosuchdb")]))
        let (sink, _) = Self.run(Self.messages([startup]))
        #expect(try sink.messages().last ==
            .errorResponse(PGError(severity: .fatal, sqlState: "3D000", message: "database \"nosuchdb\" does not exist")))
    }

    @Test func negotiatesProtocolVersion() throws {
        let startup = FrontendMessage.startup(StartupMessage(protocolMinorVersion: 2, parameters: [
            ("user", "alice"), ("_pq_.compression", "on")]))
        let (sink, _) = Self.run(Self.messages([startup, .terminate]))
        let messages = try sink.messages()
        #expect(messages[0] == .negotiateProtocolVersion(
            NegotiateProtocolVersion(newestMinorVersion: 0, unrecognizedOptions: ["_pq_.compression"])))
        #expect(messages[1] == .authentication(.ok))
    }

    @Test func missingUserIsRefused() throws {
        let startup = FrontendMessage.startup(StartupMessage(protocolMinorVersion: 0, parameters: [("database", "db")]))
        let (sink, _) = Self.run(Self.messages([startup]))
        #expect(try sink.messages() == [.errorResponse(PGError(severity: .fatal, sqlState: "28000",
                                                               message: "no PostgreSQL user name specified in startup packet"))])
    }

    @Test func cancelRequestGoesToTheFactory() throws {
        let (sink, factory) = Self.run(Self.messages([.sslRequest, .cancelRequest(CancelRequest(processID: 7, secretKey: 99))]))
        #expect(sink.bytes == [UInt8(ascii: "N")])
        #expect(sink.isClosed)
        #expect(factory.events.all == ["cancel 7 99"])
    }

    @Test func eofDuringAuthenticationIsQuiet() throws {
        let (sink, _) = Self.run([.message(Self.startup), .connectionLost],
                                 factory: TestFactory(method: .success(.scramSHA256(verifier: nil))))
        #expect(try sink.messages() == [.authentication(.sasl(mechanisms: ["SCRAM-SHA-256"]))])
        #expect(sink.isClosed)
    }

    @Test func administratorShutdownTerminatesTheSession() throws {
        let (sink, factory) = Self.run([.message(Self.startup), .administratorShutdown])
        #expect(try sink.messages().last == .errorResponse(.administratorShutdown))
        #expect(factory.events.all == ["terminate"])
    }

    @Test func decodingErrorIsSentThenClosed() throws {
        let (sink, factory) = Self.run([.message(Self.startup), .decodingFailed(.protocolViolation("invalid message length"))])
        #expect(try sink.messages().last == .errorResponse(.protocolViolation("invalid message length")))
        #expect(factory.events.all == ["terminate"])
    }

    @Test func passwordMessageInSessionIsProtocolViolation() throws {
        let (sink, _) = Self.run(Self.messages([Self.startup, .authenticationResponse(.password("x"))]))
        #expect(try sink.messages().last == .errorResponse(.protocolViolation("unexpected message PasswordMessage in state idle")))
    }
}
