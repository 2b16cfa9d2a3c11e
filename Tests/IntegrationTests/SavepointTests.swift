// SavepointTests: subtransactions through the real server — a row lock taken inside a savepoint
// is released by ROLLBACK TO SAVEPOINT while its transaction goes on (the waiter proceeds at once),
// a released savepoint's lock is held until COMMIT, and kill -9 after COMMIT keeps exactly the
// rows of the released savepoints (the one commit record lists their subxids) and none of the
// rolled-back ones.

import Foundation
import PostgresNIO
import XCTest

final class SavepointTests: XCTestCase {
    func testRollbackToSavepointReleasesItsRowLocksAndReleaseKeepsThem() async throws {
        let server = try Clients.startServer("create table t (id int primary key, v int)", "insert into t values (1, 0), (2, 0)")
        defer { server.cleanUp() }
        let a = try await Clients.connect(server)
        let b = try await Clients.connect(server)

        // The waiter proceeds when the savepoint is rolled back; the holder's transaction goes on.
        var outcome = try await Clients.waitBehind(a, ["savepoint s", "select v from t where id = 1 for update"],
                                                   b, "update t set v = v + 10 where id = 1", end: "rollback to savepoint s")
        Clients.expectRows(outcome, 1)
        try await Clients.expect(a, "select count(*) from t", 2)
        try await Clients.run(a, "commit")
        try await Clients.expect(a, "select v from t where id = 1", 10)

        // A released savepoint's update belongs to the transaction: the waiter waits for COMMIT,
        // then applies its change to the committed version.
        outcome = try await Clients.waitBehind(a, ["savepoint s", "update t set v = v + 1 where id = 2", "release savepoint s"],
                                               b, "update t set v = v * 100 where id = 2", end: "commit")
        Clients.expectRows(outcome, 1)
        try await Clients.expect(b, "select v from t where id = 2", 100)
        try await Clients.close(a, b)
    }

    func testKill9AfterCommitKeepsReleasedSubtransactionsAndNotRolledBackOnes() throws {
        let server = try MiniPGInstance()
        defer { server.cleanUp() }
        try server.start()
        let script = """
            create table t (id int primary key, v text);
            insert into t values (0, 'before');
            begin;
            insert into t values (1, 'top');
            savepoint a;
            insert into t values (2, 'released');
            update t set v = 'updated in a' where id = 0;
            savepoint b;
            insert into t values (3, 'rolled back');
            delete from t where id = 1;
            rollback to savepoint b;
            release savepoint a;
            savepoint c;
            insert into t values (4, 'failed');
            insert into t values (4, 'duplicate');
            rollback to c;
            insert into t values (5, 'after');
            commit;
            """
        let written = try server.psql(script)
        XCTAssertEqual(written.status, 0, written.output)
        XCTAssertEqual(server.stop(signal: SIGKILL), SIGKILL)
        try server.start()
        let read = try server.psql("select id, v from t order by id;\n", extraArguments: ["-A", "-t"])
        XCTAssertEqual(read.output, "0|updated in a\n1|top\n2|released\n5|after\n", server.log().suffix(4000).description)
    }
}
