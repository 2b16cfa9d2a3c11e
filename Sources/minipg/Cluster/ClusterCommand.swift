// `minipg cluster`: the lab's docker-compose. `up` writes the configurations and starts 3 etcd members,
// 3 nodes (agent + server each) and the proxy as background processes, then waits for a healthy
// cluster while printing progress; the other subcommands act on what `up` started (see LabDefinition).
import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

struct ClusterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Run the lab: etcd, minipg nodes and the proxy as local background processes.",
        subcommands: [Up.self, Ps.self, Kill.self, Stop.self, Start.self, Down.self, Logs.self, Psql.self])

    struct DirectoryOption: ParsableArguments {
        @Option(name: .long, help: "The lab directory (default: $MINIPG_CLUSTER_DIR, ./minipg-lab).")
        var dir: String?
        var lab: LabDirectory { LabDirectory.resolve(dir) }

        /// The named services of the lab, in the order given (all resolved before any is acted on).
        func forEachProcess(named names: [String], _ body: (ServiceProcess) throws -> Void) throws {
            let lab = self.lab
            let definition = try lab.load()
            let services = try names.map { try definition.service(named: $0) }
            for service in services { try body(ServiceProcess(service: service, directory: lab)) }
        }
    }

    struct Up: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create and start the cluster, or start whatever of it is down.")
        @OptionGroup var directory: DirectoryOption
        @Option(help: "The cluster's name (Patroni's scope).") var scope = "demo"
        @Option(help: "Number of minipg nodes.") var nodes = 3
        @Option(help: "Number of etcd members.") var etcd = 3
        @Option(help: "Add this to every port (5432, 8008, 2379, 5000, …).") var portOffset = 0
        @Option(help: "Leader lock TTL in seconds.") var ttl = 10
        @Option(help: "Seconds between HA loop cycles.") var loopWait = 2
        @Option(help: "Seconds the agent retries the DCS and PostgreSQL before giving up.") var retryTimeout = 3
        @Flag(help: "Patroni's synchronous_mode: commits wait for a synchronous standby.") var synchronousMode = false
        @Option(help: "Seconds to wait for a healthy cluster.") var timeout = 180.0

        func run() throws {
            let lab = directory.lab
            let definition: LabDefinition
            if FileManager.default.fileExists(atPath: lab.definitionFile) {
                definition = try lab.load()
                print("Starting what is down in \(lab.path) (cluster \(definition.scope))")
            } else {
                guard (2...9).contains(nodes), (1...9).contains(etcd) else {
                    throw ValidationError("--nodes must be 2…9 and --etcd 1…9")
                }
                let options = LabOptions(scope: scope, nodes: nodes, etcdMembers: etcd, portOffset: portOffset,
                                         ttl: ttl, loopWait: loopWait, retryTimeout: retryTimeout,
                                         synchronousMode: synchronousMode)
                let plan = LabPlan(options: options, directory: lab, minipgPath: try currentExecutablePath(),
                                   etcdPath: try findEtcd())
                try lab.createLayout()
                try plan.writeConfigurationFiles()
                definition = LabDefinition(scope: scope, services: plan.services())
                try lab.save(definition)
                print("Creating cluster \(scope) in \(lab.path)")
            }
            let started = ContinuousClock.now
            // etcd first (the agents need the DCS), then the nodes, then the proxy.
            for kind in [LabService.Kind.etcd, .node, .proxy] {
                for service in definition.services where service.kind == kind {
                    let process = ServiceProcess(service: service, directory: lab)
                    if process.runningPID != nil {
                        print("  \(service.name) is up")
                    } else {
                        try process.start()
                        print("  started \(service.name)")
                    }
                }
            }
            try waitUntilHealthy(definition, lab: lab, since: started)
        }

        private func waitUntilHealthy(_ definition: LabDefinition, lab: LabDirectory,
                                      since started: ContinuousClock.Instant) throws {
            var lastSummary = ""
            let deadline = started + .seconds(timeout)
            while true {
                let health = LabHealth.probe(definition)
                let elapsed = ContinuousClock.now - started
                let seconds = String(format: "%.1f", Double(elapsed.components.seconds)
                                     + Double(elapsed.components.attoseconds) / 1e18)
                if health.summary != lastSummary {
                    print("  [\(seconds) s] \(health.summary)")
                    lastSummary = health.summary
                }
                if health.isHealthy {
                    printConnectionHelp(definition, lab: lab, seconds: seconds)
                    return
                }
                if ContinuousClock.now > deadline {
                    throw LabError("the cluster is not healthy after \(Int(timeout)) s: \(health.summary)\n"
                                   + "see the logs: minipg cluster logs NAME --dir \(lab.path)")
                }
                for service in definition.services
                where ServiceProcess(service: service, directory: lab).runningPID == nil {
                    throw LabError("\(service.name) exited; its log says:\n"
                                   + tail(of: lab.logFile(service.name), lines: 15))
                }
                usleep(250_000)
            }
        }

        private func printConnectionHelp(_ definition: LabDefinition, lab: LabDirectory, seconds: String) {
            let proxy = definition.services.first { $0.kind == .proxy }
            let ports = proxy?.ports.compactMap { $0.split(separator: ":").last.map(String.init) } ?? []
            print("""
            Cluster \(definition.scope) is healthy after \(seconds) s.
              psql -h localhost -p \(ports.first ?? "5000") -U postgres        # password postgres → the primary
              psql -h localhost -p \(ports.dropFirst().first ?? "5001") -U postgres        # → a standby
              cd \(lab.path) && minipg ctl list
              proxy stats: http://127.0.0.1:\(ports.last ?? "7000")/
            """)
        }
    }

    struct Ps: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the services and their states.")
        @OptionGroup var directory: DirectoryOption

        func run() throws {
            let lab = directory.lab
            let definition = try lab.load()
            let rows = definition.services.map { service -> [String] in
                let program = URL(fileURLWithPath: service.arguments[0]).lastPathComponent
                let command = program + (service.arguments.count > 1 ? " \(service.arguments[1]) ..." : "")
                let state = ServiceProcess(service: service, directory: lab).runningPID != nil ? "Up" : "Down"
                return [service.name, command, state, service.ports.joined(separator: ", ")]
            }
            print(composeTable(header: ["Name", "Command", "State", "Ports"], rows: rows))
        }
    }

    struct Kill: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "SIGKILL a service (a node: its agent and its server), like docker kill.")
        @OptionGroup var directory: DirectoryOption
        @Argument(help: "Service names (demo-patroni1) or member names (patroni1).") var names: [String]

        func run() throws {
            try directory.forEachProcess(named: names) { process in
                process.killNow()
                print(process.service.name)
            }
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop services gracefully (SIGTERM).")
        @OptionGroup var directory: DirectoryOption
        @Argument(help: "Service or member names.") var names: [String]

        func run() throws {
            try directory.forEachProcess(named: names) { process in
                print("Stopping \(process.service.name) ...")
                process.stop()
            }
        }
    }

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start stopped services.")
        @OptionGroup var directory: DirectoryOption
        @Argument(help: "Service or member names.") var names: [String]

        func run() throws {
            try directory.forEachProcess(named: names) { process in
                if process.runningPID == nil { try process.start() }
                print("Starting \(process.service.name) ... done")
            }
        }
    }

    struct Down: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop every service (proxy, nodes, then etcd); --volumes also deletes the lab directory.")
        @OptionGroup var directory: DirectoryOption
        @Flag(help: "Remove the lab directory (data, logs, configuration) too.") var volumes = false

        func run() throws {
            let lab = directory.lab
            let definition = try lab.load()
            for kind in [LabService.Kind.proxy, .node, .etcd] {
                for service in definition.services where service.kind == kind {
                    print("Stopping \(service.name) ...")
                    ServiceProcess(service: service, directory: lab).stop()
                }
            }
            if volumes {
                try FileManager.default.removeItem(atPath: lab.path)
                print("Removed \(lab.path)")
            }
        }
    }

    struct Logs: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a service's log.")
        @OptionGroup var directory: DirectoryOption
        @Argument(help: "Service or member name.") var name: String
        @Flag(name: .shortAndLong, help: "Keep printing what is appended.") var follow = false
        @Option(name: .long, help: "Only the last N lines.") var tail: Int?

        func run() throws {
            let lab = directory.lab
            let service = try lab.load().service(named: name)
            let path = lab.logFile(service.name)
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw LabError("no log yet for \(service.name) (\(path))")
            }
            if let tail {
                print(minipg.tail(of: path, lines: tail))
                handle.seekToEndOfFile()
            } else {
                FileHandle.standardOutput.write(handle.readDataToEndOfFile())
            }
            while follow {
                let data = handle.readDataToEndOfFile()
                if data.isEmpty { usleep(200_000) } else { FileHandle.standardOutput.write(data) }
            }
        }
    }

    struct Psql: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run psql against a member (or the proxy's primary port), as user postgres.")
        @OptionGroup var directory: DirectoryOption
        @Argument(help: "Member or service name; `proxy` for port 5000.") var name: String
        @Argument(parsing: .captureForPassthrough, help: "More psql arguments.") var psqlArguments: [String] = []

        func run() throws {
            let definition = try directory.lab.load()
            let service = try definition.service(named: name)
            let port: String
            switch service.kind {
            case .node: port = String(service.postgresPort ?? 5432)
            case .proxy: port = service.ports.first.flatMap { $0.split(separator: ":").last.map(String.init) } ?? "5000"
            case .etcd: throw LabError("\(service.name) is an etcd member; use etcdctl")
            }
            setenv("PGPASSWORD", ProcessInfo.processInfo.environment["PGPASSWORD"] ?? "postgres", 0)
            let argv = ["psql", "-h", "127.0.0.1", "-p", port, "-U", "postgres"] + psqlArguments
            let cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
            execvp("psql", cArgs)
            throw LabError("cannot run psql: \(String(cString: strerror(errno))) (install postgresql-client)")
        }
    }
}

/// docker-compose ps's layout: a header, a dashed rule, left-aligned columns.
func composeTable(header: [String], rows: [[String]]) -> String {
    let widths = header.indices.map { column in
        ([header] + rows).map { $0[column].count }.max() ?? 0
    }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { $0.element.padding(toLength: widths[$0.offset] + 3, withPad: " ", startingAt: 0) }
            .joined().trimmingCharacters(in: .whitespaces)
    }
    let rule = String(repeating: "-", count: widths.reduce(0) { $0 + $1 + 3 } - 3)
    return ([line(header), rule] + rows.map(line)).joined(separator: "\n")
}

/// The last `lines` lines of a file.
func tail(of path: String, lines: Int) -> String {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return "(no log at \(path))" }
    return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines + 1)
        .joined(separator: "\n").trimmingCharacters(in: .newlines)
}

/// This executable's absolute path (services are started with the same binary).
func currentExecutablePath() throws -> String {
    let resolved = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    return resolved
}

/// etcd from $PATH (Debian's etcd-server installs /usr/bin/etcd), or a message saying how to get it.
func findEtcd() throws -> String {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    let directories = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/local/bin"]
    for directory in directories {
        let candidate = "\(directory)/etcd"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    throw LabError("""
        etcd is not installed. The lab runs 3 real etcd members. Install it with:
            sudo apt-get install etcd-server etcd-client      # Debian 12 / Ubuntu: etcd 3.4
        then run `minipg cluster up` again.
        """)
}
