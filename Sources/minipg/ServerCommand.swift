// `minipg server`: runs one database instance in the foreground, like `postgres -D DIR`.
// SIGTERM = smart shutdown, SIGINT = fast, SIGQUIT = immediate (crash-like, recovery on next start).

import ArgumentParser
import Server

struct ServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Run a minipg database server in the foreground (like `postgres`)."
    )

    @Option(name: [.customShort("D"), .customLong("pgdata")], help: "Data directory.")
    var dataDirectory: String

    @Option(name: .customShort("p"), help: "Port to listen on (overrides postgresql.conf).")
    var port: Int?

    @Option(name: .customShort("h"), help: "Listen addresses, comma-separated (overrides listen_addresses).")
    var listenAddresses: String?

    @Option(name: .customShort("c"), help: "Set a run-time parameter: -c name=value (repeatable).")
    var settings: [String] = []

    func run() throws {
        SupervisorFence.armIfSupervised()
        var overrides: [(String, String)] = []
        for setting in settings {
            guard let equals = setting.firstIndex(of: "=") else {
                printError("minipg: -c \(setting) requires a value")
                throw ExitCode(1)
            }
            overrides.append((String(setting[..<equals]), String(setting[setting.index(after: equals)...])))
        }
        if let port { overrides.append(("port", String(port))) }
        if let listenAddresses { overrides.append(("listen_addresses", listenAddresses)) }
        let code = ServerInstance.runUntilShutdown(dataDirectory: dataDirectory, overrides: overrides)
        if code != 0 { throw ExitCode(code) }
    }
}
