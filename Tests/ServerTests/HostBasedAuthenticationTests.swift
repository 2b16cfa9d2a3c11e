// HostBasedAuthenticationTests: pg_hba.conf parsing and first-match rule selection, as PostgreSQL does it.

import Testing
@testable import Server

@Suite("pg_hba.conf")
struct HostBasedAuthenticationTests {
    private let hba = """
        # TYPE  DATABASE        USER            ADDRESS                 METHOD
        local   all             all                                     trust
        host    all             bob             127.0.0.1/32            reject
        host    sales,postgres  all             127.0.0.1/32            scram-sha-256
        host    all             all             10.0.0.0 255.0.0.0      md5
        host    all             all             ::1/128                 scram-sha-256
        host    replication     replicator      127.0.0.1/32            md5
        """

    private func rules() throws -> HostBasedAuthentication { try HostBasedAuthentication(parsing: hba, file: "pg_hba.conf") }

    @Test func firstMatchingRuleDecides() throws {
        let rules = try rules()
        let local = rules.match(connectionType: .local, database: "postgres", user: "alice", isReplication: false, address: nil)
        #expect(local?.method == .trust)
        let bob = rules.match(connectionType: .host, database: "postgres", user: "bob", isReplication: false, address: IPAddress("127.0.0.1"))
        #expect(bob?.method == .reject)
        let alice = rules.match(connectionType: .host, database: "sales", user: "alice", isReplication: false, address: IPAddress("127.0.0.1"))
        #expect(alice?.method == .scramSHA256)
        let masked = rules.match(connectionType: .host, database: "other", user: "alice", isReplication: false, address: IPAddress("10.1.2.3"))
        #expect(masked?.method == .md5)
        let ipv6 = rules.match(connectionType: .host, database: "other", user: "alice", isReplication: false, address: IPAddress("::1"))
        #expect(ipv6?.method == .scramSHA256)
    }

    @Test func noRuleMeansRefused() throws {
        let rules = try rules()
        #expect(rules.match(connectionType: .host, database: "other", user: "alice", isReplication: false, address: IPAddress("192.0.2.1")) == nil)
        #expect(rules.match(connectionType: .host, database: "other", user: "alice", isReplication: false, address: IPAddress("127.0.0.1")) == nil)
    }

    @Test func allDoesNotMatchReplicationConnections() throws {
        let rules = try rules()
        let replicator = rules.match(connectionType: .host, database: "postgres", user: "replicator", isReplication: true, address: IPAddress("127.0.0.1"))
        #expect(replicator?.line == 7)
        #expect(rules.match(connectionType: .host, database: "postgres", user: "alice", isReplication: true, address: IPAddress("::1")) == nil)
    }

    @Test(arguments: [
        ("hostssl all all 127.0.0.1/32 trust", "not supported by minipg"),
        ("host all all 127.0.0.1/32 peer", "invalid authentication method \"peer\""),
        ("host all all 300.0.0.1/32 trust", "invalid IP address \"300.0.0.1/32\""),
        ("host all all", "end-of-line before authentication method"),
        ("hots all all 127.0.0.1/32 trust", "invalid connection type \"hots\""),
    ])
    func badLinesNameTheProblemAndTheLine(line: String, message: String) {
        #expect {
            _ = try HostBasedAuthentication(parsing: "# comment\n" + line, file: "pg_hba.conf")
        } throws: { error in
            let text = String(describing: error)
            return text.contains(message) && text.contains("line 2")
        }
    }

    @Test func networksContainTheirAddresses() throws {
        let v4 = try #require(IPNetwork(cidr: "192.168.0.0/16"))
        #expect(v4.contains(try #require(IPAddress("192.168.44.1"))))
        #expect(!v4.contains(try #require(IPAddress("192.169.0.1"))))
        let v6 = try #require(IPNetwork(cidr: "fe80::/10"))
        #expect(v6.contains(try #require(IPAddress("fe80::1%eth0"))))
        #expect(!v6.contains(try #require(IPAddress("::1"))))
        #expect(IPAddress("::ffff:127.0.0.1")?.isLoopback == true)
        #expect(IPAddress("1:2:3") == nil)
    }
}
