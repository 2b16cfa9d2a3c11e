// CrashRecoveryTests: acknowledged commits survive kill -9 at any moment.
//
// Each round: several postgres-nio clients run multi-statement transactions (three inserts, then
// COMMIT) and log every COMMIT the server acknowledged; at a random moment the server gets SIGKILL;
// it is restarted (crash recovery) and the test checks that (1) every acknowledged transaction is
// there, (2) no transaction is visible in part, (3) the primary-key index agrees with the table
// (every row found by a sequential scan is found by an index lookup, and the counts agree).
// MINIPG_CRASH_ROUNDS sets the number of rounds (CI runs 20).

import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import XCTest

final class CrashRecoveryTests: XCTestCase {
    private static let clients = 4
    private static let rowsPerTransaction = 3

    func testAcknowledgedCommitsSurviveSIGKILL() async throws {
        let rounds = Int(ProcessInfo.processInfo.environment["MINIPG_CRASH_ROUNDS"] ?? "") ?? 3
        let instance = try MiniPGInstance()
        defer { instance.cleanUp() }
        try instance.start()
        let setup = try instance.psql("create table crash (id int8 primary key, client int not null, txn int not null, part int not null);\n")
        XCTAssertEqual(setup.status, 0, setup.output)

        let acknowledged = AcknowledgedLog()
        var nextTransaction = 0
        for round in 1...rounds {
            let startTransaction = nextTransaction
            nextTransaction += 100_000
            let runFor = Double.random(in: 0.2...1.2)
            let clients = (0..<Self.clients).map { client in
                Task {
                    await Self.runClient(port: instance.port, password: instance.password, client: client,
                                         firstTransaction: startTransaction + client * 10_000, log: acknowledged)
                }
            }
            try await Task.sleep(for: .milliseconds(Int(runFor * 1000)))
            instance.stop(signal: SIGKILL)
            // A client cut off in the middle of its connection handshake can stay suspended inside the
            // driver although the server is gone; it can acknowledge nothing more, so the round goes on
            // without it after a bounded wait instead of hanging the suite.
            if await !Self.allFinish(clients, within: .seconds(30)) {
                print("crash round \(round): a client did not notice the kill within 30 s; going on without it")
            }
            try instance.start()
            try await verify(instance: instance, acknowledged: acknowledged.snapshot(), round: round)
        }
        instance.stop(signal: SIGTERM)
    }

    /// True when every task finished within `limit`; false (leaving the stragglers running) otherwise.
    private static func allFinish(_ tasks: [Task<Void, Never>], within limit: Duration) async -> Bool {
        let outcome = FirstOutcome()
        return await withCheckedContinuation { continuation in
            Task {
                for task in tasks { await task.value }
                outcome.resume(continuation, with: true)
            }
            Task {
                try? await Task.sleep(for: limit)
                outcome.resume(continuation, with: false)
            }
        }
    }

    /// Inserts transactions until the connection breaks; logs each acknowledged COMMIT.
    private static func runClient(port: Int, password: String, client: Int, firstTransaction: Int, log: AcknowledgedLog) async {
        let logger = Logger(label: "crash-client")
        let configuration = PostgresConnection.Configuration(
            host: "127.0.0.1", port: port, username: "postgres", password: password, database: "postgres", tls: .disable)
        guard let connection = try? await PostgresConnection.connect(configuration: configuration, id: client, logger: logger) else { return }
        var transaction = firstTransaction
        while true {
            do {
                try await connection.query("begin", logger: logger)
                for part in 0..<rowsPerTransaction {
                    let id = Int64(transaction) * 10 + Int64(part)
                    try await connection.query("insert into crash (id, client, txn, part) values (\(id), \(client), \(transaction), \(part))", logger: logger)
                }
                try await connection.query("commit", logger: logger)
                log.record(transaction)
                transaction += 1
            } catch {
                try? await connection.close()
                return
            }
        }
    }

    private func verify(instance: MiniPGInstance, acknowledged: Set<Int>, round: Int) async throws {
        let result = try instance.psql("select txn, count(*) from crash group by txn;\n", extraArguments: ["-At", "-F", ","])
        XCTAssertEqual(result.status, 0, result.output)
        var present: [Int: Int] = [:]
        for line in result.output.split(separator: "\n") {
            let fields = line.split(separator: ",")
            guard fields.count == 2, let txn = Int(fields[0]), let count = Int(fields[1]) else {
                XCTFail("round \(round): unexpected psql output line \(line)")
                continue
            }
            present[txn] = count
        }
        let missing = acknowledged.filter { present[$0] == nil }
        XCTAssertTrue(missing.isEmpty, "round \(round): acknowledged transactions lost after kill -9: \(missing.sorted().prefix(10))\n\(instance.log().suffix(3000))")
        print("crash round \(round): \(acknowledged.count) transactions acknowledged so far, \(present.count) present after recovery")
        let partial = present.filter { $0.value != Self.rowsPerTransaction }
        XCTAssertTrue(partial.isEmpty, "round \(round): transactions visible in part: \(partial.prefix(10))")

        // The primary-key index agrees with the heap: every id from a sequential scan is found by an
        // equality lookup (which the planner answers with the index), and the totals agree.
        let ids = try instance.psql("select id from crash;\n", extraArguments: ["-At"])
        let allIDs = ids.output.split(separator: "\n").compactMap { Int64($0) }
        let sample = allIDs.shuffled().prefix(200)
        if !sample.isEmpty {
            let lookups = sample.map { "select count(*) from crash where id = \($0);" }.joined(separator: "\n")
            let found = try instance.psql(lookups + "\n", extraArguments: ["-At"])
            let counts = found.output.split(separator: "\n").compactMap { Int($0) }
            XCTAssertEqual(counts.count, sample.count, "round \(round): index lookups failed:\n\(found.output.prefix(2000))")
            XCTAssertTrue(counts.allSatisfy { $0 == 1 }, "round \(round): an index lookup did not find exactly one row")
        }
        let total = try instance.psql("select count(*) from crash where id >= 0;\n", extraArguments: ["-At"])
        XCTAssertEqual(Int(total.output.trimmingCharacters(in: .whitespacesAndNewlines)), allIDs.count,
                       "round \(round): range scan count differs from the sequential scan")
    }
}

/// Transactions whose COMMIT the server acknowledged, shared by the client tasks.
final class AcknowledgedLog: @unchecked Sendable {
    private let lock = NSLock()
    private var transactions = Set<Int>()

    func record(_ transaction: Int) {
        lock.lock(); transactions.insert(transaction); lock.unlock()
    }

    func snapshot() -> Set<Int> {
        lock.lock(); defer { lock.unlock() }
        return transactions
    }
}

/// Resumes a continuation once, with whichever outcome comes first.
final class FirstOutcome: @unchecked Sendable {
    private let lock = NSLock()
    private var resumed = false

    func resume(_ continuation: CheckedContinuation<Bool, Never>, with value: Bool) {
        let first: Bool = lock.withLock {
            defer { resumed = true }
            return !resumed
        }
        if first { continuation.resume(returning: value) }
    }
}
