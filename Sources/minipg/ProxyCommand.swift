// `minipg proxy -c proxy.yml`: runs the TCP proxy in front of a cluster in the foreground (HAProxy's
// role in the lab): port 5000 → the primary, 5001 → the standbys, stats on 7000. SIGTERM or SIGINT
// closes the listeners and exits.

import ArgumentParser
import Dispatch
import Foundation
import Logging
import Proxy
import Server

struct ProxyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxy",
        abstract: "Run the TCP proxy in front of the cluster (primary and replica listeners, HTTP health checks, stats page)."
    )

    @Option(name: [.customShort("c"), .customLong("config")], help: "The proxy's YAML configuration file.")
    var configFile: String

    func run() throws {
        let configuration: ProxyConfiguration
        do {
            let text = try String(contentsOfFile: configFile, encoding: .utf8)
            configuration = try ProxyConfiguration.parse(yaml: text)
        } catch let error as ProxyConfigurationError {
            printError("minipg proxy: \(configFile): \(error)")
            throw ExitCode(1)
        } catch {
            printError("minipg proxy: cannot read \(configFile): \(error.localizedDescription)")
            throw ExitCode(1)
        }
        LoggingSystem.bootstrap { label in ServerLogHandler(label: label) }
        let logger = Logger(label: "minipg.proxy")

        signal(SIGPIPE, SIG_IGN)
        let stopRequested = DispatchSemaphore(value: 0)
        var signalSources: [DispatchSourceSignal] = []
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { stopRequested.signal() }
            source.resume()
            signalSources.append(source)
        }

        let finished = DispatchSemaphore(value: 0)
        let failed = LockedFlag()
        Task {
            do {
                let service = try await ProxyService.start(configuration: configuration, logger: logger)
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    DispatchQueue.global().async {
                        stopRequested.wait()
                        continuation.resume()
                    }
                }
                logger.info("received shutdown request")
                await service.stop()
            } catch {
                logger.critical("could not start the proxy: \(error)")
                failed.set()
            }
            finished.signal()
        }
        finished.wait()
        withExtendedLifetime(signalSources) {}
        if failed.isSet { throw ExitCode(1) }
    }
}

/// A flag set from the proxy's task and read by the main thread once the task is done.
private final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
