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
            try PromoteRequest.signal(dataDirectory: dataDirectory)
        } catch let error as ServerError {
            printError("minipg: \(error)")
            throw ExitCode(1)
        }
        guard !noWait else {
            print("server promoting")
            return
        }
        print("waiting for server to promote...", terminator: "")
        guard PromoteRequest.waitUntilPromoted(dataDirectory: dataDirectory, timeout: .seconds(timeoutSeconds)) else {
            print(" stopped waiting")
            printError("minipg: server did not promote in time")
            throw ExitCode(1)
        }
        print(" done\nserver promoted")
    }
}
