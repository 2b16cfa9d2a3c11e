// What `minipg cluster up` created, kept in <dir>/cluster.json so that every later `minipg cluster …`
// (ps, kill, start, down, logs, psql) and `minipg ctl` run from that directory act on the same processes.
//
// Directory layout (docker-compose's project directory, without Docker):
//   cluster.json          this definition: services, their command lines and ports
//   minipg-ctl.yml        the configuration `minipg ctl` reads when run from here (a node config)
//   conf/                 patroni1.yml …, proxy.yml — the files the services were started with
//   data/<service>/       etcd's and each node's data directory
//   logs/<service>.log    each service's stdout and stderr
//   run/<service>.pid     the pid of each running service (a process group leader)
import Foundation

struct LabService: Codable, Sendable {
    enum Kind: String, Codable, Sendable { case etcd, node, proxy }

    var name: String                 // demo-etcd1, demo-patroni1, demo-proxy
    var kind: Kind
    var arguments: [String]          // argv; arguments[0] is an absolute path
    var ports: [String]              // as `cluster ps` shows them
    var memberName: String?          // nodes: patroni1
    var postgresPort: Int?           // nodes
    var restPort: Int?               // nodes: the agent's REST API
    var clientURL: String?           // etcd: http://127.0.0.1:2379
}

struct LabDefinition: Codable, Sendable {
    var scope: String
    var services: [LabService]

    func service(named name: String) throws -> LabService {
        // demo-patroni1, patroni1 (a member) and etcd1 / proxy (without the scope) all name a service.
        if let found = services.first(where: { $0.name == name || $0.memberName == name || $0.name == "\(scope)-\(name)" }) {
            return found
        }
        throw LabError("no such service: \(name) (services: \(services.map(\.name).joined(separator: ", ")))")
    }
}

struct LabError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Paths inside a lab directory.
struct LabDirectory: Sendable {
    let path: String

    /// `--dir`, else $MINIPG_CLUSTER_DIR, else ./minipg-lab, or the current directory when it holds a lab.
    static func resolve(_ option: String?) -> LabDirectory {
        let fm = FileManager.default
        let cwd = fm.currentDirectoryPath
        func absolute(_ p: String) -> String { p.hasPrefix("/") ? p : cwd + "/" + p }
        if let option { return LabDirectory(path: absolute(option)) }
        if let env = ProcessInfo.processInfo.environment["MINIPG_CLUSTER_DIR"], !env.isEmpty {
            return LabDirectory(path: absolute(env))
        }
        if fm.fileExists(atPath: cwd + "/cluster.json") { return LabDirectory(path: cwd) }
        return LabDirectory(path: cwd + "/minipg-lab")
    }

    var definitionFile: String { path + "/cluster.json" }
    var ctlConfigFile: String { path + "/minipg-ctl.yml" }
    var configDirectory: String { path + "/conf" }
    func dataDirectory(_ service: String) -> String { path + "/data/" + service }
    func logFile(_ service: String) -> String { path + "/logs/" + service + ".log" }
    func pidFile(_ service: String) -> String { path + "/run/" + service + ".pid" }

    func load() throws -> LabDefinition {
        guard let data = FileManager.default.contents(atPath: definitionFile) else {
            throw LabError("no cluster in \(path) (cluster.json not found); start one with: minipg cluster up")
        }
        return try JSONDecoder().decode(LabDefinition.self, from: data)
    }

    func save(_ definition: LabDefinition) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(definition).write(to: URL(fileURLWithPath: definitionFile), options: .atomic)
    }

    func createLayout() throws {
        for sub in ["conf", "data", "logs", "run"] {
            try FileManager.default.createDirectory(atPath: path + "/" + sub, withIntermediateDirectories: true)
        }
    }
}
