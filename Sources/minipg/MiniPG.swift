// minipg: the one executable. Each subcommand lives in its own file and only parses arguments;
// the work is done by the Server module (and, later, HA and Proxy).

import ArgumentParser

@main
struct MiniPG: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "minipg",
        abstract: "A small PostgreSQL-compatible database, written from scratch in Swift.",
        version: "minipg 0.1 (PostgreSQL 15 protocol)",
        subcommands: [InitDBCommand.self, ServerCommand.self, BaseBackupCommand.self, PromoteCommand.self, CtlCommand.self,
                      ControlDataCommand.self, ClusterCommand.self, ProxyCommand.self, RewindCommand.self, NodeCommand.self]
    )
}
