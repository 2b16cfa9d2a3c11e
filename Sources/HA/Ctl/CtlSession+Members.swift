// The ctl commands that act on members through their REST API: restart, reload, reinit (POST to each
// chosen member), pause and resume (PATCH /config on the first member that answers, leader first; if none
// answers, the same change as a compare-and-set write of /config), and remove (delete the cluster's keys
// after patronictl's three confirmations). Messages are patronictl's.
import Foundation

public struct RestartRequestOptions: Sendable, Equatable {
    public var members: [String] = []
    public var role = "any"
    public var pendingOnly = false
    public var scheduled: String?        // "now" or ISO 8601
    public var postgresVersion: String?
    public var timeout: Int?
    public var force = false

    public init(members: [String] = [], role: String = "any", pendingOnly: Bool = false, scheduled: String? = nil,
                postgresVersion: String? = nil, timeout: Int? = nil, force: Bool = false) {
        self.members = members
        self.role = role
        self.pendingOnly = pendingOnly
        self.scheduled = scheduled
        self.postgresVersion = postgresVersion
        self.timeout = timeout
        self.force = force
    }
}

extension CtlSession {
    static let actionTimeout = Duration.seconds(30)

    /// patronictl's get_members: the table, then the named members (or, without names, a question —
    /// "all" by default — or with --force every member of the role).
    func chooseMembers(_ view: ClusterView, names: [String], role: String, force: Bool,
                       action: String) throws -> [Member] {
        let candidates = try members(of: view, role: role)
        if candidates.isEmpty && names.isEmpty { throw CtlError("\(scope) cluster doesn't have any members") }
        printTopology(view)
        var chosen = names
        if chosen.isEmpty && !force {
            let answer = try terminal.prompt("Which member do you want to \(action) [\(candidates.map(\.name).joined(separator: ", "))]?",
                                             default: "all")
            chosen = answer == "all" ? candidates.map(\.name) : [answer]
        }
        if chosen.isEmpty { return candidates }
        return try chosen.map { name in
            guard let member = candidates.first(where: { $0.name == name }) else {
                throw CtlError("\(name) is not a member of cluster")
            }
            return member
        }
    }

    func confirmMembers(_ members: [Member], action: String, force: Bool, scheduledAt: String? = nil) throws {
        guard !force else { return }
        let names = members.map(\.name).joined(separator: ", ")
        if let scheduledAt {
            guard try terminal.confirm("Are you sure you want to schedule \(action) of members \(names) at \(scheduledAt)?")
            else { throw CtlError("Aborted scheduled \(action)") }
        } else {
            guard try terminal.confirm("Are you sure you want to \(action) members \(names)?")
            else { throw CtlError("Aborted \(action)") }
        }
    }

    // MARK: restart

    public func restart(_ options: RestartRequestOptions) async throws {
        let view = try await load()
        let members = try chooseMembers(view, names: options.members, role: options.role, force: options.force,
                                        action: "restart")
        var scheduled = options.scheduled
        if scheduled == nil && !options.force {
            let hint = CtlTimestamp.text(now().addingTimeInterval(3600), fractionDigits: 0).prefix(16)
                .replacingOccurrences(of: " ", with: "T")
            scheduled = try terminal.prompt("When should the restart take place (e.g. \(hint)) ", default: "now")
        }
        let scheduledAt = try scheduled.flatMap(CtlTimestamp.parseScheduled).map(CtlTimestamp.iso)
        var version = options.postgresVersion
        if version == nil && !options.force {
            version = try terminal.prompt("Restart if the PostgreSQL version is less than provided (e.g. 9.5.2) ",
                                          default: "")
        }
        var body: [String: JSONValue] = [:]
        if options.pendingOnly { body["restart_pending"] = .bool(true) }
        if let version, !version.isEmpty { body["postgres_version"] = .string(version) }
        if let scheduledAt { body["schedule"] = .string(scheduledAt) }
        if let timeout = options.timeout { body["timeout"] = .int(Int64(timeout)) }
        try confirmMembers(members, action: "restart", force: options.force, scheduledAt: scheduledAt)
        for member in members {
            if scheduledAt != nil, options.force, member.status.scheduledRestart != nil {
                let flushed = try await call(member, "DELETE", "restart", nil)
                if flushed.status >= 400 {
                    terminal.print("Failed: flush scheduled restart for member \(member.name), status code=\(flushed.status), (\(flushed.body))")
                }
            }
            let response = try await call(member, "POST", "restart", .object(body))
            switch response.status {
            case 200: terminal.print("Success: restart on member \(member.name)")
            case 202: terminal.print("Success: restart scheduled on member \(member.name)")
            case 409: terminal.print("Failed: another restart is already scheduled on member \(member.name)")
            default:
                terminal.print("Failed: restart for member \(member.name), status code=\(response.status), (\(response.body))")
            }
        }
    }

    // MARK: reload, reinit

    public func reload(members names: [String], role: String, force: Bool) async throws {
        let view = try await load()
        let members = try chooseMembers(view, names: names, role: role, force: force, action: "reload")
        try confirmMembers(members, action: "reload", force: force)
        for member in members {
            let response = try await call(member, "POST", "reload", nil)
            switch response.status {
            case 200: terminal.print("No changes to apply on member \(member.name)")
            case 202: terminal.print("Reload request received for member \(member.name) and will be applied shortly")
            default:
                terminal.print("Failed: reload for member \(member.name), status code=\(response.status), (\(response.body))")
            }
        }
    }

    public func reinit(members names: [String], force: Bool, wait: Bool) async throws {
        let view = try await load()
        let members = try chooseMembers(view, names: names, role: "replica", force: force, action: "reinitialize")
        try confirmMembers(members, action: "reinitialize", force: force)
        var waiting: [ReinitProgress] = []
        for member in members {
            let before = await nodeStatus(member)
            var forced = force
            while true {
                let response = try await call(member, "POST", "reinitialize", .object(["force": .bool(forced)]))
                if response.status < 400 {
                    terminal.print("Success: reinitialize for member \(member.name)")
                    if wait { waiting.append(ReinitProgress(member: member, startTimeBefore: before?["postmaster_start_time"])) }
                } else {
                    terminal.print("Failed: reinitialize for member \(member.name), status code=\(response.status), (\(response.body))")
                    if response.body.hasSuffix(" already in progress"), !forced,
                       try terminal.confirm("Do you want to cancel it and reinitialize anyway?") {
                        forced = true
                        continue
                    }
                }
                break
            }
        }
        if !waiting.isEmpty {
            terminal.print("Waiting for reinitialize to complete on: \(waiting.map(\.member.name).joined(separator: ", "))")
        }
        while !waiting.isEmpty {
            try await Task.sleep(for: pollInterval)
            for index in waiting.indices.reversed() {
                guard let status = await nodeStatus(waiting[index].member) else { continue }
                if waiting[index].isComplete(status) {
                    terminal.print("Reinitialize is completed on: \(waiting[index].member.name)")
                    waiting.remove(at: index)
                }
            }
        }
    }

    /// A member being rebuilt. patronictl stops waiting as soon as the state is not "creating replica" —
    /// which is also true before the agent has begun; here the rebuild must have been seen (that state, or
    /// a server started after the request) before "running" counts as done.
    struct ReinitProgress {
        let member: Member
        let startTimeBefore: JSONValue?
        var sawRebuild = false

        mutating func isComplete(_ status: JSONValue) -> Bool {
            let state = status["state"]?.stringValue
            if state == "creating replica" || state == "stopped" || state == "starting" { sawRebuild = true }
            if status["postmaster_start_time"] != startTimeBefore { sawRebuild = true }
            return sawRebuild && state == "running"
        }
    }

    /// GET /patroni of `member`, nil when it does not answer with JSON.
    func nodeStatus(_ member: Member) async -> JSONValue? {
        guard let response = try? await call(member, "GET", "patroni", nil), response.status == 200 else { return nil }
        return try? JSONValue.decode(JSONValue.self, from: response.body)
    }

    // MARK: pause, resume

    public func setPaused(_ paused: Bool, wait: Bool) async throws {
        let view = try await load()
        if view.effectiveConfig.isPaused == paused {
            throw CtlError(paused ? "Cluster is already paused" : "Cluster is not paused")
        }
        let leaderFirst = view.leaderMember.map { [$0] } ?? []
        let ordered = leaderFirst + view.members.filter { $0.name != view.leader?.name && !$0.status.apiURL.isEmpty }
        var applied = false
        for member in ordered {
            guard let response = try? await call(member, "PATCH", "config",
                                                 .object(["pause": paused ? .bool(true) : .null])) else { continue }
            guard response.status == 200 else {
                terminal.print("Failed: \(paused ? "pause" : "resume") cluster management status code=\(response.status), (\(response.body))")
                return
            }
            applied = true
            break
        }
        if !applied {
            // No agent answered: the same change straight in the DCS, compare-and-set like PATCH /config.
            guard let config = view.config else { throw CtlError("Can not find accessible cluster member") }
            let patched = config.document.merging(patch: .object(["pause": paused ? .bool(true) : .null]))
            guard try await store.setConfig(DynamicConfig(document: patched), expectedRevision: view.configRevision)
            else { throw CtlError("Config modification aborted due to concurrent changes") }
        }
        if wait {
            terminal.print("'\(paused ? "pause" : "resume")' request sent, waiting until it is recognized by all nodes")
            let names = Set(view.members.map(\.name))
            let deadline = ContinuousClock.now + .seconds(view.effectiveConfig.loopWait + 1)
            var remaining: [String] = []
            repeat {
                try await Task.sleep(for: pollInterval)
                remaining = try await load().members
                    .filter { names.contains($0.name) && ($0.status.pause ?? false) != paused }.map(\.name)
            } while !remaining.isEmpty && ContinuousClock.now < deadline
            if !remaining.isEmpty {
                terminal.print("\(remaining.joined(separator: ", ")) members didn't recognized pause state after \(view.effectiveConfig.loopWait) seconds")
                return
            }
        }
        terminal.print("Success: cluster management is \(paused ? "paused" : "resumed")")
    }

    // MARK: remove

    public func remove(format: OutputFormat) async throws {
        let view = try await load()
        terminal.print(listing(view).render(format))
        guard try terminal.prompt("Please confirm the cluster name to remove") == scope else {
            throw CtlError("Cluster names specified do not match")
        }
        let message = "Yes I am aware"
        guard try terminal.prompt("You are about to remove all information in DCS for \(scope), please type: \"\(message)\"")
                == message else {
            throw CtlError("You did not exactly type \"\(message)\"")
        }
        if let leader = view.leader?.name {
            guard try terminal.prompt("This cluster currently is healthy. Please specify the leader name to continue")
                    == leader else {
                throw CtlError("You did not specify the current leader of the cluster")
            }
        }
        try await store.deleteCluster()
    }

    /// One REST call to `member`; a transport failure becomes a CtlError naming the member.
    func call(_ member: Member, _ method: String, _ endpoint: String, _ body: JSONValue?,
              timeout: Duration = actionTimeout) async throws -> MemberAPIResponse {
        do {
            return try await api.send(method, url: member.apiEndpoint(endpoint), body: body, timeout: timeout)
        } catch {
            throw CtlError("Member \(member.name) is not accessible at \(member.apiEndpoint(endpoint)): \(error)")
        }
    }
}
