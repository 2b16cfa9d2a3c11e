// ProcessPostgresController against the real `minipg` binary (.build/debug/minipg, or MINIPG_BIN):
// bootstrap a cluster, clone a standby from it, watch it stream, promote it to timeline 2, stop in both
// modes, and SIGKILL a server behind the controller's back — every answer comes from real processes
// and real SQL, none from a fake.

import Foundation
import PGWire
import Testing
@testable import HA

enum MiniPGBinary {
    static var path: String {
        if let explicit = ProcessInfo.processInfo.environment["MINIPG_BIN"] { return explicit }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/minipg").path
    }
    static var exists: Bool { FileManager.default.isExecutableFile(atPath: path) }
}

/// A directory under /tmp for one test's data directories and logs; `run` stops every server its
/// controllers started and removes the directory, whether the test passed or not.
final class ControllerSandbox: @unchecked Sendable {
    let root: String
    private var controllers: [ProcessPostgresController] = []

    private init() throws {
        root = NSTemporaryDirectory() + "/supervisor-test-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    static func run(_ body: (ControllerSandbox) async throws -> Void) async throws {
        let sandbox = try ControllerSandbox()
        do {
            try await body(sandbox)
        } catch {
            await sandbox.cleanUp()
            throw error
        }
        await sandbox.cleanUp()
    }

    func controller(_ member: String) -> ProcessPostgresController {
        let settings = PostgresProcessSettings(
            memberName: member, dataDirectory: root + "/" + member, executable: MiniPGBinary.path,
            port: LoopbackPorts.free(count: 1)[0], superuser: .init(username: "postgres", password: "postgres"),
            replication: .init(username: "replicator", password: "rep-pass"), observeTimeout: .seconds(5))
        let controller = ProcessPostgresController(settings: settings)
        controllers.append(controller)
        return controller
    }

    func upstream(_ controller: ProcessPostgresController) -> UpstreamConnection {
        UpstreamConnection(memberName: controller.settings.memberName, host: "127.0.0.1", port: controller.settings.port)
    }

    /// Observes until `condition` holds, at most `attempts` times, 100 ms apart; returns the last observation.
    func observe(_ controller: ProcessPostgresController, attempts: Int = 300,
                 until condition: (PostgresObservation) -> Bool) async -> PostgresObservation {
        var observation = await controller.observe()
        for _ in 0..<attempts where !condition(observation) {
            try? await Task.sleep(for: .milliseconds(100))
            observation = await controller.observe()
        }
        return observation
    }

    /// Runs SQL on a controller's server as the superuser.
    func sql(_ controller: ProcessPostgresController, _ text: String) throws -> [PGQueryResult] {
        let connection = try PGClientConnection.connect(PGClientConfiguration(
            host: "127.0.0.1", port: controller.settings.port, user: "postgres", password: "postgres", database: "postgres"))
        defer { connection.close() }
        return try connection.simpleQuery(text)
    }

    /// Stops whatever is still running (a failed test must not leave servers behind), then removes it all.
    private func cleanUp() async {
        for controller in controllers { try? await controller.stop(mode: .immediate) }
        try? FileManager.default.removeItem(atPath: root)
    }

    func log(_ controller: ProcessPostgresController) -> String {
        (try? String(contentsOfFile: controller.settings.logFile, encoding: .utf8)) ?? "(no log)"
    }
}

@Suite("ProcessPostgresController", .serialized, .enabled(if: MiniPGBinary.exists, "needs the minipg binary: swift build"))
struct ProcessPostgresControllerTests {
    @Test func bootstrapCloneStreamPromoteAndStop() async throws {
        try await ControllerSandbox.run { sandbox in
            let primary = sandbox.controller("node1"), standby = sandbox.controller("node2")

            var seen = await primary.observe()
            #expect(!seen.dataDirectoryExists && !seen.isRunning && seen.systemIdentifier == nil)
            try await primary.initializeNewCluster()
            seen = await primary.observe()
            #expect(seen.dataDirectoryExists && !seen.isRunning)
            let systemIdentifier = try #require(seen.systemIdentifier)

            try await primary.start(standbyOf: nil, parameters: ["wal_keep_size": "64MB"])
            seen = await primary.observe()
            #expect(seen.isRunning && seen.isAnswering, "\(sandbox.log(primary))")
            #expect(seen.role == .primary && seen.timeline == 1 && (seen.flushLSN ?? 0) > 0)
            #expect(seen.serverVersion == 150000 && seen.postmasterStartTime != nil)

            try await standby.cloneFrom(sandbox.upstream(primary))
            seen = await standby.observe()
            #expect(seen.systemIdentifier == systemIdentifier && !seen.isRunning)
            try await standby.start(standbyOf: sandbox.upstream(primary), parameters: [:])
            seen = await sandbox.observe(standby) { $0.isStreaming }
            #expect(seen.role == .replica && seen.isStreaming && seen.upstream == "node1", "\(sandbox.log(standby))")
            #expect(seen.timeline == 1 && (seen.receiveLSN ?? 0) > 0 && (seen.replayLSN ?? 0) > 0)
            let peers = await sandbox.observe(primary) { $0.replication.contains { $0.state == "streaming" } }.replication
            #expect(peers.map(\.applicationName) == ["node2"] && peers.first?.usename == "replicator")

            try await standby.promote()
            seen = await standby.observe()
            #expect(seen.role == .primary && seen.timeline == 2 && !seen.isStreaming)
            try await standby.promote()     // a primary: nothing to do
            try await standby.checkpoint()

            try await standby.stop(mode: .fast)
            #expect(await !standby.observe().isRunning)
            try await standby.stop(mode: .fast)
            try await primary.stop(mode: .immediate)
            seen = await primary.observe()
            #expect(!seen.isRunning && seen.dataDirectoryExists)
        }
    }

    @Test func aKilledServerIsSeenAsNotRunningAndRestartsWithCrashRecoveryThenIsRemoved() async throws {
        try await ControllerSandbox.run { sandbox in
            let node = sandbox.controller("node1")
            try await node.initializeNewCluster()
            try await node.start(standbyOf: nil, parameters: [:])
            let pid = try #require(ManagedConfiguration(settings: node.settings).postmasterPID)
            kill(pid, SIGKILL)
            let seen = await sandbox.observe(node) { !$0.isRunning }
            #expect(!seen.isRunning && !seen.isAnswering)
            try await node.start(standbyOf: nil, parameters: [:])
            #expect(await node.observe().role == .primary)
            await #expect(throws: PostgresControllerError.self) { try await node.removeDataDirectory() }
            try await node.stop(mode: .fast)
            try await node.removeDataDirectory()
            let removed = await node.observe()
            #expect(!removed.dataDirectoryExists && removed.systemIdentifier == nil && !removed.isRunning)
        }
    }

    @Test func aSecondControllerAdoptsTheRunningServer() async throws {
        try await ControllerSandbox.run { sandbox in
            let first = sandbox.controller("node1")
            try await first.initializeNewCluster()
            try await first.start(standbyOf: nil, parameters: [:])
            // The agent restarts: a new controller on the same data directory finds the server running.
            let second = ProcessPostgresController(settings: first.settings)
            let seen = await second.observe()
            #expect(seen.isRunning && seen.isAnswering && seen.role == .primary)
            try await second.start(standbyOf: nil, parameters: [:])      // already running: no second server
            try await second.stop(mode: .fast)
            #expect(await !second.observe().isRunning)
            #expect(await !first.observe().isRunning)
        }
    }

    @Test func reloadedPostmasterParameterIsPendingRestart() async throws {
        try await ControllerSandbox.run { sandbox in
            let node = sandbox.controller("node1")
            try await node.initializeNewCluster()
            try await node.start(standbyOf: nil, parameters: ["max_connections": "100"])
            try await node.reload(parameters: ["max_connections": "150"])
            let seen = await sandbox.observe(node) { !$0.pendingRestart.isEmpty }
            #expect(seen.pendingRestart == ["max_connections": .init(oldValue: "100", newValue: "150")], "\(sandbox.log(node))")
            try await node.stop(mode: .fast)
            try await node.start(standbyOf: nil, parameters: ["max_connections": "150"])
            #expect(await node.observe().pendingRestart.isEmpty)
            try await node.stop(mode: .fast)
        }
    }

    @Test func aDivergedFormerPrimaryRewindsAndFollowsTheNewPrimary() async throws {
        try await rewindsAndFollows { old in try await old.stop(mode: .fast) }
    }

    /// A SIGKILLed primary (control file "in production") first finishes crash recovery, then rewinds.
    @Test func aCrashedFormerPrimaryRecoversThenRewindsAndFollowsTheNewPrimary() async throws {
        try await rewindsAndFollows { old in
            let pidFile = try String(contentsOfFile: old.settings.dataDirectory + "/postmaster.pid", encoding: .utf8)
            let pid = try #require(pid_t(pidFile.split(separator: "\n").first ?? ""))
            #expect(kill(pid, SIGKILL) == 0)
        }
    }

    /// The old primary goes on writing after the new one's promotion (a split brain the rewind must undo),
    /// is stopped by `stopOldPrimary`, rewound and made to follow the new primary.
    private func rewindsAndFollows(stopOldPrimary: (ProcessPostgresController) async throws -> Void) async throws {
        try await ControllerSandbox.run { sandbox in
            let old = sandbox.controller("node1"), new = sandbox.controller("node2")
            try await old.initializeNewCluster()
            try await old.start(standbyOf: nil, parameters: [:])
            try await new.cloneFrom(sandbox.upstream(old))
            try await new.start(standbyOf: sandbox.upstream(old), parameters: [:])
            #expect(await sandbox.observe(new) { $0.isStreaming }.isStreaming)
            try await new.promote()
            try await new.checkpoint()
            _ = try sandbox.sql(old, "create table diverged (id int); insert into diverged select generate_series(1, 1000)")
            try await stopOldPrimary(old)
            #expect(await !sandbox.observe(old) { !$0.isRunning }.isRunning)

            #expect(try await old.rewind(from: sandbox.upstream(new)) == .rewound, "\(sandbox.log(old))")
            try await old.follow(sandbox.upstream(new), parameters: [:])
            let seen = await sandbox.observe(old) { $0.isStreaming }
            #expect(seen.role == .replica && seen.isStreaming && seen.timeline == 2 && seen.upstream == "node2",
                    "\(sandbox.log(old))")
            let tables = try sandbox.sql(old, "select count(*) from pg_class where relname = 'diverged'")
            #expect(tables.first?.text("count") == "0")
        }
    }

    @Test func aStandbyFollowsTheNewPrimaryWithoutARestart() async throws {
        try await ControllerSandbox.run { sandbox in
            let first = sandbox.controller("node1"), second = sandbox.controller("node2"), third = sandbox.controller("node3")
            try await first.initializeNewCluster()
            try await first.start(standbyOf: nil, parameters: [:])
            for standby in [second, third] {
                try await standby.cloneFrom(sandbox.upstream(first))
                try await standby.start(standbyOf: sandbox.upstream(first), parameters: [:])
                #expect(await sandbox.observe(standby) { $0.isStreaming }.isStreaming)
            }
            let startedAt = await third.observe().postmasterStartTime
            try await first.stop(mode: .immediate)
            try await second.promote()

            try await third.follow(sandbox.upstream(second), parameters: [:])
            let seen = await sandbox.observe(third) { $0.isStreaming && $0.upstream == "node2" && $0.timeline == 2 }
            #expect(seen.isStreaming && seen.upstream == "node2" && seen.timeline == 2, "\(sandbox.log(third))")
            #expect(seen.postmasterStartTime == startedAt)      // the same server process: reloaded, not restarted
            _ = try sandbox.sql(second, "create table after_failover (id int); insert into after_failover values (42)")
            var rows: [PGQueryResult] = []
            for _ in 0..<100 {
                rows = (try? sandbox.sql(third, "select id from after_failover")) ?? []
                if rows.first?.text("id") == "42" { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(rows.first?.text("id") == "42", "\(sandbox.log(third))")
        }
    }

    @Test func aServerThatRefusesToStartSaysWhy() async throws {
        try await ControllerSandbox.run { sandbox in
            let node = sandbox.controller("node1")
            try await node.initializeNewCluster()
            await #expect {
                try await node.start(standbyOf: nil, parameters: ["no_such_setting": "1"])
            } throws: { error in
                "\(error)".contains("unrecognized configuration parameter \"no_such_setting\"")
            }
            #expect(await !node.observe().isRunning)
            try await node.start(standbyOf: nil, parameters: [:])       // the next start rewrites the file
            #expect(await node.observe().isAnswering)
            try await node.stop(mode: .fast)
        }
    }
}
