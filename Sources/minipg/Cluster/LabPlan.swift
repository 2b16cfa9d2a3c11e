// The lab's shape before anything starts: which services, on which ports, with which command lines and
// configuration files. Ports follow the classic Patroni lab (etcd 2379/2381/2383, PostgreSQL 5432…,
// REST 8008…, proxy 5000/5001 with stats on 7000); `--port-offset` shifts them all so that two labs —
// or a lab and the test suite — can share a machine.
import Foundation

struct LabOptions: Sendable {
    var scope = "demo"
    var nodes = 3
    var etcdMembers = 3
    var portOffset = 0
    var ttl = 10
    var loopWait = 2
    var retryTimeout = 3
    var synchronousMode = false
}

struct LabPlan {
    let options: LabOptions
    let directory: LabDirectory
    let minipgPath: String
    let etcdPath: String

    func etcdClientPort(_ i: Int) -> Int { 2379 + 2 * i + options.portOffset }
    func etcdPeerPort(_ i: Int) -> Int { 2380 + 2 * i + options.portOffset }
    func postgresPort(_ i: Int) -> Int { 5432 + i + options.portOffset }
    func restPort(_ i: Int) -> Int { 8008 + i + options.portOffset }
    var primaryPort: Int { 5000 + options.portOffset }
    var replicaPort: Int { 5001 + options.portOffset }
    var statsPort: Int { 7000 + options.portOffset }

    func etcdName(_ i: Int) -> String { "etcd\(i + 1)" }
    func memberName(_ i: Int) -> String { "patroni\(i + 1)" }
    var etcdHosts: String {
        (0..<options.etcdMembers).map { "127.0.0.1:\(etcdClientPort($0))" }.joined(separator: ",")
    }

    func services() -> [LabService] {
        let scope = options.scope
        let initialCluster = (0..<options.etcdMembers)
            .map { "\(etcdName($0))=http://127.0.0.1:\(etcdPeerPort($0))" }.joined(separator: ",")
        var services: [LabService] = (0..<options.etcdMembers).map { i in
            let client = "http://127.0.0.1:\(etcdClientPort(i))"
            let peer = "http://127.0.0.1:\(etcdPeerPort(i))"
            return LabService(
                name: "\(scope)-\(etcdName(i))", kind: .etcd,
                arguments: [etcdPath, "--name", etcdName(i),
                            "--data-dir", directory.dataDirectory("\(scope)-\(etcdName(i))"),
                            "--listen-client-urls", client, "--advertise-client-urls", client,
                            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                            "--initial-cluster", initialCluster, "--initial-cluster-token", "\(scope)-etcd",
                            "--initial-cluster-state", "new"],
                ports: ["127.0.0.1:\(etcdClientPort(i))"], clientURL: client)
        }
        for i in 0..<options.nodes {
            let name = "\(scope)-\(memberName(i))"
            services.append(LabService(
                name: name, kind: .node,
                arguments: [minipgPath, "node", "-c", directory.configDirectory + "/\(memberName(i)).yml"],
                ports: ["127.0.0.1:\(postgresPort(i))", "\(restPort(i))"],
                memberName: memberName(i), postgresPort: postgresPort(i), restPort: restPort(i)))
        }
        services.append(LabService(
            name: "\(scope)-proxy", kind: .proxy,
            arguments: [minipgPath, "proxy", "-c", directory.configDirectory + "/proxy.yml"],
            ports: ["127.0.0.1:\(primaryPort)", "\(replicaPort)", "\(statsPort)"]))
        return services
    }

    /// A node's configuration, in Patroni's YAML shape (the lab's patroni1.yml, adapted).
    func nodeConfiguration(_ i: Int) -> String {
        """
        # Written by `minipg cluster up`. The shape is Patroni's; see docs/lab.md.
        scope: \(options.scope)
        namespace: /service/
        name: \(memberName(i))

        restapi:
          listen: 127.0.0.1:\(restPort(i))
          connect_address: 127.0.0.1:\(restPort(i))
          authentication:
            username: admin
            password: admin

        etcd3:
          hosts: \(etcdHosts)

        bootstrap:
          dcs:
            ttl: \(options.ttl)
            loop_wait: \(options.loopWait)
            retry_timeout: \(options.retryTimeout)
            maximum_lag_on_failover: 1048576
            synchronous_mode: \(options.synchronousMode)
            postgresql:
              use_pg_rewind: true
              parameters:
                max_connections: 100

        postgresql:
          listen: 127.0.0.1:\(postgresPort(i))
          connect_address: 127.0.0.1:\(postgresPort(i))
          data_dir: \(directory.dataDirectory("\(options.scope)-\(memberName(i))"))
          authentication:
            superuser:
              username: postgres
              password: postgres
            replication:
              username: replicator
              password: rep-pass

        tags:
          nofailover: false
          noloadbalance: false
          clonefrom: false
          nosync: false

        """
    }

    /// The proxy's configuration: the lab's haproxy.cfg, in minipg proxy's YAML.
    func proxyConfiguration() -> String {
        var text = """
        # Written by `minipg cluster up`: 5000 → the primary, 5001 → the standbys (HAProxy's role).
        listeners:
          primary: 127.0.0.1:\(primaryPort)
          replicas: 127.0.0.1:\(replicaPort)
        stats: 127.0.0.1:\(statsPort)
        check:
          inter: 3s
          fall: 3
          rise: 2
        balance: roundrobin
        backends:

        """
        for i in 0..<options.nodes {
            text += """
              - name: \(memberName(i))
                host: 127.0.0.1
                port: \(postgresPort(i))
                check_url: http://127.0.0.1:\(restPort(i))

            """
        }
        return text
    }

    func writeConfigurationFiles() throws {
        for i in 0..<options.nodes {
            try nodeConfiguration(i).write(toFile: directory.configDirectory + "/\(memberName(i)).yml",
                                           atomically: true, encoding: .utf8)
        }
        try nodeConfiguration(0).write(toFile: directory.ctlConfigFile, atomically: true, encoding: .utf8)
        try proxyConfiguration().write(toFile: directory.configDirectory + "/proxy.yml",
                                       atomically: true, encoding: .utf8)
    }
}
