// `ctl flush`: cancel what was scheduled — restarts (DELETE /restart on each chosen member that has one)
// or the scheduled switchover (DELETE /switchover on the first member that answers, leader first; if none
// answers, the /failover key is deleted directly, compare-and-set on the revision that was read).

extension CtlSession {
    public enum FlushTarget: String, Sendable { case restart, switchover }

    public func flush(_ target: FlushTarget, members names: [String], role: String, force: Bool) async throws {
        let view = try await load()
        switch target {
        case .restart:
            let members = try chooseMembers(view, names: names, role: role, force: force, action: "flush")
            try confirmMembers(members, action: "flush", force: force)
            for member in members {
                guard member.status.scheduledRestart != nil else {
                    terminal.print("No scheduled restart for member \(member.name)")
                    continue
                }
                let response = try await call(member, "DELETE", "restart", nil)
                terminal.print(response.status < 400
                    ? "Success: flush scheduled restart for member \(member.name)"
                    : "Failed: flush scheduled restart for member \(member.name), status code=\(response.status), (\(response.body))")
            }
        case .switchover:
            guard view.failover?.scheduledAt != nil else {
                terminal.print("No pending scheduled switchover")
                return
            }
            let leaderFirst = (view.leaderMember.map { [$0] } ?? []) + view.members.filter { $0.name != view.leader?.name }
            for member in leaderFirst {
                guard let response = try? await call(member, "DELETE", "switchover", nil) else { continue }
                if response.status == 200 || response.status == 404 {
                    terminal.print("\(response.status == 200 ? "Success" : "Failed"): \(response.body)")
                    return
                }
                terminal.print("Failed: member=\(member.name), status_code=\(response.status), (\(response.body))")
            }
            terminal.print("\(CtlTimestamp.text(now())) Could not find any accessible member of cluster \(scope)")
            guard try await store.deleteFailover(expectedRevision: view.failoverRevision) else {
                throw CtlError("The failover key changed meanwhile; nothing was flushed")
            }
            terminal.print("Success: scheduled switchover deleted from the DCS")
        }
    }
}
