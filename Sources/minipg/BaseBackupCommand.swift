// `minipg basebackup`: clones a running primary into an empty directory, like
// `pg_basebackup -Fp -X stream [-R] [-S slot] [-c fast|spread] [-P]`. The work is done by
// Replication's BaseBackupClient; this file only parses arguments and reports.
// The password comes from PGPASSWORD (there is no prompt); a failed backup removes what it created.

import ArgumentParser
import Foundation
import Logging
import PGWire
import Replication
import Server

struct BaseBackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "basebackup",
        abstract: "Take a base backup of a running minipg or PostgreSQL server (like pg_basebackup)."
    )

    @Option(name: [.customShort("h"), .customLong("host")], help: "Database server host or socket directory.")
    var host: String?

    @Option(name: [.customShort("p"), .customLong("port")], help: "Database server port number.")
    var port: Int?

    @Option(name: [.customShort("U"), .customLong("username")], help: "Connect as the specified database user.")
    var user: String?

    @Option(name: [.customShort("D"), .customLong("pgdata")], help: "Receive the base backup into this directory.")
    var directory: String

    @Flag(name: [.customShort("R"), .customLong("write-recovery-conf")],
          help: "Write configuration for replication (standby.signal, primary_conninfo).")
    var writeRecoveryConfiguration = false

    @Option(name: [.customShort("S"), .customLong("slot")], help: "Replication slot to use.")
    var slot: String?

    @Option(name: [.customShort("c"), .customLong("checkpoint")], help: "Set fast or spread checkpointing.")
    var checkpoint: String = "fast"

    @Flag(name: [.customShort("P"), .customLong("progress")], help: "Show progress information.")
    var progress = false

    @Flag(name: [.customShort("v"), .customLong("verbose")], help: "Output verbose messages.")
    var verbose = false

    func run() throws {
        LoggingSystem.bootstrap { label in ServerLogHandler(label: label, level: verbose ? .info : .warning) }
        guard let checkpointMode = BaseBackupClientOptions.Checkpoint(rawValue: checkpoint) else {
            printError("basebackup: error: invalid checkpoint argument \"\(checkpoint)\", must be \"fast\" or \"spread\"")
            throw ExitCode(1)
        }
        let environment = ProcessInfo.processInfo.environment
        var info = ConnectionInfo(pairs: [])
        info["host"] = host
        info["port"] = port.map(String.init)
        info["user"] = user
        let existed = FileManager.default.fileExists(atPath: directory)
        do {
            var options = BaseBackupClientOptions(
                connection: try info.clientConfiguration(environment: environment), targetDirectory: directory)
            options.writeRecoveryConfiguration = writeRecoveryConfiguration
            options.slotName = slot
            options.checkpoint = checkpointMode
            options.showProgress = progress
            try BaseBackupClient(options: options, report: { printError($0) }).run()
        } catch {
            printError("basebackup: error: \(error)")
            if isNotEmptyRefusal(error) { throw ExitCode(1) }
            printError("basebackup: removing \(existed ? "contents of " : "")data directory \"\(directory)\"")
            removeCreated(existed: existed)
            throw ExitCode(1)
        }
    }

    private func isNotEmptyRefusal(_ error: any Error) -> Bool {
        "\(error)".hasSuffix("exists but is not empty")
    }

    /// pg_basebackup removes the directory it created, or only the contents of one that existed.
    private func removeCreated(existed: Bool) {
        let manager = FileManager.default
        if existed {
            for name in (try? manager.contentsOfDirectory(atPath: directory)) ?? [] {
                try? manager.removeItem(atPath: directory + "/" + name)
            }
        } else {
            try? manager.removeItem(atPath: directory)
        }
    }
}
