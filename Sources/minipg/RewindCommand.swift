// `minipg rewind -D DIR --source-server CONNINFO`: brings a stopped former primary that wrote past
// the fork point back in line with the new primary, copying only what it changed since the fork
// (like pg_rewind; the work is Replication's RewindClient). The HA agent runs it as a subprocess,
// so its flags and exit codes stay stable: 0 rewound or no rewind needed, 1 failed (the reason on
// standard error). Messages go to standard error, as pg_rewind's do.

import ArgumentParser
import Foundation
import Logging
import PGWire
import Replication
import Server

struct RewindCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rewind",
        abstract: "Synchronize a data directory with another copy of it that forked off (like pg_rewind)."
    )

    @Option(name: [.customShort("D"), .customLong("target-pgdata")], help: "Existing data directory to modify.")
    var directory: String

    @Option(name: .customLong("source-server"), help: "Source server to synchronize with (a libpq connection string).")
    var sourceServer: String

    @Flag(name: [.customShort("R"), .customLong("write-recovery-conf")],
          help: "Write configuration for replication (standby.signal, primary_conninfo).")
    var writeRecoveryConfiguration = false

    @Flag(name: [.customShort("n"), .customLong("dry-run")], help: "Stop before modifying anything.")
    var dryRun = false

    @Flag(name: [.customShort("P"), .customLong("progress")], help: "Write progress messages.")
    var progress = false

    @Flag(name: .customLong("debug"), help: "Write a lot of debug messages.")
    var debug = false

    func run() throws {
        LoggingSystem.bootstrap { label in ServerLogHandler(label: label, level: debug ? .info : .warning) }
        do {
            let source = try ConnectionInfo(parsing: sourceServer)
                .clientConfiguration(environment: ProcessInfo.processInfo.environment)
            var options = RewindOptions(source: source, targetDirectory: directory)
            options.writeRecoveryConfiguration = writeRecoveryConfiguration
            options.dryRun = dryRun
            options.showProgress = progress
            _ = try RewindClient(options: options, report: { printError("rewind: " + $0) }).run()
        } catch {
            printError("rewind: error: \(error)")
            throw ExitCode(1)
        }
    }
}
