// `minipg initdb`: creates a new data directory, like PostgreSQL's initdb.

import ArgumentParser
import Logging
import Server

struct InitDBCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "initdb",
        abstract: "Create a new minipg data directory (like PostgreSQL's initdb)."
    )

    @Option(name: [.customShort("D"), .customLong("pgdata")], help: "Location for this database cluster.")
    var dataDirectory: String

    @Option(name: [.customShort("U"), .customLong("username")], help: "Database superuser name.")
    var username: String = "postgres"

    @Option(name: [.customShort("A"), .customLong("auth")], help: "Default authentication method for local connections (trust, md5, scram-sha-256).")
    var auth: String = "trust"

    @Option(name: .customLong("auth-host"), help: "Authentication method for TCP/IP connections.")
    var authHost: String?

    @Option(name: .customLong("auth-local"), help: "Authentication method for Unix-socket connections.")
    var authLocal: String?

    @Option(name: .customLong("pwfile"), help: "Read the superuser's password from this file.")
    var passwordFile: String?

    func run() throws {
        let options = InitDBOptions(
            dataDirectory: dataDirectory, superuser: username,
            hostMethod: authHost ?? auth, localMethod: authLocal ?? auth, passwordFile: passwordFile)
        // initdb prints its own progress; the storage engine's log lines only when something is wrong.
        LoggingSystem.bootstrap { label in ServerLogHandler(label: label, level: .warning) }
        do {
            try InitDB.run(options)
        } catch {
            printError("initdb: error: \(error)")
            throw ExitCode(1)
        }
    }
}
