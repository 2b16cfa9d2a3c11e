// The connection state machine on its own: pure transitions, no I/O.

import Testing
@testable import PGWire

@Suite struct ConnectionStateMachineTests {
    static func machine() -> ConnectionStateMachine {
        ConnectionStateMachine(remoteAddress: nil, connectionLimitExceeded: false) { Array(repeating: 7, count: $0) }
    }
    static let startup = StartupMessage(protocolMinorVersion: 0, parameters: [("user", "u"), ("database", "d")])

    static func inSession() -> ConnectionStateMachine {
        var machine = machine()
        _ = machine.received(.startup(startup))
        _ = machine.authenticationMethodDecided(.success(.trust))
        machine.backendStarted()
        return machine
    }

    @Test func startupToSession() {
        var machine = Self.machine()
        #expect(machine.received(.sslRequest) == .refuseEncryption)
        #expect(machine.stateName == "startup")
        guard case .decideAuthentication(let info, let preamble) = machine.received(.startup(Self.startup)) else {
            Issue.record("expected decideAuthentication")
            return
        }
        #expect(info.user == "u" && info.database == "d" && info.remoteHost == "[local]")
        #expect(preamble.isEmpty)
        #expect(machine.stateName == "authentication")
        #expect(machine.authenticationMethodDecided(.success(.trust)) == .startSession(info, preamble: []))
        machine.backendStarted()
        #expect(machine.stateName == "idle")
        #expect(machine.isInSession)
    }

    @Test func databaseDefaultsToUser() {
        var machine = Self.machine()
        let action = machine.received(.startup(StartupMessage(protocolMinorVersion: 0, parameters: [
            ("user", "u"), ("replication", "true"), ("client_encoding", "UTF8")])))
        guard case .decideAuthentication(let info, _) = action else {
            Issue.record("expected decideAuthentication")
            return
        }
        #expect(info.database == "u")
        #expect(info.replication == "true")
        #expect(info.options == ["client_encoding": "UTF8"])
    }

    @Test func extendedErrorSkipsUntilSync() {
        var machine = Self.inSession()
        let parse = Parse(statement: "", query: "x", parameterTypes: [])
        #expect(machine.received(.parse(parse)) == .parse(parse))
        #expect(machine.stateName == "extended query")
        machine.extendedQueryFailed()
        #expect(machine.stateName == "skipping until Sync")
        #expect(machine.received(.execute(Execute(portal: "", maxRows: 0))) == .none)
        #expect(machine.received(.query(Query(sql: "select 1"))) == .none)
        #expect(machine.received(.sync) == .sync)
        #expect(machine.stateName == "idle")
    }

    @Test func copyInRoutesCopyMessages() {
        var machine = Self.inSession()
        #expect(machine.received(.query(Query(sql: "copy"))) == .simpleQuery("copy"))
        machine.copyInStarted()
        #expect(machine.received(.copyData(CopyData(bytes: [1]))) == .deliverCopy(.data([1])))
        #expect(machine.received(.flush) == .none)
        #expect(machine.received(.copyDone) == .deliverCopy(.done))
        #expect(machine.stateName == "idle")
        // Outside COPY, stray copy messages are ignored.
        #expect(machine.received(.copyData(CopyData(bytes: [2]))) == .none)
    }

    @Test func authenticationMessagesOutOfOrderAreProtocolViolations() {
        var machine = Self.machine()
        _ = machine.received(.startup(Self.startup))
        _ = machine.authenticationMethodDecided(.success(.md5(storedHash: nil)))
        #expect(machine.received(.query(Query(sql: "select 1"))) ==
            .closeWithError(.protocolViolation("unexpected message Query in state authentication")))
        #expect(machine.isClosed)
        #expect(machine.received(.sync) == .none)
    }

    @Test func md5ChallengeUsesInjectedSalt() {
        var machine = Self.machine()
        _ = machine.received(.startup(Self.startup))
        #expect(machine.authenticationMethodDecided(.success(.md5(storedHash: nil))) ==
            .send([.authentication(.md5Password(salt: [7, 7, 7, 7]))], flush: true))
    }

    @Test func rejectGivesPostgresText() {
        var machine = Self.machine()
        _ = machine.received(.startup(Self.startup))
        #expect(machine.authenticationMethodDecided(.success(.reject)) == .closeWithError(PGError(
            severity: .fatal, sqlState: "28000",
            message: "pg_hba.conf rejects connection for host \"[local]\", user \"u\", database \"d\", no encryption")))
    }
}
