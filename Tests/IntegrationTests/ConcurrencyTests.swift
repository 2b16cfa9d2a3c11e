// ConcurrencyTests: PostgreSQL's concurrency behaviour, end to end, with several real postgres-nio
// connections on one minipg server (and psql for the CancelRequest): unique checks that wait for
// a concurrent inserter, readers and writers that never block each other, READ COMMITTED's
// re-evaluation of a concurrently updated row (no lost updates), REPEATABLE READ's serialization
// failure, deadlock detection, lock_timeout / statement_timeout / cancel, SELECT ... FOR UPDATE,
// and many sessions at once.
//
// "This statement waits" is shown by starting it on its own task and checking, after a pause, that
// it has not finished; the test then releases it and checks its outcome. No assertion depends on
// how fast anything is.

import Foundation
import Logging
import PostgresNIO
import Synchronization
import XCTest

final class ConcurrencyTests: XCTestCase {
    // MARK: Unique checks

    func testConcurrentInsertsOfOneKeyWaitThenConflictOrSucceed() async throws {
        let server = try Clients.startServer("create table t (id int primary key, v int)")
        defer { server.cleanUp() }
        let a = try await Clients.connect(server)
        let b = try await Clients.connect(server)

        // The first inserter commits: the second fails with 23505 once it does.
        var outcome = try await Clients.waitBehind(a, ["insert into t values (1, 10)"], b, "insert into t values (1, 20)", end: "commit")
        Clients.assertError(outcome, "23505", "duplicate key value violates unique constraint \"t_pkey\"",
                            detail: "Key (id)=(1) already exists.")

        // The first inserter rolls back: the second one's insert succeeds.
        outcome = try await Clients.waitBehind(a, ["insert into t values (2, 10)"], b, "insert into t values (2, 20)", end: "rollback")
        Clients.expectRows(outcome, 1)
        try await Clients.expect(a, "select v from t where id = 2", 20)

        // An UPDATE that changes a key to one a running transaction inserted waits the same way.
        outcome = try await Clients.waitBehind(a, ["insert into t values (3, 30)"], b, "update t set id = 3 where id = 2", end: "commit")
        Clients.assertError(outcome, "23505", "duplicate key value violates unique constraint \"t_pkey\"",
                            detail: "Key (id)=(3) already exists.")

        // A key a running transaction deleted is free once it commits.
        outcome = try await Clients.waitBehind(a, ["delete from t where id = 1"], b, "insert into t values (1, 40)", end: "commit")
        Clients.expectRows(outcome, 1)
        try await Clients.expect(b, "select count(*) from t", 3)
        try await Clients.expect(b, "select v from t where id = 1", 40)
        try await Clients.close(a, b)
    }

    func testSimultaneousInsertsOfTheSameKeysNeverDuplicateThem() async throws {
        let server = try Clients.startServer("create table t (id int primary key, session int)")
        defer { server.cleanUp() }
        let sessions = 6
        let keys = 40
        var connections: [PostgresConnection] = []
        for _ in 0..<sessions { connections.append(try await Clients.connect(server)) }
        // Every session inserts every key, in autocommit: each key is inserted once, every other
        // attempt fails with 23505.
        let inserted = try await withThrowingTaskGroup(of: Int.self) { group in
            for (session, connection) in connections.enumerated() {
                group.addTask {
                    var count = 0
                    for key in 0..<keys {
                        do {
                            try await Clients.run(connection, "insert into t values (\(key), \(session))")
                            count += 1
                        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
                            continue
                        }
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        XCTAssertEqual(inserted, keys)
        try await Clients.expect(connections[0], "select count(*) from t", keys)
        try await Clients.expect(connections[0], "select count(distinct id) from t", keys)
        try await Clients.close(connections)
    }

    // MARK: Visibility

    func testReadersAndWritersDoNotBlockEachOther() async throws {
        let server = try Clients.startServer("create table t (id int primary key, v int)", "insert into t values (1, 1)")
        defer { server.cleanUp() }
        let a = try await Clients.connect(server)
        let b = try await Clients.connect(server)

        // A reader during an open UPDATE gets the old value at once.
        try await Clients.run(a, "begin")
        try await Clients.run(a, "update t set v = 2 where id = 1")
        try await Clients.expect(b, "select v from t where id = 1", 1)
        try await Clients.expect(b, "select count(*) from t where v = 2", 0)
        try await Clients.expect(a, "select v from t where id = 1", 2)    // its own change
        try await Clients.run(a, "commit")

        // A writer during an open reading transaction is not held up; READ COMMITTED's next
        // statement sees the committed change.
        try await Clients.run(b, "begin")
        try await Clients.expect(b, "select v from t where id = 1", 2)
        Clients.expectRows(await Clients.result { try await Clients.run(a, "update t set v = 3 where id = 1") }, 1)
        try await Clients.expect(b, "select v from t where id = 1", 3)
        try await Clients.run(b, "commit")
        try await Clients.close(a, b)
    }

    func testUncommittedAndAbortedChangesAreNeverSeen() async throws {
        let server = try Clients.startServer("create table t (id int primary key, v int)", "insert into t values (1, 1)")
        defer { server.cleanUp() }
        let a = try await Clients.connect(server)
        let b = try await Clients.connect(server)

        try await Clients.run(a, "begin")
        try await Clients.run(a, "insert into t values (2, 20)")
        try await Clients.run(a, "update t set v = 100 where id = 1")
        try await Clients.expect(a, "select sum(v) from t", 120)
        try await Clients.expect(b, "select count(*) from t", 1)
        try await Clients.expect(b, "select sum(v) from t", 1)
        try await Clients.run(a, "rollback")
        try await Clients.expect(a, "select sum(v) from t", 1)
        try await Clients.expect(b, "select count(*) from t", 1)

        // A transaction that fails on an error is aborted too.
        try await Clients.run(a, "begin")
        try await Clients.run(a, "insert into t values (3, 30)")
        Clients.assertError(await Clients.result { try await Clients.run(a, "insert into t values (1, 1)") }, "23505",
                            "duplicate key value violates unique constraint \"t_pkey\"", detail: "Key (id)=(1) already exists.")
        try await Clients.run(a, "commit")    // answers ROLLBACK
        try await Clients.expect(b, "select count(*) from t", 1)
        try await Clients.close(a, b)
    }

    // MARK: READ COMMITTED updates

    func testConcurrentIncrementsAreNeverLost() async throws {
        let server = try Clients.startServer("create table t (id int primary key, v int)", "insert into t values (1, 0)")
        defer { server.cleanUp() }
        let a = try await Clients.connect(server)
        let b = try await Clients.connect(server)

        // The second updater waits for the first, then increments the version the first wrote.
        let outcome = try await Clients.waitBehind(a, ["update t set v = v + 1 where id = 1"], b, "update t set v = v + 1 where id = 1", end: "commit")
        Clients.expectRows(outcome, 1)
        try await Clients.expect(a, "select v from t where id = 1", 2)

        // 8 clients × 50 increments of one row: exactly +400.
        let clients = 8
        let increments = 50
        var connections: [PostgresConnection] = []
        for _ in 0..<clients { connections.append(try await Clients.connect(server)) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for connection in connections {
                group.addTask {
                    for _ in 0..<increments { try await Clients.run(connection, "update t set v = v + 1 where id = 1") }
                }
            }
            try await group.waitForAll()
        }
        try await Clients.expect(a, "select v from t where id = 1", 2 + clients * increments)
        try await Clients.close(connections + [a, b])
    }

    func testSecondUpdaterReevaluatesItsWhereClauseOnTheNewVersion() async throws {
        let server = try Clients.startServer("create table t (id int primary key, v int)", "insert into t values (1, 1)")
        defer { server.cleanUp() }
        let a = try await Clients.connect(server)
        let b = try await Clients.connect(server)

        // The row no longer matches once the first updater commits: UPDATE 0.
        var outcome = try await Clients.waitBehind(a, ["update t set v = 10 where id = 1"], b, "update t set v = v + 1 where v = 1", end: "commit")
        let noMatch = try outcome.get().metadata
        XCTAssertEqual(noMatch.command, "UPDATE")
        XCTAssertEqual(noMatch.rows, 0)
        try await Clients.expect(b, "select v from t where id = 1", 10)

        // It still matches: the update applies to the new version (10 → 20 → 40).
        outcome = try await Clients.waitBehind(a, ["update t set v = 20 where id = 1"], b, "update t set v = v * 2 where v >= 10", end: "commit")
        Clients.expectRows(outcome, 1)
        try await Clients.expect(b, "select v from t where id = 1", 40)

        // The first deleter commits: the second deleter finds nothing left (DELETE 0).
        outcome = try await Clients.waitBehind(a, ["delete from t where id = 1"], b, "delete from t where id = 1", end: "commit")
        Clients.expectRows(outcome, 0)
        try await Clients.close(a, b)
    }

    func testRepeatableReadFailsOnConcurrentUpdate() async throws {
        let server = try Clients.startServer("create table t (id int primary key, v int)", "insert into t values (1, 1)")
        defer { server.cleanUp() }
        let a = try await Clients.connect(server)
        let b = try await Clients.connect(server)

        try await Clients.run(b, "begin isolation level repeatable read")
        try await Clients.expect(b, "select v from t where id = 1", 1)    // takes the snapshot
        let outcome = try await Clients.waitBehind(a, ["update t set v = 2 where id = 1"], b, "update t set v = v + 1 where id = 1", end: "commit")
        Clients.assertError(outcome, "40001", "could not serialize access due to concurrent update")
        try await Clients.run(b, "rollback")

        // A change committed before the snapshot was taken is no conflict.
        try await Clients.run(b, "begin isolation level repeatable read")
        Clients.expectRows(await Clients.result { try await Clients.run(b, "update t set v = v + 1 where id = 1") }, 1)
        try await Clients.run(b, "commit")
        try await Clients.expect(a, "select v from t where id = 1", 3)
        try await Clients.close(a, b)
    }

    // MARK: Row locks

    func testDeadlockIsDetectedAndTheOtherTransactionProceeds() async throws {
        let server = try Clients.startServer("create table t (id int primary key, v int)", "insert into t values (1, 1), (2, 2)")
        defer { server.cleanUp() }
        let a = try await Clients.connect(server)
        let b = try await Clients.connect(server)

        // Row locks taken in opposite orders.
        var winner = try await deadlock(a, "update t set v = 10 where id = 1", "update t set v = 10 where id = 2",
                                        b, "update t set v = 20 where id = 2", "update t set v = 20 where id = 1")
        try await Clients.expect(a, "select v * 100 + (select v from t where id = 2) from t where id = 1", winner === a ? 1010 : 2020)

        // Unique keys inserted in opposite orders: each waits for the other's inserter.
        winner = try await deadlock(a, "insert into t values (3, 10)", "insert into t values (4, 10)",
                                    b, "insert into t values (4, 20)", "insert into t values (3, 20)")
        try await Clients.expect(a, "select sum(v) from t where id in (3, 4)", winner === a ? 20 : 40)
        try await Clients.close(a, b)
    }

    /// `a` and `b` each run their first statement in a transaction, then the second, which waits
    /// for the other: one of the two is chosen as the victim (40P01, its transaction aborted at
    /// once) and the other's statement then completes. Commits the winner; returns it.
    private func deadlock(_ a: PostgresConnection, _ firstOfA: String, _ secondOfA: String,
                          _ b: PostgresConnection, _ firstOfB: String, _ secondOfB: String) async throws -> PostgresConnection {
        try await Clients.run(a, "begin")
        try await Clients.run(a, firstOfA)
        try await Clients.run(b, "begin")
        try await Clients.run(b, firstOfB)
        let waiting = Started { try await Clients.run(a, secondOfA) }
        await waiting.assertWaiting()
        let closing = Started { try await Clients.run(b, secondOfB) }
        let outcomes = [await waiting.result, await closing.result]
        let failures = outcomes.compactMap { outcome -> PSQLError? in
            if case .failure(let error as PSQLError) = outcome { return error }
            return nil
        }
        XCTAssertEqual(failures.count, 1, "exactly one deadlock victim: \(outcomes)")
        if let victim = failures.first {
            XCTAssertEqual(victim.serverInfo?[.sqlState], "40P01")
            XCTAssertEqual(victim.serverInfo?[.message], "deadlock detected")
            // "Process 12 waits for ShareLock on transaction 7; blocked by process 34.", a line per wait.
            let detail = victim.serverInfo?[.detail] ?? ""
            let lines = detail.split(separator: "\n")
            XCTAssertEqual(lines.count, 2, detail)
            XCTAssertTrue(lines.allSatisfy { $0.hasPrefix("Process ") && $0.contains(" waits for ShareLock on transaction ")
                && $0.contains("; blocked by process ") }, detail)
            XCTAssertEqual(victim.serverInfo?[.hint], "See server log for query details.")
        }
        let (winner, loser) = outcomes[0].isSuccess ? (a, b) : (b, a)
        try await Clients.run(loser, "rollback")
        try await Clients.run(winner, "commit")
        return winner
    }

    func testLockTimeoutStatementTimeoutAndCancelEndAWait() async throws {
        let server = try Clients.startServer("create table t (id int primary key, v int)", "insert into t values (1, 1)")
        defer { server.cleanUp() }
        let a = try await Clients.connect(server)
        let b = try await Clients.connect(server)
        try await Clients.run(a, "begin")
        try await Clients.run(a, "update t set v = 2 where id = 1")

        try await Clients.run(b, "set lock_timeout = '200ms'")
        Clients.assertError(await Clients.result { try await Clients.run(b, "update t set v = 3 where id = 1") },
                            "55P03", "canceling statement due to lock timeout")
        try await Clients.run(b, "set lock_timeout = 0")
        try await Clients.run(b, "set statement_timeout = '200ms'")
        Clients.assertError(await Clients.result { try await Clients.run(b, "update t set v = 3 where id = 1") },
                            "57014", "canceling statement due to statement timeout")
        Clients.assertError(await Clients.result { try await Clients.run(b, "select pg_sleep(1)") },
                            "57014", "canceling statement due to statement timeout")
        try await Clients.run(b, "set statement_timeout = 0")

        // psql sends a CancelRequest on SIGINT; a waiting UPDATE and a pg_sleep end with 57014.
        for command in ["update t set v = 4 where id = 1", "select pg_sleep(5)"] {
            let psql = try PsqlProcess(server, command)
            defer { psql.terminate() }
            try await Clients.waitUntilActive(b, command + "%")
            let output = psql.interrupt()
            XCTAssertTrue(output.contains("ERROR:  canceling statement due to user request"), output)
        }

        try await Clients.run(a, "commit")
        try await Clients.expect(b, "select v from t where id = 1", 2)
        try await Clients.close(a, b)
    }

    func testSelectForUpdateBlocksAConcurrentUpdateUntilCommitNowaitFailsSkipLockedSkips() async throws {
        let server = try Clients.startServer("create table t (id int primary key, v int)", "insert into t values (1, 1), (2, 2)")
        defer { server.cleanUp() }
        let a = try await Clients.connect(server)
        let b = try await Clients.connect(server)
        let c = try await Clients.connect(server)

        try await Clients.run(a, "begin")
        try await Clients.expect(a, "select v from t where id = 1 for update", 1)
        let second = Started { try await Clients.run(b, "update t set v = v + 1 where id = 1") }
        await second.assertWaiting()
        try await Clients.expect(c, "select v from t where id = 1", 1)    // plain reads are not blocked
        Clients.assertError(await Clients.result { try await Clients.run(c, "select v from t where id = 1 for update nowait") },
                            "55P03", "could not obtain lock on row in relation \"t\"")
        let unlocked = try await Clients.run(c, "select id from t order by id for update skip locked")
        XCTAssertEqual(try unlocked.rows.map { try $0.decode(Int.self) }, [2])
        try await Clients.run(a, "update t set v = 10 where id = 1")
        try await Clients.run(a, "commit")
        Clients.expectRows(await second.result, 1)
        try await Clients.expect(c, "select v from t where id = 1", 11)

        // A lock that is released by ROLLBACK leaves the row as it was for the waiter.
        try await Clients.run(a, "begin")
        try await Clients.expect(a, "select v from t where id = 1 for update", 11)
        let third = Started { try await Clients.run(b, "update t set v = v + 1 where id = 1") }
        await third.assertWaiting()
        try await Clients.run(a, "rollback")
        Clients.expectRows(await third.result, 1)
        try await Clients.expect(c, "select v from t where id = 1", 12)
        try await Clients.close(a, b, c)
    }

    // MARK: Many sessions

    func testManyConcurrentSessionsWithShortTransactions() async throws {
        let server = try Clients.startServer("create table counter (id int primary key, n int)", "insert into counter values (1, 0)",
                                             "create table events (id int primary key, session int not null, note text)")
        defer { server.cleanUp() }
        let sessions = 32
        let transactions = 4
        var connections: [PostgresConnection] = []
        for _ in 0..<sessions { connections.append(try await Clients.connect(server)) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (session, connection) in connections.enumerated() {
                group.addTask {
                    for step in 0..<transactions {
                        try await Clients.run(connection, "begin")
                        try await Clients.run(connection, "insert into events values (\(session * 100 + step), \(session), 'step \(step)')")
                        try await Clients.run(connection, "update counter set n = n + 1 where id = 1")
                        _ = try await Clients.int(connection, "select count(*) from events where session = \(session)")
                        try await Clients.run(connection, "commit")
                    }
                }
            }
            try await group.waitForAll()
        }
        let check = connections[0]
        try await Clients.expect(check, "select count(*) from events", sessions * transactions)
        try await Clients.expect(check, "select count(distinct session) from events", sessions)
        try await Clients.expect(check, "select n from counter where id = 1", sessions * transactions)
        try await Clients.close(connections)
    }
}

// MARK: - Helpers

/// postgres-nio connections to a test server, and what the tests ask of them.
enum Clients {
    static let logger = Logger(label: "concurrency-tests")

    /// A started server on which `setup` (one statement per string) has been run.
    static func startServer(_ setup: String...) throws -> MiniPGInstance {
        let server = try MiniPGInstance()
        do {
            try server.start()
            let script = setup.map { $0 + ";\n" }.joined()
            let result = try server.psql(script, extraArguments: ["-v", "ON_ERROR_STOP=1"])
            guard result.status == 0 else { throw TestFailure("setup failed:\n\(result.output)") }
        } catch {
            server.cleanUp()
            throw error
        }
        return server
    }

    static func connect(_ server: MiniPGInstance) async throws -> PostgresConnection {
        let configuration = PostgresConnection.Configuration(host: "127.0.0.1", port: server.port, username: "postgres",
                                                             password: server.password, database: "postgres", tls: .disable)
        return try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
    }

    static func close(_ connections: PostgresConnection...) async throws { try await close(connections) }

    static func close(_ connections: [PostgresConnection]) async throws {
        for connection in connections { try await connection.close() }
    }

    /// `holder` opens a transaction and runs `statements`; `waiter`'s `statement` must then wait for
    /// it (a row lock or a unique check) until `holder` ends with `end` ("commit" or "rollback").
    /// Returns how the waiter's statement ended.
    static func waitBehind(_ holder: PostgresConnection, _ statements: [String], _ waiter: PostgresConnection,
                           _ statement: String, end: String,
                           file: StaticString = #filePath, line: UInt = #line) async throws -> Result<PostgresQueryResult, any Error> {
        try await run(holder, "begin")
        for held in statements { try await run(holder, held) }
        let second = Started { try await run(waiter, statement) }
        await second.assertWaiting(file: file, line: line)
        try await run(holder, end)
        return await second.result
    }

    /// Runs one statement (extended protocol, no parameters) and collects its rows and command tag.
    @discardableResult
    static func run(_ connection: PostgresConnection, _ sql: String) async throws -> PostgresQueryResult {
        try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).get()
    }

    /// The first column of the only row of `sql`, as an Int.
    static func int(_ connection: PostgresConnection, _ sql: String) async throws -> Int {
        let result = try await run(connection, sql)
        guard result.rows.count == 1, let row = result.rows.first else {
            throw TestFailure("\(sql): expected one row, got \(result.rows.count)")
        }
        return try row.decode(Int.self)
    }

    /// `sql` returns one row whose first column is `expected`.
    static func expect(_ connection: PostgresConnection, _ sql: String, _ expected: Int,
                       file: StaticString = #filePath, line: UInt = #line) async throws {
        let value = try await int(connection, sql)
        XCTAssertEqual(value, expected, sql, file: file, line: line)
    }

    /// `result` is a statement that succeeded and changed `count` rows.
    static func expectRows(_ result: Result<PostgresQueryResult, any Error>, _ count: Int,
                           file: StaticString = #filePath, line: UInt = #line) {
        switch result {
        case .success(let done): XCTAssertEqual(done.metadata.rows, count, file: file, line: line)
        case .failure(let error): XCTFail("the statement failed: \(String(reflecting: error))", file: file, line: line)
        }
    }

    static func result<T: Sendable>(_ body: () async throws -> T) async -> Result<T, any Error> {
        do { return .success(try await body()) } catch { return .failure(error) }
    }

    /// `result` is the server error with this SQLSTATE, message and (if given) detail.
    static func assertError<T>(_ result: Result<T, any Error>, _ sqlState: String, _ message: String, detail: String? = nil,
                               file: StaticString = #filePath, line: UInt = #line) {
        guard case .failure(let failure) = result else {
            return XCTFail("expected error \(sqlState) \(message), the statement succeeded", file: file, line: line)
        }
        guard let error = failure as? PSQLError, let info = error.serverInfo else {
            return XCTFail("expected error \(sqlState) \(message), got \(failure)", file: file, line: line)
        }
        XCTAssertEqual(info[.sqlState], sqlState, file: file, line: line)
        XCTAssertEqual(info[.message], message, file: file, line: line)
        if let detail { XCTAssertEqual(info[.detail], detail, file: file, line: line) }
    }

    /// Polls pg_stat_activity until a statement matching `pattern` is running in another session.
    static func waitUntilActive(_ connection: PostgresConnection, _ pattern: String) async throws {
        for _ in 0..<600 {
            let query = "select count(*) from pg_stat_activity where state = 'active' and query like '\(pattern)'"
            if try await int(connection, query) > 0 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("no active statement like \(pattern)")
    }
}

/// A statement started on its own task, so the test can check that it waits, then release it.
final class Started<T: Sendable>: Sendable {
    private let task: Task<T, any Error>
    private let flag: Flag

    init(_ body: @escaping @Sendable () async throws -> T) {
        let flag = Flag()
        task = Task {
            defer { flag.set() }
            return try await body()
        }
        self.flag = flag
    }

    /// Fails if the statement finished within a pause long enough for it to have run.
    func assertWaiting(file: StaticString = #filePath, line: UInt = #line) async {
        try? await Task.sleep(for: .milliseconds(300))
        XCTAssertFalse(flag.isSet, "the statement should be waiting for a lock", file: file, line: line)
    }

    var result: Result<T, any Error> {
        get async { await task.result }
    }
}

final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}

/// psql running one command in the background, to be interrupted with SIGINT (which makes psql
/// send a CancelRequest for the running statement). It is started with posix_spawn and an empty
/// signal mask: Foundation's Process would pass on the calling thread's mask, in which a Swift
/// concurrency thread blocks SIGINT, and psql would never see the signal.
final class PsqlProcess {
    private let pid: pid_t
    private let outputFile: String
    private var exited = false

    init(_ server: MiniPGInstance, _ command: String) throws {
        guard let psql = TestEnvironment.tool("psql") else { throw TestFailure("psql is not installed") }
        outputFile = server.directory.appendingPathComponent("psql-\(UUID().uuidString.prefix(8)).out").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputFile, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noneBlocked = sigset_t()
        sigemptyset(&noneBlocked)
        posix_spawnattr_setsigmask(&attributes, &noneBlocked)
        var defaultActions = sigset_t()
        sigemptyset(&defaultActions)
        sigaddset(&defaultActions, SIGINT)
        posix_spawnattr_setsigdefault(&attributes, &defaultActions)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let arguments = [psql, "-X", "-h", "localhost", "-p", String(server.port), "-U", "postgres", "-c", command]
        var environment = ProcessInfo.processInfo.environment
        environment["PGPASSWORD"] = server.password
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, psql, &actions, &attributes, argv, envp)
        guard status == 0 else { throw TestFailure("posix_spawn \(psql) failed: \(status)") }
        pid = child
    }

    /// Sends SIGINT, waits for psql to exit (killing it if it does not) and returns its output.
    func interrupt() -> String {
        kill(pid, SIGINT)
        for _ in 0..<600 where !reaped() { usleep(50_000) }
        terminate()
        return (try? String(contentsOfFile: outputFile, encoding: .utf8)) ?? "(no output)"
    }

    func terminate() {
        guard !reaped() else { return }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        exited = true
    }

    private func reaped() -> Bool {
        if exited { return true }
        var status: Int32 = 0
        exited = waitpid(pid, &status, WNOHANG) == pid
        return exited
    }
}

extension Result {
    var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }
}
