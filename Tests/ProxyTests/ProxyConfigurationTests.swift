// proxy.yml: defaults from the lab's haproxy.cfg, Patroni member records as backends, and errors that
// name the key they are about.
import Testing
@testable import Proxy

@Suite struct ProxyConfigurationTests {
    @Test func aMinimalFileTakesTheLabsDefaults() throws {
        let configuration = try ProxyConfiguration.parse(yaml: """
            backends:
              - {name: patroni1, host: 127.0.0.1, port: 5432, check_url: http://127.0.0.1:8008/}
            """)
        #expect(configuration.primaryListener == .init(host: "127.0.0.1", port: 5000))
        #expect(configuration.replicaListener == .init(host: "127.0.0.1", port: 5001))
        #expect(configuration.statsListener == .init(host: "127.0.0.1", port: 7000))
        #expect(configuration.check == .defaults)
        #expect(configuration.check.refusedMarksDown)
        #expect(configuration.balance == .roundRobin)
        #expect(configuration.threads == 1)
        #expect(configuration.backends == [.init(name: "patroni1", address: .init(host: "127.0.0.1", port: 5432),
                                                 checkURL: "http://127.0.0.1:8008")])
    }

    @Test func everySettingAndPatroniMembers() throws {
        let configuration = try ProxyConfiguration.parse(yaml: """
            listeners:
              primary: 0.0.0.0:6000
              replicas: null
            stats: 127.0.0.1:7100
            balance: leastconn
            connect_timeout: 500ms
            primary_wait: 0s
            threads: 2
            check: {inter: 2s, fastinter: 250ms, downinter: 500ms, fall: 2, rise: 1, timeout: 1.5,
                    refused_marks_down: false}
            backends:
              - name: a
                host: db1
                port: 5432
                check_url: http://db1:8008
            members:
              - name: patroni2
                conn_url: postgres://127.0.0.1:5433/postgres
                api_url: http://127.0.0.1:8009/patroni
                state: running
                role: replica
            """)
        #expect(configuration.primaryListener == .init(host: "0.0.0.0", port: 6000))
        #expect(configuration.replicaListener == nil)
        #expect(configuration.listeners.map(\.role) == [.primary])
        #expect(configuration.balance == .leastConnections)
        #expect(configuration.connectTimeout == .milliseconds(500))
        #expect(configuration.primaryWait == .zero)
        #expect(configuration.threads == 2)
        #expect(configuration.check == CheckSettings(interval: .seconds(2), fastInterval: .milliseconds(250),
                                                     fall: 2, rise: 1, timeout: .milliseconds(1500),
                                                     downInterval: .milliseconds(500), refusedMarksDown: false))
        #expect(configuration.backends.map(\.name) == ["a", "patroni2"])
        #expect(configuration.backends[1].address == .init(host: "127.0.0.1", port: 5433))
        #expect(configuration.backends[1].checkURL == "http://127.0.0.1:8009")
    }

    @Test func fastinterNeverExceedsAShorterInter() throws {
        let configuration = try ProxyConfiguration.parse(yaml: """
            check: {inter: 500ms}
            backends: [{name: a, host: h, port: 1, check_url: http://h:1}]
            """)
        #expect(configuration.check.fastInterval == .milliseconds(500))
        #expect(configuration.check.downInterval == .milliseconds(500))
    }

    @Test(arguments: [
        ("", "the file is empty"),
        ("backends: []", "backends: at least one backend (or member) is required"),
        ("backends: [{name: a, host: h, port: 70000, check_url: http://h:1}]",
         #"backends[0].port: expected an integer 1-65535, got "70000""#),
        ("backends: [{name: a, host: h, port: 1}]", "backends[0].check_url: is required"),
        ("backends: [{name: a, host: h, port: 1, check_url: h:8008}]",
         #"backends[0].check_url: expected http://host:port, got "h:8008""#),
        ("check: {fal: 2}\nbackends: [{name: a, host: h, port: 1, check_url: http://h:1}]",
         "check.fal: unknown key (expected one of downinter, fall, fastinter, inter, refused_marks_down, rise, timeout)"),
        ("check: {refused_marks_down: sometimes}\nbackends: [{name: a, host: h, port: 1, check_url: http://h:1}]",
         #"check.refused_marks_down: expected true or false, got "sometimes""#),
        ("check: {inter: soon}\nbackends: [{name: a, host: h, port: 1, check_url: http://h:1}]",
         #"check.inter: expected a duration such as 3s or 500ms, got "soon""#),
        ("balance: random\nbackends: [{name: a, host: h, port: 1, check_url: http://h:1}]",
         #"balance: expected roundrobin or leastconn, got "random""#),
        ("listeners: {primary: localhost}\nbackends: [{name: a, host: h, port: 1, check_url: http://h:1}]",
         #"listeners.primary: expected host:port, got "localhost""#),
        ("backends: [{name: a, host: h, port: 1, check_url: http://h:1}, {name: a, host: h, port: 2, check_url: http://h:2}]",
         #"backends[1].name: duplicate backend name "a""#),
        ("stats: 127.0.0.1:5000\nbackends: [{name: a, host: h, port: 1, check_url: http://h:1}]",
         "listeners: 127.0.0.1:5000 is configured twice"),
        ("members: [{name: p, conn_url: mysql://h:1, api_url: http://h:8008/patroni}]",
         #"members[0].conn_url: expected postgres://host:port/..., got "mysql://h:1""#),
    ])
    func invalidFilesAreRejectedWithTheKeyAtFault(yaml: String, message: String) {
        #expect(throws: ProxyConfigurationError.self) { try ProxyConfiguration.parse(yaml: yaml) }
        do {
            _ = try ProxyConfiguration.parse(yaml: yaml)
        } catch let error as ProxyConfigurationError {
            #expect(error.description == message)
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
