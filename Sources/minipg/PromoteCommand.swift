// `minipg promote -D DIR`: ends recovery on the standby running there, like `pg_ctl promote`
// (the work is Server's PromoteRequest).

import ArgumentParser
import Server

struct PromoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote",
        abstract: "Promote a standby server to a primary (like `pg_ctl promote`)."
    )

    @Option(name: [.customShort("D"), .customLong("pgdata")], help: "Data directory of the running standby.")
    var dataDirectory: String

    @Flag(name: [.customShort("W"), .customLong("no-wait")], help: "Do not wait until the promotion finished.")
    var noWait = false

    @Option(name: [.customShort("t"), .customLong("timeout")], help: "Seconds to wait (default 60).")
    var timeoutSeconds = 60

    func run() throws {
        do {
            if !noWait { print("waiting for server to promote...", terminator: "") }
            switch try PromoteRequest.run(dataDirectory: dataDirectory, wait: !noWait, timeout: .seconds(timeoutSeconds)) {
            case .promoted:
                print(" done\nserver promoted")
            case .signalled:
                print("server promoting")
            case .timedOut:
                print(" stopped waiting")
                printError("minipg: server did not promote in time")
                throw ExitCode(1)
            }
        } catch let error as ServerError {
            if !noWait { print("") }
            printError("minipg: \(error)")
            throw ExitCode(1)
        }
    }
}
