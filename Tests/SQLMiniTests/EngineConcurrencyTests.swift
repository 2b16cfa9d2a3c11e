// Engine tests of MVCC between transactions: snapshot visibility of uncommitted and committed
// changes, an UPDATE waiting for a concurrent updater and re-checking the newest version (READ
// COMMITTED's EvalPlanQual), REPEATABLE READ's serialization failure, unique checks waiting for
// a concurrent inserter, SELECT FOR UPDATE, and lock_timeout.
import Foundation
import Testing
import Storage
@testable import SQLMini

/// Runs `body` on a thread of its own; `wait()` returns its error, if any.
final class Background: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var failure: Error?
    private var finished = false
    private let lock = NSLock()

    /// Carries the test's closure (which captures non-Sendable contexts) to the thread; the test
    /// only touches what it captured again after `wait()`.
    private struct Work: @unchecked Sendable { let body: () throws -> Void }

    init(_ body: @escaping () throws -> Void) {
        let work = Work(body: body)
        let thread = Thread { [self] in
            do { try work.body() } catch { lock.lock(); failure = error; lock.unlock() }
            lock.lock(); finished = true; lock.unlock()
            done.signal()
        }
        thread.start()
    }

    var isFinished: Bool { lock.lock(); defer { lock.unlock() }; return finished }

    /// Waits until the body ended (bounded, so a hang fails the test instead of blocking it).
    func wait() throws {
        guard done.wait(timeout: .now() + 30) == .success else { throw SQLError(SQLError.internalError, "background work hung") }
        lock.lock(); defer { lock.unlock() }
        if let failure { throw failure }
    }
}

/// Polls until `condition` holds (bounded), for waiting until a transaction is blocked.
func eventually(_ condition: () -> Bool) {
    for _ in 0..<200 where !condition() { Thread.sleep(forTimeInterval: 0.01) }
}

@Suite struct EngineConcurrencyTests {
    @Test func uncommittedChangesAreInvisibleToOthers() throws {
        let db = try EngineHarness()
        try db.run("CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t VALUES (1, 10), (2, 20)")
        let writer = db.begin()
        try db.run("UPDATE t SET v = 11 WHERE id = 1; DELETE FROM t WHERE id = 2; INSERT INTO t VALUES (3, 30)", in: writer)
        #expect(try db.run("SELECT id, v FROM t ORDER BY id", in: writer) == [[.int4(1), .int4(11)], [.int4(3), .int4(30)]])
        let reader = db.begin()
        #expect(try db.run("SELECT id, v FROM t ORDER BY id", in: reader) == [[.int4(1), .int4(10)], [.int4(2), .int4(20)]])
        let repeatable = db.begin(.repeatableRead)
        #expect(try db.run("SELECT count(*) FROM t", in: repeatable) == [[.int8(2)]])
        try db.commit(writer)
        // READ COMMITTED: the next statement sees the commit; REPEATABLE READ keeps its snapshot.
        #expect(try db.run("SELECT id, v FROM t ORDER BY id", in: reader) == [[.int4(1), .int4(11)], [.int4(3), .int4(30)]])
        #expect(try db.run("SELECT id FROM t WHERE id = 2", in: repeatable) == [[.int4(2)]])
        try db.commit(reader)
        try db.commit(repeatable)
    }

    @Test func concurrentUpdateWaitsAndReevaluates() throws {
        let db = try EngineHarness()
        try db.run("CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t VALUES (1, 1), (2, 1)")
        let first = db.begin()
        try db.run("UPDATE t SET v = v + 1 WHERE id = 1", in: first)
        let second = db.begin()
        var secondTag = ""
        let blocked = Background {
            // Waits for `first`, then applies to the version `first` committed: (1 + 1) * 10.
            try db.run("UPDATE t SET v = v * 10 WHERE id = 1", in: second)
            secondTag = "done"
        }
        Thread.sleep(forTimeInterval: 0.2)
        #expect(!blocked.isFinished)
        try db.commit(first)
        try blocked.wait()
        try db.commit(second)
        #expect(secondTag == "done")
        #expect(try db.text("SELECT v FROM t WHERE id = 1") == [["20"]])

        // The newest version no longer matches the WHERE clause: the row is skipped.
        let third = db.begin()
        try db.run("UPDATE t SET v = 5 WHERE id = 2", in: third)
        let fourth = db.begin()
        var changed: [[Value]] = []
        let skipping = Background { changed = try db.run("UPDATE t SET v = 100 WHERE v = 1 RETURNING id", in: fourth) }
        Thread.sleep(forTimeInterval: 0.2)
        try db.commit(third)
        try skipping.wait()
        try db.commit(fourth)
        #expect(changed.isEmpty)
        #expect(try db.text("SELECT v FROM t WHERE id = 2") == [["5"]])
    }

    @Test func repeatableReadFailsOnConcurrentUpdate() throws {
        let db = try EngineHarness()
        try db.run("CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t VALUES (1, 1)")
        let repeatable = db.begin(.repeatableRead)
        #expect(try db.run("SELECT v FROM t", in: repeatable) == [[.int4(1)]])
        try db.run("UPDATE t SET v = 2 WHERE id = 1")
        do {
            try db.run("UPDATE t SET v = 3 WHERE id = 1", in: repeatable)
            Issue.record("expected a serialization failure")
        } catch let error as SQLError {
            #expect(error.sqlState == "40001")
            #expect(error.message == "could not serialize access due to concurrent update")
        }
        db.abort(repeatable)
    }

    @Test func uniqueCheckWaitsForConcurrentInserter() throws {
        let db = try EngineHarness()
        try db.run("CREATE TABLE t (id int PRIMARY KEY)")
        let first = db.begin()
        try db.run("INSERT INTO t VALUES (7)", in: first)
        let second = db.begin()
        var failure: SQLError?
        let waiting = Background {
            do { try db.run("INSERT INTO t VALUES (7)", in: second) } catch let error as SQLError { failure = error }
        }
        Thread.sleep(forTimeInterval: 0.2)
        #expect(!waiting.isFinished)
        try db.commit(first)
        try waiting.wait()
        db.abort(second)
        #expect(failure?.sqlState == "23505")

        // If the first inserter aborts instead, the second one succeeds.
        let third = db.begin()
        try db.run("INSERT INTO t VALUES (8)", in: third)
        let fourth = db.begin()
        let succeeding = Background { try db.run("INSERT INTO t VALUES (8)", in: fourth) }
        Thread.sleep(forTimeInterval: 0.2)
        db.abort(third)
        try succeeding.wait()
        try db.commit(fourth)
        #expect(try db.text("SELECT id FROM t ORDER BY id") == [["7"], ["8"]])
    }

    /// An UPDATE that leaves a unique key as it was skips the uniqueness check (it holds the key
    /// through the row lock); the key must stay taken all the same: against an inserter that
    /// comes while the update runs, after it commits or aborts, and after many versions.
    @Test func updateKeepingItsUniqueKeyStillHoldsIt() throws {
        let db = try EngineHarness()
        try db.run("CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t VALUES (1, 0), (2, 0)")
        for _ in 0..<50 { try db.run("UPDATE t SET v = v + 1 WHERE id = 1") }
        #expect(try db.text("SELECT id, v FROM t ORDER BY id") == [["1", "50"], ["2", "0"]])
        #expect(throws: SQLError.self) { try db.run("INSERT INTO t VALUES (1, 0)") }
        #expect(throws: SQLError.self) { try db.run("UPDATE t SET id = 1 WHERE id = 2") }

        for ending in ["commit", "abort"] {
            let updater = db.begin()
            try db.run("UPDATE t SET v = v + 1 WHERE id = 1", in: updater)
            let inserter = db.begin()
            var failure: SQLError?
            let waiting = Background {
                do { try db.run("INSERT INTO t VALUES (1, 99)", in: inserter) } catch let error as SQLError { failure = error }
            }
            Thread.sleep(forTimeInterval: 0.2)
            #expect(!waiting.isFinished)
            if ending == "commit" { try db.commit(updater) } else { db.abort(updater) }
            try waiting.wait()
            db.abort(inserter)
            #expect(failure?.sqlState == "23505")
        }
        #expect(try db.text("SELECT id, v FROM t ORDER BY id") == [["1", "51"], ["2", "0"]])
    }

    @Test func selectForUpdateLocksAndLockTimeoutBoundsTheWait() throws {
        let db = try EngineHarness()
        try db.run("CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t VALUES (1, 1)")
        let locker = db.begin()
        #expect(try db.run("SELECT v FROM t WHERE id = 1 FOR UPDATE", in: locker) == [[.int4(1)]])
        let other = db.begin()
        other.lockTimeout = .milliseconds(100)
        do {
            try db.run("UPDATE t SET v = 2 WHERE id = 1", in: other)
            Issue.record("expected a lock timeout")
        } catch let error as SQLError {
            #expect(error.sqlState == "55P03")
            #expect(error.message == "canceling statement due to lock timeout")
        }
        db.abort(other)
        try db.commit(locker)
        #expect(try db.tag("UPDATE t SET v = 2 WHERE id = 1") == "UPDATE 1")
    }
}
