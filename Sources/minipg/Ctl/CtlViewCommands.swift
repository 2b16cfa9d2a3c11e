// The `minipg ctl` subcommands that only read: list, topology, show-config, history, dsn, and query
// (which runs SQL on a member but changes nothing in the cluster's own state).
import ArgumentParser
import Foundation
import HA

struct CtlList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the members of the cluster.")

    @OptionGroup var options: CtlOptions
    @Argument(help: "Cluster name (default: the configuration's scope).") var clusterNames: [String] = []
    @Option(name: [.customShort("f"), .customLong("format")], help: "pretty, topology, json, yaml or tsv.")
    var format = "pretty"
    @Flag(name: [.customShort("e"), .customLong("extended")], help: "Show every optional column.") var extended = false
    @Flag(name: [.customShort("t"), .customLong("timestamp")], help: "Print a timestamp first.") var timestamp = false
    @Flag(name: [.customShort("W")], help: "Repeat every 2 seconds.") var watchContinuously = false
    @Option(name: [.customShort("w"), .customLong("watch")], help: "Repeat every N seconds.") var watch: Double?

    func run() throws {
        let format = try outputFormat(format)
        let interval = watch.map { Duration.milliseconds(Int64($0 * 1000)) } ?? (watchContinuously ? .seconds(2) : nil)
        let (extended, timestamp) = (extended, timestamp)
        try runCtl(options, cluster: clusterNames.first) { session, _ in
            try await session.list(format: format, extended: extended, timestamp: timestamp, watch: interval)
        }
    }
}

struct CtlTopology: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "topology",
                                                    abstract: "List the members as a replication tree.")

    @OptionGroup var options: CtlOptions
    @Argument(help: "Cluster name.") var clusterName: String?
    @Flag(name: [.customShort("t"), .customLong("timestamp")], help: "Print a timestamp first.") var timestamp = false
    @Flag(name: [.customShort("W")], help: "Repeat every 2 seconds.") var watchContinuously = false
    @Option(name: [.customShort("w"), .customLong("watch")], help: "Repeat every N seconds.") var watch: Double?

    func run() throws {
        let interval = watch.map { Duration.milliseconds(Int64($0 * 1000)) } ?? (watchContinuously ? .seconds(2) : nil)
        let timestamp = timestamp
        try runCtl(options, cluster: clusterName) { session, _ in
            try await session.list(format: .topology, timestamp: timestamp, watch: interval)
        }
    }
}

struct CtlShowConfig: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show-config",
                                                    abstract: "Show the cluster's dynamic configuration.")

    @OptionGroup var options: CtlOptions
    @Argument(help: "Cluster name.") var clusterName: String?

    func run() throws {
        try runCtl(options, cluster: clusterName) { session, _ in try await session.showConfig() }
    }
}

struct CtlHistory: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history",
                                                    abstract: "Show the timeline history of the cluster.")

    @OptionGroup var options: CtlOptions
    @Argument(help: "Cluster name.") var clusterName: String?
    @Option(name: [.customShort("f"), .customLong("format")], help: "pretty, json, yaml or tsv.") var format = "pretty"

    func run() throws {
        let format = try outputFormat(format)
        try runCtl(options, cluster: clusterName) { session, _ in try await session.history(format: format) }
    }
}

struct CtlDSN: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dsn",
                                                    abstract: "Print a connection string for a member.")

    @OptionGroup var options: CtlOptions
    @Argument(help: "Cluster name.") var clusterName: String?
    @Option(name: [.customShort("r"), .customLong("role")], help: "primary, replica or any.") var role: String?
    @Option(name: [.customShort("m"), .customLong("member")], help: "A member name.") var member: String?

    func run() throws {
        let (role, member) = (role, member)
        try runCtl(options, cluster: clusterName) { session, _ in
            session.terminal.print(try await session.dsn(member: member, role: role))
        }
    }
}

struct CtlQuery: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "query",
                                                    abstract: "Run SQL on a member (the leader by default).")

    @OptionGroup var options: CtlOptions
    @Argument(help: "Cluster name.") var clusterName: String?
    @Option(name: .customLong("command"), help: "The SQL to run.") var command: String?
    @Option(name: .customLong("file"), help: "A file of SQL to run.") var file: String?
    @Option(name: [.customShort("m"), .customLong("member")], help: "A member name.") var member: String?
    @Option(name: [.customShort("r"), .customLong("role")], help: "primary, replica or any.") var role: String?
    @Option(name: [.customShort("d"), .customLong("dbname")], help: "Database (default postgres).") var database = "postgres"
    @Option(name: [.customShort("U"), .customLong("username")], help: "User (default: the superuser of the file).")
    var username: String?
    @Option(name: .customLong("format"), help: "tsv, pretty, json or yaml.") var format = "tsv"

    func run() throws {
        let format = try outputFormat(format)
        let sql: String
        switch (command, file) {
        case (let command?, nil): sql = command
        case (nil, let file?): sql = try String(contentsOfFile: file, encoding: .utf8)
        default: throw ValidationError("give the SQL with exactly one of --command and --file")
        }
        let (member, role, database, username) = (member, role, database, username)
        try runCtl(options, cluster: clusterName) { session, configuration in
            let superuser = configuration?.postgresql.superuser
            let user = username ?? superuser?.username ?? "postgres"
            try await session.query(CtlQueryRequest(
                sql: sql, member: member, role: role, database: database, user: user,
                password: user == superuser?.username ? superuser?.password : ProcessInfo.processInfo.environment["PGPASSWORD"],
                format: format))
        }
    }
}
