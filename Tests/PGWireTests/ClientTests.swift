// The client side of PGWire without a network: libpq connection strings, and the SCRAM client
// exchange played against this server's own SCRAMServerExchange.
import Testing
@testable import PGWire

@Suite struct ConnectionInfoTests {
    @Test func parsesKeywordsQuotesAndEscapes() throws {
        let info = try ConnectionInfo(parsing: "host=127.0.0.1  port = 5433 user=replicator password='it\\'s a \\\\ secret' application_name=node2")
        #expect(info["host"] == "127.0.0.1")
        #expect(info["port"] == "5433")
        #expect(info["password"] == "it's a \\ secret")
        #expect(info["application_name"] == "node2")
        #expect(info.pairs.map(\.key) == ["host", "port", "user", "password", "application_name"])
    }

    @Test func renderingRoundTripsAndHidesThePassword() throws {
        let text = "user=replicator password='two words' host=h port=5432"
        let info = try ConnectionInfo(parsing: text)
        #expect(info.text == text)
        #expect(try ConnectionInfo(parsing: info.text) == info)
        #expect(info.textWithoutPassword == "user=replicator password=******** host=h port=5432")
    }

    @Test func errorsUseLibpqWording() {
        #expect(throws: PGConnectionError("missing \"=\" after \"host\" in connection info string")) {
            try ConnectionInfo(parsing: "host")
        }
        #expect(throws: PGConnectionError("unterminated quoted string in connection info string")) {
            try ConnectionInfo(parsing: "password='abc")
        }
        #expect(throws: PGConnectionError("invalid connection option \"hots\"")) {
            try ConnectionInfo(parsing: "hots=x")
        }
    }

    @Test func clientConfigurationUsesDefaultsAndEnvironment() throws {
        let info = try ConnectionInfo(parsing: "host=10.0.0.1 user=r")
        let configuration = try info.clientConfiguration(environment: ["PGPASSWORD": "pw", "PGPORT": "6000"],
                                                         replication: "true", defaultApplicationName: "walreceiver")
        #expect(configuration.host == "10.0.0.1")
        #expect(configuration.port == 6000)
        #expect(configuration.password == "pw")
        #expect(configuration.applicationName == "walreceiver")
        #expect(configuration.startupParameters.map(\.0) == ["user", "database", "replication", "application_name"])
        #expect(configuration.startupParameters[1].1 == "replication")
        #expect(throws: PGConnectionError("invalid port number: \"x\"")) {
            try ConnectionInfo(parsing: "port=x").clientConfiguration(environment: [:])
        }
    }
}

@Suite struct SCRAMClientExchangeTests {
    @Test func clientAndServerAgreeOnTheRightPassword() throws {
        let verifier = SCRAM.makeVerifier(password: "secret pw", salt: Array(repeating: 7, count: 16))
        var server = SCRAMServerExchange(user: "u", verifierText: verifier, serverNonce: "SERVERNONCE")
        var client = SCRAMClientExchange(password: "secret pw", clientNonce: "CLIENTNONCE")
        #expect(String(decoding: client.clientFirstMessage, as: UTF8.self) == "n,,n=,r=CLIENTNONCE")
        let serverFirst = try server.receiveClientFirst(mechanism: SCRAM.mechanism, data: client.clientFirstMessage)
        let clientFinal = try client.receiveServerFirst(serverFirst)
        #expect(String(decoding: clientFinal, as: UTF8.self).hasPrefix("c=biws,r=CLIENTNONCESERVERNONCE,p="))
        let serverFinal = try server.receiveClientFinal(data: clientFinal)
        try client.receiveServerFinal(serverFinal)
    }

    @Test func wrongPasswordFailsAndAForgedServerIsDetected() throws {
        let verifier = SCRAM.makeVerifier(password: "right")
        var server = SCRAMServerExchange(user: "u", verifierText: verifier)
        var client = SCRAMClientExchange(password: "wrong")
        let clientFinal = try client.receiveServerFirst(
            try server.receiveClientFirst(mechanism: SCRAM.mechanism, data: client.clientFirstMessage))
        #expect(throws: PGError.passwordAuthenticationFailed(user: "u")) { try server.receiveClientFinal(data: clientFinal) }
        #expect(throws: PGConnectionError("incorrect server signature")) {
            try client.receiveServerFinal(Array("v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=".utf8))
        }
    }

    @Test func serverNonceMustExtendTheClientNonce() {
        var client = SCRAMClientExchange(password: "x", clientNonce: "abc")
        #expect(throws: PGConnectionError("invalid SCRAM response (nonce mismatch)")) {
            try client.receiveServerFirst(Array("r=zzz123,s=AAAA,i=4096".utf8))
        }
    }
}
