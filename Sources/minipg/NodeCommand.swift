// `minipg node -c patroni1.yml`: the HA agent of one node in the foreground (what `patroni patroni1.yml`
// is in the lab). It supervises this node's `minipg server`, keeps its member key and — when it leads —
// the leader lock in etcd, and serves the REST API. `--validate-config` only checks the file.
//
// SIGTERM or SIGINT: the current HA cycle finishes, the server is stopped (fast), the leader lock is
// released if held (a replica takes over at once instead of after ttl), the REST API closes, exit 0.

import ArgumentParser
import Dispatch
import Foundation
import HA
import Logging
import Server
import Synchronization

struct NodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Run the HA agent of one node (Patroni's role): supervise its server, hold the leader lock in etcd, serve the REST API."
    )

    @Option(name: [.customShort("c"), .customLong("config")], help: "The node's Patroni-shaped YAML configuration.")
    var configFile: String

    @Flag(name: .customLong("validate-config"), help: "Check the configuration file and exit.")
    var validateOnly = false

    func run() throws {
        let configuration: NodeConfiguration
        do {
            configuration = try NodeConfiguration.load(path: configFile)
        } catch {
            printError("minipg node: \(configFile): \(error)")
            throw ExitCode(1)
        }
        let timing = TimingRules(configuration.bootstrapDynamicConfig)
        let ttl = Duration.seconds(timing.ttl)
        let summary = """
            minipg node \(configuration.name) (cluster \(configuration.scope)): \(timing.explanation)
            a primary that cannot renew its leader lease stops accepting writes \(ttl - LeaseGuard.safetyMargin(ttl: ttl)) \
            after its last successful renewal, before the lease can expire for anyone else

            """
        FileHandle.standardOutput.write(Data(summary.utf8))
        if validateOnly { return }

        LoggingSystem.bootstrap { label in ServerLogHandler(label: label) }
        let logger = Logger(label: "minipg.node")
        signal(SIGPIPE, SIG_IGN)
        let stopRequests = AsyncStream<String>.makeStream()
        var signalSources: [DispatchSourceSignal] = []
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            let name = number == SIGTERM ? "received SIGTERM" : "received SIGINT"
            source.setEventHandler { stopRequests.continuation.yield(name) }
            source.resume()
            signalSources.append(source)
        }

        let finished = DispatchSemaphore(value: 0)
        let exitCode = Mutex<Int32>(0)
        Task {
            do {
                try await HANode(configuration: configuration, logger: logger).run(until: stopRequests.stream)
            } catch {
                logger.critical("\(error)")
                exitCode.withLock { $0 = 1 }
            }
            finished.signal()
        }
        finished.wait()
        withExtendedLifetime(signalSources) {}
        let code = exitCode.withLock { $0 }
        if code != 0 { throw ExitCode(code) }
    }
}
