// Every hidden query psql 15 sends for \dt, \d name, \di, \dt+, \l, \du and \dn runs against the
// pg_catalog relations and returns what PostgreSQL 15 returned for the same objects
// (psql_E_output_main.txt / psql_E_output_extra.txt).
import Testing
@testable import SQLMini

@Suite struct SystemCatalogPsqlTests {
    typealias Q = PsqlCatalogQueries

    private func oid(of table: String, _ session: Session) throws -> String {
        let rows = try session.rows(Q.aimed(Q.lookupTable, oid: "", name: table))
        #expect(rows.count == 1)
        #expect(rows.first?[1] == "public")
        #expect(rows.first?[2] == table)
        return rows.first?[0] ?? "0"
    }

    @Test func describeTableWithoutIndexes() throws {
        let db = try TestDatabase()
        let session = try db.session()
        _ = session.run("CREATE TABLE mimuw (id int)")
        #expect(try session.rows(Q.listTables) == [["public", "mimuw", "table", "postgres"]])
        let oid = try oid(of: "mimuw", session)
        #expect(try session.rows(Q.aimed(Q.tableDetails, oid: oid, name: "mimuw"))
                == [["0", "r", "f", "f", "f", "f", "f", "f", "f", "", "0", "", "p", "d", "heap"]])
        #expect(try session.rows(Q.aimed(Q.tableColumns, oid: oid, name: "mimuw"))
                == [["id", "integer", nil, "f", nil, "", ""]])
        for query in [Q.tablePolicies, Q.tableStatistics, Q.tablePublications, Q.tableParents, Q.tableChildren] {
            #expect(try session.rows(Q.aimed(query, oid: oid, name: "mimuw")) == [])
        }
    }

    @Test func describeTableWithPrimaryKey() throws {
        let db = try TestDatabase()
        let session = try db.session()
        _ = session.run("CREATE TABLE pgbench_accounts (aid int not null, bid int, abalance int, filler char(84))")
        _ = session.run("ALTER TABLE pgbench_accounts ADD PRIMARY KEY (aid)")
        let oid = try oid(of: "pgbench_accounts", session)
        #expect(try session.rows(Q.aimed(Q.tableColumns, oid: oid, name: "")) == [
            ["aid", "integer", nil, "t", nil, "", ""],
            ["bid", "integer", nil, "f", nil, "", ""],
            ["abalance", "integer", nil, "f", nil, "", ""],
            ["filler", "character(84)", nil, "f", nil, "", ""],
        ])
        let details = try session.rows(Q.aimed(Q.tableDetails, oid: oid, name: ""))
        #expect(details.first?[2] == "t")   // relhasindex
        let indexes = try session.rows(Q.aimed(Q.tableIndexes, oid: oid, name: ""))
        #expect(indexes.count == 1)
        #expect(indexes.first.map { Array($0[0...4]) } == ["pgbench_accounts_pkey", "t", "t", "f", "t"])
        #expect(indexes.first?[6] == "PRIMARY KEY (aid)")
        #expect(indexes.first?[7] == "p")
        #expect(try session.rows(Q.listIndexes)
                == [["public", "pgbench_accounts_pkey", "index", "postgres", "pgbench_accounts"]])
        let plus = try session.rows(Q.listTablesPlus)
        #expect(plus.count == 1)
        #expect(plus.first.map { Array($0[0...5]) } == ["public", "pgbench_accounts", "table", "postgres", "permanent", "heap"])
        #expect(try session.rows(Q.listRelations).map { $0[1] } == ["pgbench_accounts"])
    }

    @Test func listDatabasesRolesAndSchemas() throws {
        let db = try TestDatabase()
        let session = try db.session()
        #expect(try session.rows(Q.listDatabases) == [
            ["postgres", "postgres", "UTF8", "C.UTF-8", "C.UTF-8", nil, "libc", nil],
            ["template0", "postgres", "UTF8", "C.UTF-8", "C.UTF-8", nil, "libc", "=c/postgres\npostgres=CTc/postgres"],
            ["template1", "postgres", "UTF8", "C.UTF-8", "C.UTF-8", nil, "libc", "=c/postgres\npostgres=CTc/postgres"],
        ])
        #expect(try session.rows(Q.listRoles) == [["postgres", "t", "t", "t", "t", "t", "-1", nil, "{}", "t", "t"]])
        #expect(try session.rows(Q.listSchemas) == [["public", "pg_database_owner"]])
    }

    @Test func catalogRelationsSeeOwnUncommittedDDL() throws {
        let db = try TestDatabase()
        let session = try db.session()
        let other = try db.session()
        _ = session.run("BEGIN; CREATE TABLE t (id int)")
        #expect(try session.rows("SELECT relname FROM pg_catalog.pg_class WHERE relname = 't'") == [["t"]])
        #expect(try other.rows("SELECT relname FROM pg_catalog.pg_class WHERE relname = 't'") == [])
        _ = session.run("ROLLBACK")
        #expect(try session.rows("SELECT relname FROM pg_class WHERE relname = 't'") == [])
    }

    @Test func statusViews() throws {
        let db = try TestDatabase()
        let session = try db.session()
        let activity = try session.rows("SELECT pid, usename, application_name, state, query FROM pg_stat_activity")
        #expect(activity == [[String(session.processID), "postgres", "tests", "active",
                              "SELECT pid, usename, application_name, state, query FROM pg_stat_activity"]])
        #expect(try session.rows("SELECT setting, unit FROM pg_settings WHERE name = 'shared_buffers'") == [["16384", "8kB"]])
        #expect(try session.rows("SELECT count(*) FROM pg_stat_replication") == [["0"]])
        #expect(try session.rows("SELECT typname FROM pg_type WHERE oid = 23") == [["int4"]])
        #expect(try session.rows("SELECT amname FROM pg_am ORDER BY oid") == [["heap"], ["btree"]])
    }

    @Test func pgbenchPartitionCheck() throws {
        let db = try TestDatabase()
        let session = try db.session()
        _ = session.run("CREATE TABLE pgbench_accounts (aid int not null, bid int, abalance int, filler char(84))")
        let query = """
            select o.n, p.partstrat, pg_catalog.count(i.inhparent) from pg_catalog.pg_class as c \
            join pg_catalog.pg_namespace as n on (n.oid = c.relnamespace) cross join lateral \
            (select pg_catalog.array_position(pg_catalog.current_schemas(true), n.nspname)) as o(n) \
            left join pg_catalog.pg_partitioned_table as p on (p.partrelid = c.oid) \
            left join pg_catalog.pg_inherits as i on (c.oid = i.inhparent) \
            where c.relname = 'pgbench_accounts' and o.n is not null group by 1, 2 order by 1 asc limit 1
            """
        let output = session.run(query).output
        #expect(output.rows == [["2", nil, "0"]])
        #expect(output.descriptions.first?.map(\.typeOID) == [23, 18, 20])
    }
}

@Suite struct SystemCatalogRelationTests {
    /// Every pg_catalog relation can be read whole, in text and in binary (postgres-nio asks for
    /// binary results), with rows as wide as its column list.
    @Test func everyRelationReadsInTextAndBinary() throws {
        let db = try TestDatabase()
        let session = try db.session()
        _ = session.run("CREATE TABLE t (id serial primary key, name varchar(10) not null default 'x', c char(3))")
        _ = session.run("CREATE INDEX t_name ON t (name)")
        for table in SystemTable.all {
            let (output, error) = session.run("SELECT * FROM pg_catalog.\(table.name)")
            #expect(error == nil, "\(table.name): \(String(describing: error))")
            #expect(output.descriptions.first?.count == table.columns.count, "\(table.name)")
            #expect(output.rawRows.allSatisfy { $0.count == table.columns.count }, "\(table.name)")
            try session.parse(statement: "", query: "SELECT * FROM pg_catalog.\(table.name)", parameterTypes: [])
            try session.bind(portal: "", statement: "", parameterFormats: [], parameters: [], resultFormats: [1])
            let binary = RecordingOutput()
            do {
                _ = try session.execute(portal: "", maxRows: 0, output: binary)
            } catch {
                Issue.record("\(table.name) in binary: \(error)")
            }
            session.sync()
        }
    }

    @Test func defaultsAndIndexesAreDescribed() throws {
        let db = try TestDatabase()
        let session = try db.session()
        _ = session.run("CREATE TABLE t (id serial primary key, name varchar(10) not null default 'x')")
        _ = session.run("CREATE UNIQUE INDEX t_name ON t (name)")
        let oid = try session.rows("SELECT oid FROM pg_class WHERE relname = 't'").first?.first ?? nil
        let columns = try session.rows(PsqlCatalogQueries.aimed(PsqlCatalogQueries.tableColumns, oid: oid ?? "0", name: "t"))
        #expect(columns.map { $0[0] } == ["id", "name"])
        #expect(columns.map { $0[1] } == ["integer", "character varying(10)"])
        #expect(columns.map { $0[3] } == ["t", "t"])
        #expect(columns.first?[2]?.hasPrefix("nextval(") == true)
        #expect(columns.last?[2]?.hasPrefix("'x'") == true)
        #expect(try session.rows("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 't' ORDER BY 1") == [
            ["t_name", "CREATE UNIQUE INDEX t_name ON public.t USING btree (name)"],
            ["t_pkey", "CREATE UNIQUE INDEX t_pkey ON public.t USING btree (id)"],
        ])
        #expect(try session.rows("SELECT count(*) FROM pg_sequence") == [["1"]])
    }
}
