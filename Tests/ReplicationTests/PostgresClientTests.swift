// The PGWire client and the replication commands against a real PostgreSQL 15 server: every
// authentication method, result rows, server errors with their SQLSTATE, IDENTIFY_SYSTEM.
import Foundation
import PGWire
import Testing
import WAL
@testable import Replication

@Suite(.serialized, .enabled(if: RealPostgres.isAvailable))
final class PostgresClientTests {
    let server: RealPostgres

    init() throws { server = try RealPostgres() }
    deinit { server.stop() }

    func configuration(user: String, password: String? = nil, replication: String? = nil) -> PGClientConfiguration {
        PGClientConfiguration(host: "127.0.0.1", port: server.port, user: user, password: password,
                              database: replication == nil ? "postgres" : nil, applicationName: "receiver-tests",
                              replication: replication)
    }

    @Test func everyPasswordMethodAuthenticates() throws {
        for (user, password) in [("replicator", nil), ("scram_user", "scram pw"), ("md5_user", "md5pw"),
                                 ("clear_user", "clearpw")] {
            let connection = try PGClientConnection.connect(configuration(user: user, password: password))
            defer { connection.close() }
            let result = try connection.simpleQuery("select current_user, 1 + 1 as two")
            #expect(result.first?.text("current_user") == user)
            #expect(result.first?.text("two") == "2")
            #expect(connection.parameters["server_version"]?.hasPrefix("15") == true)
        }
    }

    @Test func wrongPasswordIsRefusedWithPostgresMessage() throws {
        #expect {
            try PGClientConnection.connect(configuration(user: "scram_user", password: "wrong"))
        } throws: { error in
            "\(error)".contains("password authentication failed for user \"scram_user\"")
        }
        #expect {
            try PGClientConnection.connect(configuration(user: "md5_user"))
        } throws: { error in
            "\(error)" == "fe_sendauth: no password supplied"
                || "\(error)".hasSuffix("fe_sendauth: no password supplied")
        }
    }

    @Test func serverErrorCarriesSQLStateAndConnectionStaysUsable() throws {
        let connection = try PGClientConnection.connect(configuration(user: "replicator"))
        defer { connection.close() }
        #expect {
            try connection.simpleQuery("select * from no_such_table")
        } throws: { error in
            (error as? PGError)?.sqlState == "42P01"
                && (error as? PGError)?.message == "relation \"no_such_table\" does not exist"
        }
        let results = try connection.simpleQuery("select 1 as a; select 'x' as b, null as c")
        #expect(results.count == 2)
        #expect(results[1].text("b") == "x")
        #expect(results[1].bytes("c") == nil)
        #expect(results[0].commandTag == "SELECT 1")
    }

    @Test func replicationConnectionIdentifiesTheSystem() throws {
        let connection = try PGClientConnection.connect(configuration(user: "scram_user", password: "scram pw",
                                                                      replication: "true"))
        defer { connection.close() }
        let system = try connection.identifySystem()
        let expected = try server.sql("select system_identifier from pg_control_system()")
        #expect(String(system.systemIdentifier) == expected)
        #expect(system.timeline == TimelineID.first)
        #expect(system.flushLSN.isValid)
        #expect(try connection.show("wal_segment_size") == "16MB")
    }

    @Test func unixSocketDirectoryAsHost() throws {
        var unix = configuration(user: "replicator")
        unix.host = server.root
        let connection = try PGClientConnection.connect(unix)
        defer { connection.close() }
        #expect(try connection.simpleQuery("select inet_client_addr() is null as local").first?.text("local") == "t")
    }

    @Test func refusedConnectionIsWordedAsLibpq() throws {
        let port = RealPostgres.freePort()
        #expect {
            try PGClientConnection.connect(PGClientConfiguration(host: "127.0.0.1", port: port, user: "x"))
        } throws: { error in
            "\(error)" == "connection to server at \"127.0.0.1\", port \(port) failed: Connection refused\n"
                + "\tIs the server running on that host and accepting TCP/IP connections?"
        }
    }
}
