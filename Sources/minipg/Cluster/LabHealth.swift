// "Is the lab healthy yet?" — what `cluster up` waits for and `cluster ps` reports: every etcd member
// answers /health, one node is the running leader, every other node is a replica streaming from it,
// and the proxy's stats page answers. Read from the agents' REST API (GET /patroni), as a person would.
import Foundation
import HA

struct LabHealth: Equatable {
    var etcdUp = 0
    var etcdTotal = 0
    var leader: String?
    var streaming: [String] = []
    var nodeStates: [String: String] = [:]     // member → "running (master)", "creating replica", "down"
    var proxyUp = false
    var proxyPrimary: String?          // the backend the proxy's primary listener routes to
    var proxyReplicas = 0              // backends in rotation on the replica listener

    /// Healthy = what a person would check: quorum, a leader, every replica streaming, and the proxy
    /// already routing to them (its checks need `rise` successes before a backend is in rotation).
    var isHealthy: Bool {
        etcdUp == etcdTotal && leader != nil && streaming.count == nodeStates.count - 1
            && proxyUp && proxyPrimary == leader && proxyReplicas == streaming.count
    }

    static func probe(_ definition: LabDefinition) -> LabHealth {
        var health = LabHealth()
        for service in definition.services {
            switch service.kind {
            case .etcd:
                health.etcdTotal += 1
                let port = service.ports.first.flatMap { $0.split(separator: ":").last }.flatMap { Int($0) } ?? 0
                if let response = LabHTTP.get(port: port, path: "/health"), response.status == 200 {
                    health.etcdUp += 1
                }
            case .node:
                guard let member = service.memberName, let port = service.restPort else { continue }
                guard let response = LabHTTP.get(port: port, path: "/patroni"),
                      let status = try? JSONDecoder().decode(NodeStatus.self, from: response.body) else {
                    health.nodeStates[member] = "down"
                    continue
                }
                health.nodeStates[member] = "\(status.state) (\(status.role))"
                if status.state == "running", !status.isInRecovery {
                    health.leader = health.leader == nil ? member : health.leader
                } else if status.replicationState == "streaming" {
                    health.streaming.append(member)
                }
            case .proxy:
                let port = service.ports.last.flatMap { Int($0) } ?? 0
                guard let response = LabHTTP.get(port: port, path: "/stats.json"), response.status == 200,
                      let stats = try? JSONDecoder().decode(ProxyStats.self, from: response.body) else { continue }
                health.proxyUp = true
                for listener in stats.listeners {
                    if listener.name == "primary" { health.proxyPrimary = listener.routesTo }
                    if listener.name == "replicas" {
                        health.proxyReplicas = listener.backends.filter { $0.inRotation == true }.count
                    }
                }
            }
        }
        return health
    }

    /// One progress line: "etcd 3/3 · leader patroni1 · streaming 2/2 · proxy → patroni1, 2 standbys".
    var summary: String {
        let replicas = max(0, nodeStates.count - 1)
        let waiting = nodeStates.filter { $0.key != leader && !streaming.contains($0.key) }
            .sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
        var line = "etcd \(etcdUp)/\(etcdTotal) · leader \(leader ?? "none yet") · "
            + "streaming \(streaming.count)/\(replicas) · proxy "
            + (proxyUp ? "→ \(proxyPrimary ?? "no primary yet"), \(proxyReplicas) standbys" : "down")
        if !waiting.isEmpty { line += " · " + waiting.joined(separator: ", ") }
        return line
    }
}

/// The part of the proxy's /stats.json that says where it routes.
private struct ProxyStats: Decodable {
    struct Listener: Decodable {
        var name: String
        var routesTo: String?
        var backends: [Backend]
        enum CodingKeys: String, CodingKey { case name, routesTo = "routes_to", backends }
    }
    struct Backend: Decodable {
        var name: String
        var inRotation: Bool?
        enum CodingKeys: String, CodingKey { case name, inRotation = "in_rotation" }
    }
    var listeners: [Listener]
}
