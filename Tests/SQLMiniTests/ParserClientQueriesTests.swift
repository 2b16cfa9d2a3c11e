// ParserClientQueriesTests: every statement real clients send (sql-surface.md, clients.md, the
// psql -E captures) parses, including multi-statement strings and trailing semicolons.

import Testing
@testable import SQLMini

@Suite("Parser: client statements")
struct ParserClientQueriesTests {
    /// pgbench -i, -I G, and the run scripts in simple and extended mode (clients.md §2).
    static let pgbench: [String] = [
        "drop table if exists pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers",
        "create table pgbench_history(tid int,bid int,aid    int,delta int,mtime timestamp,filler char(22))",
        "create table pgbench_tellers(tid int not null,bid int,tbalance int,filler char(84)) with (fillfactor=100)",
        "create table pgbench_accounts(aid    int not null,bid int,abalance int,filler char(84)) with (fillfactor=100)",
        "create table pgbench_branches(bid int not null,bbalance int,filler char(88)) with (fillfactor=100)",
        "begin",
        "truncate table pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers",
        "insert into pgbench_branches(bid,bbalance) values(1,0)",
        "insert into pgbench_tellers(tid,bid,tbalance) values (1,1,0)",
        "copy pgbench_accounts from stdin with (freeze on)",
        "commit",
        "vacuum analyze pgbench_branches",
        "alter table pgbench_branches add primary key (bid)",
        "insert into pgbench_branches(bid,bbalance) select bid, 0 from generate_series(1, 1) as bid",
        "insert into pgbench_tellers(tid,bid,tbalance) select tid, (tid - 1) / 10 + 1, 0 from generate_series(1, 10) as tid",
        "insert into pgbench_accounts(aid,bid,abalance,filler) select aid, (aid - 1) / 100000 + 1, 0, '' from generate_series(1, 100000) as aid",
        "select count(*) from pgbench_branches",
        """
        select o.n, p.partstrat, pg_catalog.count(i.inhparent) from pg_catalog.pg_class as c join pg_catalog.pg_namespace as n on (n.oid = c.relnamespace) cross join lateral (select pg_catalog.array_position(pg_catalog.current_schemas(true), n.nspname)) as o(n) left join pg_catalog.pg_partitioned_table as p on (p.partrelid = c.oid) left join pg_catalog.pg_inherits as i on (c.oid = i.inhparent) where c.relname = 'pgbench_accounts' and o.n is not null group by 1, 2 order by 1 asc limit 1
        """,
        "vacuum pgbench_branches",
        "truncate pgbench_history",
        "BEGIN;",
        "UPDATE pgbench_accounts SET abalance = abalance + 1902 WHERE aid = 59175;",
        "UPDATE pgbench_accounts SET abalance = abalance + -4908 WHERE aid = 59175;",
        "SELECT abalance FROM pgbench_accounts WHERE aid = 59175;",
        "UPDATE pgbench_tellers SET tbalance = tbalance + 1902 WHERE tid = 6;",
        "UPDATE pgbench_branches SET bbalance = bbalance + 1902 WHERE bid = 1;",
        "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (6, 1, 59175, 1902, CURRENT_TIMESTAMP);",
        "END;",
        "UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2;",
        "SELECT abalance FROM pgbench_accounts WHERE aid = $1;",
        "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ($1, $2, $3, $4, CURRENT_TIMESTAMP);",
    ]

    /// Drivers, replication tools' SQL, and the user statements of the brief (sql-surface.md §1).
    static let drivers: [String] = [
        "select 1::int", "select 1", "insert into drv values (1, 'a')", "select $1::int",
        "insert into drv values ($1, $2)", "select id, t from drv where id = $1", "select $1::int + 1",
        "create table if not exists drv (id int primary key, t text)",
        #"SAVEPOINT "_pg3_2""#, #"RELEASE "_pg3_2""#, #"ROLLBACK TO SAVEPOINT "_pg3_2""#, "ROLLBACK",
        "SET DATESTYLE TO 'ISO'", "SHOW data_directory_mode", "SHOW wal_segment_size",
        "select * from pg_stat_replication;", "select pg_is_in_recovery();",
    ]

    @Test(arguments: pgbench)
    func pgbenchStatementParses(_ sql: String) throws {
        _ = try ParserTestSupport.parseOne(sql)
    }

    @Test(arguments: drivers)
    func driverStatementParses(_ sql: String) throws {
        _ = try ParserTestSupport.parseOne(sql)
    }

    @Test(arguments: PsqlCatalogQueries.all)
    func psqlHiddenQueryParses(_ sql: String) throws {
        _ = try ParserTestSupport.parseOne(sql)
    }

    @Test func multipleStatementsAndEmptyOnes() throws {
        let statements = try Parser.parse(";; begin; select 1 ;;\n commit ; ")
        #expect(statements.count == 3)
        #expect(statements.map(\.text) == ["begin", "select 1", "commit"])
        #expect(statements.map(\.position) == [4, 11, 24])
        #expect(try Parser.parse("").isEmpty)
        #expect(try Parser.parse("  -- only a comment\n").isEmpty)
    }

    @Test func parameterCount() throws {
        let statements = try Parser.parse("select $2 + $1; select 1")
        #expect(statements.map(\.parameterCount) == [2, 0])
    }

    @Test func psqlDescribeQueryShape() throws {
        // The `\d` index query: comma joins where the LEFT JOIN binds only to pg_index i.
        let query = try ParserTestSupport.query("""
            SELECT c2.relname FROM pg_catalog.pg_class c, pg_catalog.pg_class c2, pg_catalog.pg_index i
              LEFT JOIN pg_catalog.pg_constraint con ON (conrelid = i.indrelid AND conindid = i.indexrelid AND contype IN ('p','u','x'))
            WHERE c.oid = '16389' AND c.oid = i.indrelid AND i.indexrelid = c2.oid
            ORDER BY i.indisprimary DESC, c2.relname;
            """)
        guard case .select(let core) = query.body else { Issue.record("not a select"); return }
        #expect(core.from.count == 3)
        guard case .join(let join) = core.from[2] else { Issue.record("third item is not a join"); return }
        #expect(join.kind == .left)
        guard case .relation(let name, let alias) = join.left else { Issue.record("left is not a relation"); return }
        #expect(name.description == "pg_catalog.pg_index")
        #expect(alias == Alias("i"))
        #expect(query.orderBy.count == 2)
        #expect(query.orderBy[0].descending)
    }

    @Test func unionWithTrailingOrderBy() throws {
        let query = try ParserTestSupport.query("select 1 union select 2 union all select 3 order by 1")
        guard case .setOperation(let outer) = query.body else { Issue.record("not a set operation"); return }
        #expect(outer.all)
        #expect(query.orderBy.count == 1)
        guard case .setOperation(let inner) = outer.left.body else { Issue.record("not left-deep"); return }
        #expect(!inner.all)
        #expect(inner.right.orderBy.isEmpty)
    }
}
