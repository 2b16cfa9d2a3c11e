// The `minipg ctl` subcommands that change the cluster: edit-config, restart, reload, reinit, failover,
// switchover, pause, resume and remove. Each parses its flags into a request of HA/Ctl and runs it.
import ArgumentParser
import Foundation
import HA

struct CtlEditConfig: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "edit-config",
                                                    abstract: "Change the cluster's dynamic configuration.")

    @OptionGroup var options: CtlOptions
    @Argument(help: "Cluster name.") var clusterName: String?
    @Option(name: [.customShort("s"), .customLong("set")], help: "key=value (dotted keys; empty value deletes).")
    var settings: [String] = []
    @Option(name: [.customShort("p"), .customLong("pg")], help: "name=value for postgresql.parameters.")
    var parameters: [String] = []
    @Option(name: .customLong("apply"), help: "Merge this YAML file (- for standard input).") var applyFile: String?
    @Option(name: .customLong("replace"), help: "Replace with this YAML file (- for standard input).")
    var replaceFile: String?
    @Flag(name: [.customShort("q"), .customLong("quiet")], help: "Do not show the diff.") var quiet = false
    @Flag(name: .customLong("force"), help: "Apply without asking.") var force = false

    func run() throws {
        let request = ConfigEditRequest(
            settings: settings, parameters: parameters, applyDocument: try applyFile.map(Self.read),
            replaceDocument: try replaceFile.map(Self.read),
            fromStandardInput: applyFile == "-" || replaceFile == "-", force: force, quiet: quiet)
        try runCtl(options, cluster: clusterName) { session, _ in
            let scope = session.scope
            try await session.editConfig(request) { text in
                try ExternalEditor.edit(text, clusterName: scope)
            }
        }
    }

    static func read(_ path: String) throws -> String {
        if path == "-" { return String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) }
        return try String(contentsOfFile: path, encoding: .utf8)
    }
}

struct CtlRestart: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "restart", abstract: "Restart members' servers.")

    @OptionGroup var options: CtlOptions
    @Argument(help: "Cluster name.") var clusterName: String
    @Argument(help: "Members (default: all of the role).") var members: [String] = []
    @Option(name: [.customShort("r"), .customLong("role")], help: "primary, replica or any.") var role = "any"
    @Flag(name: .customLong("pending"), help: "Only members with a pending restart.") var pending = false
    @Option(name: .customLong("scheduled"), help: "When: now or an ISO 8601 time.") var scheduled: String?
    @Option(name: .customLong("pg-version"), help: "Only if the running version is lower.") var postgresVersion: String?
    @Option(name: .customLong("timeout"), help: "Seconds to wait for the server to start.") var timeout: Int?
    @Flag(name: .customLong("force"), help: "Do not ask.") var force = false

    func run() throws {
        let request = RestartRequestOptions(members: members, role: role, pendingOnly: pending, scheduled: scheduled,
                                            postgresVersion: postgresVersion, timeout: timeout, force: force)
        try runCtl(options, cluster: clusterName) { session, _ in try await session.restart(request) }
    }
}

struct CtlReload: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reload",
                                                    abstract: "Make members re-read their configuration.")

    @OptionGroup var options: CtlOptions
    @Argument(help: "Cluster name.") var clusterName: String
    @Argument(help: "Members (default: all of the role).") var members: [String] = []
    @Option(name: [.customShort("r"), .customLong("role")], help: "primary, replica or any.") var role = "any"
    @Flag(name: .customLong("force"), help: "Do not ask.") var force = false

    func run() throws {
        let (members, role, force) = (members, role, force)
        try runCtl(options, cluster: clusterName) { session, _ in
            try await session.reload(members: members, role: role, force: force)
        }
    }
}

struct CtlReinit: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reinit",
                                                    abstract: "Rebuild replicas from the leader.")

    @OptionGroup var options: CtlOptions
    @Argument(help: "Cluster name.") var clusterName: String
    @Argument(help: "Replicas to rebuild.") var members: [String] = []
    @Flag(name: .customLong("force"), help: "Do not ask; cancel a running action.") var force = false
    @Flag(name: .customLong("wait"), help: "Wait until the rebuild has finished.") var wait = false

    func run() throws {
        let (members, force, wait) = (members, force, wait)
        try runCtl(options, cluster: clusterName) { session, _ in
            try await session.reinit(members: members, force: force, wait: wait)
        }
    }
}

struct CtlFailover: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "failover",
                                                    abstract: "Make a chosen member the leader, healthy leader or not.")

    @OptionGroup var options: CtlOptions
    @Argument(help: "Cluster name.") var clusterName: String?
    @Option(name: .customLong("candidate"), help: "The member to promote.") var candidate: String?
    @Option(name: [.customLong("leader"), .customLong("primary")], help: "Deprecated: makes this a switchover.")
    var leader: String?
    @Flag(name: .customLong("force"), help: "Do not ask.") var force = false

    func run() throws {
        let options = SwitchoverOptions(leader: leader, candidate: candidate, force: force)
        let action: SwitchoverPlan.Action = leader == nil ? .failover : .switchover
        if leader != nil {
            printError("Warning: failover with --leader is deprecated; doing a switchover. Use 'minipg ctl switchover'.")
        }
        try runCtl(self.options, cluster: clusterName) { session, _ in try await session.switchover(action, options) }
    }
}

struct CtlSwitchover: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "switchover",
                                                    abstract: "Hand the leader role over to another member, now or later.")

    @OptionGroup var options: CtlOptions
    @Argument(help: "Cluster name.") var clusterName: String?
    @Option(name: [.customLong("leader"), .customLong("primary")], help: "The current leader.") var leader: String?
    @Option(name: .customLong("candidate"), help: "The member to promote (default: the healthiest).")
    var candidate: String?
    @Option(name: .customLong("scheduled"), help: "When: now or an ISO 8601 time.") var scheduled: String?
    @Flag(name: .customLong("force"), help: "Do not ask.") var force = false

    func run() throws {
        let options = SwitchoverOptions(leader: leader, candidate: candidate, scheduled: scheduled, force: force)
        try runCtl(self.options, cluster: clusterName) { session, _ in
            try await session.switchover(.switchover, options)
        }
    }
}

/// What pause and resume share: the cluster name, --wait, and the work.
struct CtlPauseOptions: ParsableArguments {
    @OptionGroup var options: CtlOptions
    @Argument(help: "Cluster name.") var clusterName: String?
    @Flag(name: .customLong("wait"), help: "Wait until every member has seen it.") var wait = false

    func run(paused: Bool) throws {
        let wait = wait
        try runCtl(options, cluster: clusterName) { session, _ in try await session.setPaused(paused, wait: wait) }
    }
}

struct CtlPause: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pause",
                                                    abstract: "Stop automatic failover (maintenance mode).")
    @OptionGroup var arguments: CtlPauseOptions
    func run() throws { try arguments.run(paused: true) }
}

struct CtlResume: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Resume automatic failover.")
    @OptionGroup var arguments: CtlPauseOptions
    func run() throws { try arguments.run(paused: false) }
}

struct CtlFlush: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "flush",
                                                    abstract: "Cancel scheduled restarts or a scheduled switchover.")

    @OptionGroup var options: CtlOptions
    @Argument(help: "Cluster name.") var clusterName: String
    @Argument(help: "Members (for restart), then what to flush: restart or switchover.") var arguments: [String]
    @Option(name: [.customShort("r"), .customLong("role")], help: "primary, replica or any.") var role = "any"
    @Flag(name: .customLong("force"), help: "Do not ask.") var force = false

    func run() throws {
        guard let last = arguments.last, let target = CtlSession.FlushTarget(rawValue: last) else {
            throw ValidationError("the last argument must be restart or switchover")
        }
        let (members, role, force) = (Array(arguments.dropLast()), role, force)
        try runCtl(options, cluster: clusterName) { session, _ in
            try await session.flush(target, members: members, role: role, force: force)
        }
    }
}

struct CtlRemove: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove",
                                                    abstract: "Delete every key of the cluster from the DCS.")

    @OptionGroup var options: CtlOptions
    @Argument(help: "Cluster name.") var clusterName: String
    @Option(name: [.customShort("f"), .customLong("format")], help: "pretty, json, yaml or tsv.") var format = "pretty"

    func run() throws {
        let format = try outputFormat(format)
        try runCtl(options, cluster: clusterName) { session, _ in try await session.remove(format: format) }
    }
}
