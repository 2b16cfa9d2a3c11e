// The commands of `minipg ctl`, apart from argument parsing: each reads the cluster from the DCS through
// a `ClusterStore`, talks to members through a `MemberAPIClient` and to the operator through a
// `CtlTerminal`, so every one of them runs in a unit test against the in-memory store. The minipg
// executable's CtlCommand only parses flags and calls in here.
//
// This file: the session and the read-only commands (list, topology, history, show-config, dsn).
// Changes: CtlSession+EditConfig, CtlSession+Members (restart, reload, reinit, pause, resume, remove),
// CtlSession+Switchover (failover, switchover).
import Foundation

public struct CtlSession: Sendable {
    public let store: ClusterStore
    public let scope: String
    public let api: any MemberAPIClient
    public let terminal: any CtlTerminal
    /// Wall-clock time for printed timestamps and schedules.
    public let now: @Sendable () -> Date
    /// How long ctl waits between two looks at the DCS while it waits for something to happen.
    public let pollInterval: Duration

    public init(store: ClusterStore, scope: String, api: any MemberAPIClient, terminal: any CtlTerminal,
                now: @escaping @Sendable () -> Date = { Date() }, pollInterval: Duration = .seconds(1)) {
        self.store = store
        self.scope = scope
        self.api = api
        self.terminal = terminal
        self.now = now
        self.pollInterval = pollInterval
    }

    public func load() async throws -> ClusterView {
        do {
            return try await store.load()
        } catch let error as DCSError {
            throw CtlError("Can not read the cluster from the DCS: \(error)")
        }
    }

    // MARK: list, topology

    public func listing(_ view: ClusterView, extended: Bool = false) -> ClusterListing {
        ClusterListing(scope: scope, view: view, extended: extended)
    }

    /// `ctl list` / `ctl topology`; with `watch`, again every `watch` until `count` runs (nil = forever).
    public func list(format: OutputFormat, extended: Bool = false, timestamp: Bool = false,
                     watch: Duration? = nil, count: Int? = nil) async throws {
        var runs = 0
        while true {
            if watch != nil { terminal.clear() }
            if timestamp { terminal.print(CtlTimestamp.text(now(), fractionDigits: 0)) }
            terminal.print(listing(try await load(), extended: extended).render(format))
            runs += 1
            guard let watch, count.map({ runs < $0 }) ?? true else { return }
            try await Task.sleep(for: watch)
        }
    }

    func printTopology(_ view: ClusterView) {
        terminal.print(listing(view).render(.pretty))
    }

    // MARK: history, show-config, dsn

    public func history(format: OutputFormat) async throws {
        terminal.print(HistoryListing.render(try await load().history, format: format))
    }

    public func showConfig() async throws {
        let view = try await load()
        terminal.print((view.config?.document ?? .object([:])).yamlText)
    }

    /// "host=127.0.0.1 port=5432" of the named member, or of the first member with `role`
    /// (primary/leader by default, replica, any).
    public func dsn(member name: String?, role: String?) async throws -> String {
        let view = try await load()
        guard let member = try pick(view, member: name, role: role) else {
            throw CtlError("Can not find a suitable member")
        }
        let address = member.hostAndPort
        return "host=\(address.host) port=\(address.port)"
    }

    func pick(_ view: ClusterView, member name: String?, role: String?) throws -> Member? {
        if let name { return view.member(named: name) }
        return try members(of: view, role: role ?? "primary").first
    }

    /// The members with `role`: primary (leader, master), replica, or any.
    func members(of view: ClusterView, role: String) throws -> [Member] {
        switch role {
        case "primary", "leader", "master": return view.leaderMember.map { [$0] } ?? []
        case "replica": return view.members.filter { $0.name != view.leader?.name }
        case "any": return view.members
        default: throw CtlError("Invalid role \(role): use primary, replica or any")
        }
    }
}
