// A real etcd cluster on loopback for integration tests: `size` etcd processes (3 by default, so one can
// die and the others keep quorum) with random free client and peer ports and data directories under
// /tmp/minipg-etcd-*. Tests kill (SIGKILL) or freeze (SIGSTOP) members to see how clients cope.
//
// Use `EtcdTestCluster.with { cluster in … }`: the cluster is stopped and its directory removed however the
// body ends. Suites that need it add `.enabled(if: EtcdTestCluster.isInstalled, EtcdTestCluster.notInstalled)`
// so that a machine without etcd skips them and says why.
import Foundation
import Logging
import Testing
@testable import HA

final class EtcdTestCluster: @unchecked Sendable {   // mutated only by the test that owns it
    static let etcdBinary = "/usr/bin/etcd"
    static let etcdctlBinary = "/usr/bin/etcdctl"
    static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: etcdBinary) }
    static let notInstalled: Comment = "etcd is not installed at /usr/bin/etcd (apt-get install etcd-server etcd-client; .ci/run does)"
    /// How long a fresh cluster may take to elect a leader and answer a linearizable read.
    static let startupTimeout = Duration.seconds(60)

    struct Member {
        var name: String
        var clientPort: Int
        var peerPort: Int
        var process: Process
        /// "127.0.0.1:<client port>", the `etcd3.hosts` spelling.
        var host: String { "127.0.0.1:\(clientPort)" }
        var clientURL: String { "http://\(host)" }
        var peerURL: String { "http://127.0.0.1:\(peerPort)" }
    }

    let directory: URL
    private(set) var members: [Member] = []
    private var stopped = false

    /// Every member's host, for `EtcdKeyValueStore(hosts:)`.
    var hosts: [String] { members.map(\.host) }

    private init(directory: URL) { self.directory = directory }

    /// Starts a cluster, runs `body`, then stops every member and removes the data directories.
    static func with<T>(size: Int = 3, _ body: (EtcdTestCluster) async throws -> T) async throws -> T {
        let cluster = try await start(size: size)
        defer { cluster.shutdown() }
        return try await body(cluster)
    }

    static func start(size: Int = 3) async throws -> EtcdTestCluster {
        let directory = URL(fileURLWithPath: "/tmp/minipg-etcd-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let cluster = EtcdTestCluster(directory: directory)
        do {
            try cluster.launch(size: size)
            try await cluster.waitUntilHealthy()
        } catch {
            cluster.shutdown()
            throw error
        }
        return cluster
    }

    private func launch(size: Int) throws {
        let ports = LoopbackPorts.free(count: 2 * size)
        let token = "minipg-test-\(UUID().uuidString.prefix(8))"
        var planned: [(name: String, client: Int, peer: Int)] = []
        for index in 0..<size { planned.append(("etcd\(index + 1)", ports[2 * index], ports[2 * index + 1])) }
        let initialCluster = planned.map { "\($0.name)=http://127.0.0.1:\($0.peer)" }.joined(separator: ",")
        for (name, client, peer) in planned {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.etcdBinary)
            process.arguments = [
                "--name", name,
                "--data-dir", directory.appendingPathComponent(name).path,
                "--listen-client-urls", "http://127.0.0.1:\(client)",
                "--advertise-client-urls", "http://127.0.0.1:\(client)",
                "--listen-peer-urls", "http://127.0.0.1:\(peer)",
                "--initial-advertise-peer-urls", "http://127.0.0.1:\(peer)",
                "--initial-cluster", initialCluster,
                "--initial-cluster-token", token,
                "--initial-cluster-state", "new",
            ]
            let logPath = directory.appendingPathComponent("\(name).log").path
            guard FileManager.default.createFile(atPath: logPath, contents: nil) else {
                throw DCSError("cannot create \(logPath)")
            }
            let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
            process.standardOutput = log
            process.standardError = log
            try process.run()
            members.append(Member(name: name, clientPort: client, peerPort: peer, process: process))
        }
    }

    /// Waits until every member answers a linearizable read (which needs a leader and a quorum).
    private func waitUntilHealthy() async throws {
        for member in members {
            var quiet = Logger(label: "minipg.test.etcd")   // "no leader yet" is expected while it starts
            quiet.logLevel = .critical
            let store = try EtcdKeyValueStore(hosts: [member.host], requestTimeout: .seconds(2),
                                              retryTimeout: Self.startupTimeout, logger: quiet)
            do {
                _ = try await store.get(key: "/minipg-test/health")
                try await store.shutdown()
            } catch {
                try? await store.shutdown()
                throw DCSError("etcd member \(member.name) did not become healthy: \(error)\n\(logTail(of: member))")
            }
        }
    }

    // MARK: Faults

    /// The index of the member serving `clientURL` (e.g. an `EtcdKeyValueStore`'s `currentEndpoint`).
    func index(ofClientURL clientURL: String) -> Int? { members.firstIndex { $0.clientURL == clientURL } }

    /// SIGKILL: the member dies at once, without telling its peers.
    func kill(_ index: Int) {
        let process = members[index].process
        guard process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGSTOP: the member keeps its sockets open but answers nothing — a hang, not a crash.
    func freeze(_ index: Int) { Foundation.kill(members[index].process.processIdentifier, SIGSTOP) }

    /// SIGCONT after `freeze`.
    func thaw(_ index: Int) { Foundation.kill(members[index].process.processIdentifier, SIGCONT) }

    /// Compacts the key history up to `revision` (what etcd's auto-compaction does in production).
    func compact(revision: Int64) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.etcdctlBinary)
        process.arguments = ["--endpoints", members.map(\.clientURL).joined(separator: ","), "compact", String(revision)]
        process.environment = ["ETCDCTL_API": "3"]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw DCSError("etcdctl compact \(revision) exited with \(process.terminationStatus)")
        }
    }

    /// Stops every member (thawing frozen ones first so that SIGKILL is delivered) and removes the data.
    func shutdown() {
        guard !stopped else { return }
        stopped = true
        for index in members.indices {
            thaw(index)
            kill(index)
        }
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { shutdown() }

    private func logTail(of member: Member) -> String {
        let path = directory.appendingPathComponent("\(member.name).log").path
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(15).joined(separator: "\n")
    }
}
