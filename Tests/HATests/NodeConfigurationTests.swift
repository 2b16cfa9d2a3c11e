// The node configuration: the reference lab's patroni1.yml parses as Patroni reads it, YAML round-trips
// through JSONValue, and every refusal names the key (timing rules included, never silently adjusted).
import Testing
@testable import HA

@Suite struct NodeConfigurationTests {
    @Test func parsesTheReferencePatroniFile() throws {
        let config = try NodeConfiguration.parse(yaml: Patroni1YAML.text)
        #expect(config.scope == "demo" && config.name == "patroni1" && config.namespace == "/service/")
        #expect(config.clusterPrefix == "/service/demo/")
        #expect(config.restAPI.listen == HostPort(host: "127.0.0.1", port: 8008))
        #expect(config.restAPI.apiURL == "http://127.0.0.1:8008/patroni")
        #expect(config.restAPI.authentication == Credentials(username: "admin", password: "admin"))
        #expect(config.restClientAuthentication?.username == "admin")
        #expect(config.etcdHosts.map(\.description) == ["127.0.0.1:2379", "127.0.0.1:2381", "127.0.0.1:2383"])
        let dcs = config.bootstrapDynamicConfig
        #expect(dcs.ttl == 30 && dcs.loopWait == 10 && dcs.retryTimeout == 10)
        #expect(dcs.maximumLagOnFailover == 1_048_576 && dcs.usePgRewind)
        #expect(dcs.postgresqlParameters == ["max_connections": "100"])
        #expect(config.postgresql.connURL == "postgres://127.0.0.1:5432/postgres")
        #expect(config.postgresql.dataDirectory == "/tmp/anchorlab/patroni1/data")
        #expect(config.postgresql.superuser == Credentials(username: "postgres", password: "postgres"))
        #expect(config.postgresql.replication == Credentials(username: "replicator", password: "replicate"))
        #expect(config.postgresql.parameters["unix_socket_directories"] == .string("/tmp/anchorlab/patroni1"))
        #expect(config.tags["nofailover"] == .bool(false))
        #expect(config.publishedTags.isEmpty)     // Patroni leaves false boolean tags out of the member key
    }

    @Test func showConfigYAMLOfTheBootstrapConfigMatchesPatronictl() throws {
        let config = try NodeConfiguration.parse(yaml: Patroni1YAML.text)
        #expect(config.bootstrapDynamicConfig.document.yamlText == LabTranscript.showConfig)
    }

    @Test func yamlRoundTripsAndQuotesWhatWouldChangeType() throws {
        let value = JSONValue.object([
            "a": .string("on"), "b": .string("30"), "c": .string(""), "d": .string("x: y"),
            "e": .array([.object(["k": .int(1), "l": .bool(true)]), .string("-5")]), "f": .null,
            "g": .object([:]), "h": .string("it's"), "i": .double(0.5),
        ])
        let text = value.yamlText
        #expect(text.contains("a: 'on'\n") && text.contains("b: '30'\n") && text.contains("c: ''\n"))
        #expect(text.contains("e:\n- k: 1\n  l: true\n- '-5'\n"))
        #expect(try JSONValue.parseYAML(text) == value)
    }

    @Test func etcdHostsMayBeAListUnderEtcd3() throws {
        let yaml = Patroni1YAML.text.replacingOccurrences(
            of: "etcd:\n  hosts: 127.0.0.1:2379,127.0.0.1:2381,127.0.0.1:2383",
            with: "etcd3:\n  hosts:\n  - 10.0.0.1:2379\n  - 10.0.0.2:2379")
        #expect(try NodeConfiguration.parse(yaml: yaml).etcdHosts.map(\.description) == ["10.0.0.1:2379", "10.0.0.2:2379"])
    }

    @Test(arguments: [
        ("  ttl: 30\n", "  ttl: 15\n", "bootstrap.dcs: loop_wait + 2 * retry_timeout (10 + 2 * 10 = 30) must not exceed ttl (15)"),
        ("  ttl: 30\n", "  ttl: 2\n", "bootstrap.dcs: ttl (2) must be at least 3 seconds"),
        ("  loop_wait: 10\n", "  loop_wait: 0\n", "bootstrap.dcs: loop_wait (0) must be at least 1 second"),
        ("  retry_timeout: 10\n", "  retry_timeout: ten\n", "bootstrap.dcs: retry_timeout: expected an integer"),
        ("listen: 127.0.0.1:8008", "listen: 127.0.0.1:80080", "restapi.listen: expected host:port with a port in 1-65535"),
        ("scope: demo\n", "", "scope: missing"),
        ("  data_dir: /tmp/anchorlab/patroni1/data\n", "", "postgresql.data_dir: missing"),
        ("etcd:\n  hosts:", "etcd:\n  nothosts:", "etcd.hosts: missing"),
        ("  nofailover: false", "  nofailover: maybe", "tags.nofailover: expected true or false"),
    ])
    func refusalsNameTheKey(original: String, replacement: String, expected: String) throws {
        #expect(Patroni1YAML.text.contains(original))
        let yaml = Patroni1YAML.text.replacingOccurrences(of: original, with: replacement)
        let error = #expect(throws: NodeConfigurationError.self) { try NodeConfiguration.parse(yaml: yaml) }
        #expect(error?.description.hasPrefix("invalid configuration: " + expected) == true, "\(String(describing: error))")
    }

    @Test func timingRulesAndTheDetectionTimeExplanation() {
        let defaults = TimingRules(ttl: 30, loopWait: 10, retryTimeout: 10)
        #expect(defaults.violation == nil && defaults.worstCaseDetectionSeconds == 40)
        #expect(defaults.explanation.hasPrefix("a dead leader is noticed within ttl (30 s) + loop_wait (10 s) = 40 s"))
        let fast = TimingRules(ttl: 5, loopWait: 1, retryTimeout: 2)
        #expect(defaults.explanation.contains("keeps serving until its lease deadline, ttl - min(1 s, ttl/4) = 29 s after its last renewal"))
        #expect(fast.violation == nil && fast.explanation.contains("ttl below 10 s"))
        #expect(TimingRules(ttl: 3, loopWait: 1, retryTimeout: 1).explanation.contains("= 2.25 s after its last renewal"))
        #expect(TimingRules(ttl: 10, loopWait: 2, retryTimeout: 3).violation == nil)   // the lab's tuned values
        #expect(TimingRules(ttl: 10, loopWait: 5, retryTimeout: 3).violation != nil)
    }
}
