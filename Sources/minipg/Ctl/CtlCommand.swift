// `minipg ctl`: patronictl for minipg clusters. This file holds the command group, the options every
// subcommand shares and the plumbing from them to a `CtlSession` (HA/Ctl), which does the work.
//
// Which configuration: `-c/--config-file FILE` (a node's YAML: scope, namespace, etcd hosts, REST
// credentials), else $MINIPG_CTL_CONFIG, else ./minipg-ctl.yml — the file `minipg cluster up` writes into
// the lab directory, so `minipg ctl list` works from there without flags. `--dcs-url etcd3://h:p,h:p`
// overrides the etcd endpoints (or replaces the file, with the cluster name given as an argument).
// Because -c names the configuration for every subcommand, `query` takes its SQL with --command.
import ArgumentParser
import Foundation
import HA
import Logging
import Synchronization

struct CtlCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ctl",
        abstract: "Inspect and change an HA cluster (patronictl's commands).",
        subcommands: [CtlList.self, CtlTopology.self, CtlShowConfig.self, CtlEditConfig.self, CtlHistory.self,
                      CtlRestart.self, CtlReload.self, CtlReinit.self, CtlFailover.self, CtlSwitchover.self,
                      CtlPause.self, CtlResume.self, CtlFlush.self, CtlRemove.self, CtlDSN.self, CtlQuery.self]
    )

    @OptionGroup var options: CtlOptions
}

struct CtlOptions: ParsableArguments {
    static let defaultConfigFile = "minipg-ctl.yml"
    static let configEnvironmentVariable = "MINIPG_CTL_CONFIG"

    @Option(name: [.customShort("c"), .customLong("config-file")],
            help: "A node's YAML configuration (default: $MINIPG_CTL_CONFIG, else ./minipg-ctl.yml).")
    var configFile: String?

    @Option(name: [.customLong("dcs-url"), .customLong("dcs")],
            help: "etcd endpoints, e.g. etcd3://127.0.0.1:2379,127.0.0.1:2381 (overrides the file's).")
    var dcsURL: String?

    /// The configuration file to read, or nil when only --dcs-url is given and no default file exists.
    func configurationPath() -> String? {
        if let configFile { return configFile }
        if let path = ProcessInfo.processInfo.environment[Self.configEnvironmentVariable], !path.isEmpty { return path }
        if dcsURL != nil && !FileManager.default.fileExists(atPath: Self.defaultConfigFile) { return nil }
        return Self.defaultConfigFile
    }

    /// "etcd3://a:1,b:2" → ["a:1", "b:2"].
    static func hosts(fromDCSURL url: String) -> [String] {
        var rest = Substring(url)
        for scheme in ["etcd3://", "etcd://"] where rest.hasPrefix(scheme) { rest = rest.dropFirst(scheme.count) }
        return rest.split(separator: ",").map(String.init)
    }
}

/// What one ctl invocation works with: the parsed configuration (if any) and the session over etcd.
struct CtlEnvironment {
    let configuration: NodeConfiguration?
    let session: CtlSession
    let etcd: EtcdKeyValueStore

    init(options: CtlOptions, cluster: String?) throws {
        var configuration: NodeConfiguration?
        if let path = options.configurationPath() {
            configuration = try NodeConfiguration.load(path: path)
        }
        let hosts = options.dcsURL.map(CtlOptions.hosts(fromDCSURL:))
            ?? configuration?.etcdHosts.map(\.description) ?? []
        guard let scope = cluster ?? configuration?.scope else {
            throw CtlError("No cluster name given and no configuration file (-c, $\(CtlOptions.configEnvironmentVariable) or ./\(CtlOptions.defaultConfigFile))")
        }
        // The store's per-endpoint warnings are for the agent's log; ctl reports the final failure itself.
        var logger = Logger(label: "minipg.ctl.etcd")
        logger.logLevel = .error
        etcd = try EtcdKeyValueStore(hosts: hosts, logger: logger)
        let namespace = configuration?.namespace ?? "/service/"
        let store = ClusterStore(store: etcd, namespace: namespace, scope: scope, memberName: "minipg-ctl")
        self.configuration = configuration
        session = CtlSession(store: store, scope: scope,
                             api: HTTPMemberAPIClient(authentication: configuration?.restClientAuthentication),
                             terminal: StandardTerminal())
    }
}

/// Runs one subcommand's work: builds the environment, waits for the async body, and turns failures
/// into patronictl's "Error: …" on standard error with exit status 1.
func runCtl(_ options: CtlOptions, cluster: String?,
            _ body: @escaping @Sendable (CtlSession, NodeConfiguration?) async throws -> Void) throws {
    let environment: CtlEnvironment
    do {
        environment = try CtlEnvironment(options: options, cluster: cluster)
    } catch {
        printError("Error: \(error)")
        throw ExitCode(1)
    }
    let outcome = Mutex<(any Error)??>(nil)
    let finished = DispatchSemaphore(value: 0)
    let session = environment.session, configuration = environment.configuration, etcd = environment.etcd
    Task {
        var failure: (any Error)?
        do { try await body(session, configuration) } catch { failure = error }
        try? await etcd.shutdown()
        outcome.withLock { $0 = .some(failure) }
        finished.signal()
    }
    finished.wait()
    if let failure = outcome.withLock({ $0 }) ?? nil {
        if let exit = failure as? ExitCode { throw exit }
        printError("Error: \(failure)")
        throw ExitCode(1)
    }
}

/// A -f/--format value: pretty, topology, json, yaml (yml) or tsv.
func outputFormat(_ text: String) throws -> OutputFormat {
    guard let format = OutputFormat(option: text) else {
        throw ValidationError("invalid format \"\(text)\": use pretty, topology, json, yaml or tsv")
    }
    return format
}
