// ParserStatementTests: the AST each statement kind produces (DDL, DML, COPY, transactions,
// settings, maintenance, roles).

import Testing
@testable import SQLMini

@Suite("Parser: statements")
struct ParserStatementTests {
    func parse(_ sql: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Statement {
        try ParserTestSupport.parseOne(sql, sourceLocation: sourceLocation)
    }

    @Test func createTableWithTypesAndConstraints() throws {
        let statement = try parse("""
            CREATE TABLE IF NOT EXISTS public.t (
              a int2, b int4 NOT NULL, c integer PRIMARY KEY, d int, e smallint UNIQUE, f bigint DEFAULT -1 NOT NULL,
              g serial, h bigserial, i text NULL, j varchar(20), k character varying(30), l char(5), m character(6),
              n bpchar, o boolean, p bool, q float8, r double precision, s real, t2 float4, u numeric(10,2),
              v decimal, w date, x timestamp, y timestamp without time zone, z timestamptz,
              aa timestamp with time zone, bb name, cc oid, dd text DEFAULT 'x' CONSTRAINT nn NOT NULL,
              CONSTRAINT t_pk PRIMARY KEY (a, b), UNIQUE (e)
            ) WITH (fillfactor=100)
            """)
        guard case .createTable(let create) = statement else { Issue.record("not CREATE TABLE"); return }
        #expect(create.ifNotExists)
        #expect(create.name.description == "public.t")
        let types = create.columns.map { $0.type.name + ($0.type.modifiers.isEmpty ? "" : "\($0.type.modifiers)") }
        #expect(types == ["int2", "int4", "int4", "int4", "int2", "int8", "serial", "bigserial", "text", "varchar[20]",
                          "varchar[30]", "bpchar[5]", "bpchar[6]", "bpchar", "bool", "bool", "float8", "float8", "float4",
                          "float4", "numeric[10, 2]", "numeric", "date", "timestamp", "timestamp", "timestamptz",
                          "timestamptz", "name", "oid", "text"])
        #expect(create.columns[1].constraints.map(\.kind) == [.notNull])
        #expect(create.columns[2].constraints.map(\.kind) == [.primaryKey])
        #expect(create.columns[5].constraints.map(\.kind) == [.defaultValue(Expression(.literal(.integer(-1)), position: 132)), .notNull])
        #expect(create.columns[8].constraints.map(\.kind) == [.null])
        #expect(create.columns[29].constraints.map(\.name) == [nil, "nn"])
        #expect(create.constraints.count == 2)
        #expect(create.constraints[0].name == "t_pk")
        #expect(create.constraints[0].kind == .primaryKey([Identifier("a", position: 550), Identifier("b", position: 553)]))
        #expect(create.options == [StorageOption(name: "fillfactor", value: "100")])
    }

    @Test func dropTruncateIndexAlter() throws {
        #expect(try parse("drop table if exists a, b, c cascade")
                == .drop(DropStatement(objectType: .table, names: [QualifiedName("a", position: 22),
                                                                   QualifiedName("b", position: 25),
                                                                   QualifiedName("c", position: 28)],
                                       ifExists: true, cascade: true)))
        #expect(try parse("DROP INDEX i") == .drop(DropStatement(objectType: .index, names: [QualifiedName("i", position: 12)])))
        guard case .truncate(let truncate) = try parse("truncate table a, b") else { Issue.record("not TRUNCATE"); return }
        #expect(truncate.tables.map(\.name) == ["a", "b"])
        guard case .createIndex(let index) = try parse("create unique index if not exists i on t using btree (a, b desc)")
        else { Issue.record("not CREATE INDEX"); return }
        #expect(index.unique && index.ifNotExists && index.name == "i" && index.method == "btree")
        #expect(index.elements.map(\.column.name) == ["a", "b"])
        #expect(index.elements.map(\.descending) == [false, true])
        guard case .createIndex(let unnamed) = try parse("CREATE INDEX ON t (a)") else { Issue.record("not CREATE INDEX"); return }
        #expect(unnamed.name == nil)
        guard case .alterTable(let alter) = try parse(
            "alter table t add primary key (c), add constraint u unique (d, e), add column f int not null, add g text")
        else { Issue.record("not ALTER TABLE"); return }
        #expect(alter.actions.count == 4)
        #expect(alter.actions[0] == .addConstraint(TableConstraint(kind: .primaryKey([Identifier("c", position: 32)]), position: 19)))
        guard case .addConstraint(let unique) = alter.actions[1] else { Issue.record("not a constraint"); return }
        #expect(unique.name == "u")
        guard case .addColumn(let column, _) = alter.actions[2] else { Issue.record("not a column"); return }
        #expect(column.name.name == "f" && column.constraints.map(\.kind) == [.notNull])
    }

    @Test func insertForms() throws {
        guard case .insert(let values) = try parse("insert into t (a, b) values (1, default), ($1, 'x') returning a, *")
        else { Issue.record("not INSERT"); return }
        #expect(values.columns.map(\.name) == ["a", "b"])
        guard case .values(let rows) = values.source else { Issue.record("not VALUES"); return }
        #expect(rows.count == 2)
        #expect(rows[0][1].kind == .defaultValue)
        #expect(values.returning.count == 2)
        guard case .insert(let select) = try parse("insert into t select * from u") else { Issue.record("not INSERT"); return }
        #expect(select.columns.isEmpty)
        guard case .query = select.source else { Issue.record("not a query source"); return }
        guard case .insert(let defaults) = try parse("insert into t default values") else { Issue.record("not INSERT"); return }
        #expect(defaults.source == .defaultValues)
        guard case .insert(let parenthesized) = try parse("insert into t (select 1)") else { Issue.record("not INSERT"); return }
        #expect(parenthesized.columns.isEmpty)
    }

    @Test func updateAndDelete() throws {
        guard case .update(let update) = try parse("update t x set a = a + 1, b = default from u where x.id = u.id returning a")
        else { Issue.record("not UPDATE"); return }
        #expect(update.alias == "x")
        #expect(update.assignments.map(\.column.name) == ["a", "b"])
        #expect(update.from.count == 1)
        #expect(update.whereClause != nil)
        #expect(update.returning.count == 1)
        guard case .update(let plain) = try parse("UPDATE t SET a = 1") else { Issue.record("not UPDATE"); return }
        #expect(plain.alias == nil)
        guard case .delete(let delete) = try parse("delete from t where a = 1 returning *") else { Issue.record("not DELETE"); return }
        #expect(delete.table.name == "t" && delete.whereClause != nil && delete.returning.count == 1)
    }

    @Test func selectClauses() throws {
        let query = try ParserTestSupport.query("""
            select distinct a, count(*) from t as x(a, b) inner join u on x.a = u.a left outer join v using (a)
            cross join w, generate_series(1, 10) s, pg_catalog.generate_series(1, 3) AS g,
            lateral (select 1) as l, (select 2) sub
            where a > 1 group by 1 having count(*) > 1 order by 1 desc nulls last, 2 limit 10 offset 5 for update
            """)
        #expect(query.limit?.kind == .literal(.integer(10)))
        #expect(query.offset?.kind == .literal(.integer(5)))
        #expect(query.locking == RowLockingClause(strength: .update))
        #expect(query.orderBy.first?.nullsFirst == false)
        guard case .select(let core) = query.body else { Issue.record("not a select"); return }
        #expect(core.distinct == .distinct)
        #expect(core.from.count == 5)
        guard case .join(let cross) = core.from[0], cross.kind == .cross, case .join(let left) = cross.left,
              left.kind == .left, left.condition == .using([Identifier("a", position: 98)]),
              case .join(let inner) = left.left, inner.kind == .inner,
              case .relation(_, let alias) = inner.left
        else { Issue.record("join tree has the wrong shape"); return }
        #expect(alias == Alias("x", columns: ["a", "b"]))
        guard case .function(let series, let seriesAlias, false, _) = core.from[1] else { Issue.record("not a function"); return }
        #expect(series.name.name == "generate_series" && seriesAlias == Alias("s"))
        guard case .function(let qualified, _, _, _) = core.from[2] else { Issue.record("not a function"); return }
        #expect(qualified.name.schema == "pg_catalog")
        guard case .subquery(_, let lateralAlias, true, _) = core.from[3] else { Issue.record("not lateral"); return }
        #expect(lateralAlias == Alias("l"))
        #expect(core.groupBy.count == 1)
        #expect(core.having != nil)
    }

    @Test func valuesAndEmptySelectList() throws {
        let values = try ParserTestSupport.query("values (1, 'a'), (2, 'b') order by 1")
        guard case .values(let rows) = values.body else { Issue.record("not VALUES"); return }
        #expect(rows.count == 2 && values.orderBy.count == 1)
        let empty = try ParserTestSupport.query("select from t")
        guard case .select(let core) = empty.body else { Issue.record("not a select"); return }
        #expect(core.targets.isEmpty && core.from.count == 1)
        let locked = try ParserTestSupport.query("select * from t for update of t nowait limit 1")
        #expect(locked.limit != nil && locked.locking == RowLockingClause(strength: .update, tables: [QualifiedName("t", position: 31)],
                                                                          waitPolicy: .noWait))
    }

    @Test func transactions() throws {
        #expect(try parse("BEGIN") == .transaction(.begin(TransactionModes())))
        #expect(try parse("begin transaction isolation level repeatable read, read only")
                == .transaction(.begin(TransactionModes(isolationLevel: .repeatableRead, readOnly: true))))
        #expect(try parse("START TRANSACTION ISOLATION LEVEL SERIALIZABLE")
                == .transaction(.startTransaction(TransactionModes(isolationLevel: .serializable))))
        #expect(try parse("begin work") == .transaction(.begin(TransactionModes())))
        for commit in ["COMMIT", "commit work", "END", "end transaction"] {
            #expect(try parse(commit) == .transaction(.commit))
        }
        for rollback in ["ROLLBACK", "abort", "rollback transaction"] {
            #expect(try parse(rollback) == .transaction(.rollback))
        }
        #expect(try parse("savepoint x") == .transaction(.savepoint("x")))
        #expect(try parse("release savepoint x") == .transaction(.release("x")))
        #expect(try parse("RELEASE x") == .transaction(.release("x")))
        #expect(try parse("rollback to savepoint x") == .transaction(.rollbackTo("x")))
        #expect(try parse("ROLLBACK TO x") == .transaction(.rollbackTo("x")))
    }

    @Test func settings() throws {
        #expect(try parse("SET DATESTYLE TO 'ISO'")
                == .set(SetStatement(name: "datestyle", value: .list([.string("ISO")]), position: 5)))
        #expect(try parse(#"set search_path = "$user", public"#)
                == .set(SetStatement(name: "search_path", value: .list([.identifier("$user"), .identifier("public")]), position: 5)))
        #expect(try parse("set local statement_timeout to 0")
                == .set(SetStatement(local: true, name: "statement_timeout", value: .list([.number("0")]), position: 11)))
        #expect(try parse("set session x to default") == .set(SetStatement(name: "x", value: .defaultValue, position: 13)))
        #expect(try parse("SET TIME ZONE 'UTC'")
                == .set(SetStatement(name: "timezone", value: .list([.string("UTC")]), position: 5)))
        #expect(try parse("set extra_float_digits = -3")
                == .set(SetStatement(name: "extra_float_digits", value: .list([.number("-3")]), position: 5)))
        #expect(try parse("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
                == .setTransaction(TransactionModes(isolationLevel: .readCommitted), sessionDefault: false))
        #expect(try parse("SET ROLE postgres") == .set(SetStatement(name: "role", value: .list([.identifier("postgres")]), position: 5)))
        #expect(try parse("RESET ALL") == .reset(name: nil))
        #expect(try parse("reset work_mem") == .reset(name: "work_mem"))
        #expect(try parse("SHOW ALL") == .show(name: "all"))
        #expect(try parse("show server_version") == .show(name: "server_version"))
        #expect(try parse("SHOW TIME ZONE") == .show(name: "timezone"))
        #expect(try parse("show transaction isolation level") == .show(name: "transaction_isolation"))
    }

    @Test func copy() throws {
        let table = CopyStatement.Source.table(QualifiedName("t", position: 6), columns: [])
        #expect(try parse("copy t from stdin with (freeze on)")
                == .copy(CopyStatement(source: table, direction: .from, endpoint: .stdin, freeze: true)))
        #expect(try parse("COPY t FROM STDIN WITH (FORMAT csv, HEADER, DELIMITER ';', NULL '')")
                == .copy(CopyStatement(source: table, direction: .from, endpoint: .stdin, format: .csv,
                                       delimiter: ";", null: "", header: true)))
        #expect(try parse("copy t to stdout with csv header")
                == .copy(CopyStatement(source: table, direction: .to, endpoint: .stdout, format: .csv, header: true)))
        #expect(try parse("copy t to stdout (format text, freeze false)")
                == .copy(CopyStatement(source: table, direction: .to, endpoint: .stdout)))
        guard case .copy(let columns) = try parse("copy t (a, b) from stdin") else { Issue.record("not COPY"); return }
        #expect(columns.source == .table(QualifiedName("t", position: 6), columns: [Identifier("a", position: 9),
                                                                                      Identifier("b", position: 12)]))
        guard case .copy(let query) = try parse("COPY (select 1) TO STDOUT") else { Issue.record("not COPY"); return }
        guard case .query = query.source else { Issue.record("not a query source"); return }
    }

    @Test func maintenanceAndRoles() throws {
        #expect(try parse("vacuum analyze t")
                == .vacuum(VacuumStatement(analyze: true, tables: [QualifiedName("t", position: 16)])))
        #expect(try parse("VACUUM") == .vacuum(VacuumStatement()))
        #expect(try parse("vacuum (verbose, analyze) a, b").vacuumTables == ["a", "b"])
        #expect(try parse("ANALYZE") == .analyze(tables: []))
        #expect(try parse("analyze t") == .analyze(tables: [QualifiedName("t", position: 9)]))
        #expect(try parse("CHECKPOINT") == .checkpoint)
        guard case .explain(let explain) = try parse("explain analyze select 1") else { Issue.record("not EXPLAIN"); return }
        #expect(explain.analyze)
        guard case .explain(let options) = try parse("EXPLAIN (ANALYZE, COSTS off, FORMAT text) UPDATE t SET a = 1")
        else { Issue.record("not EXPLAIN"); return }
        #expect(options.analyze && !options.costs)
        guard case .update = options.statement else { Issue.record("not EXPLAIN UPDATE"); return }
        #expect(try parse("commit and no chain") == .transaction(.commit))
        #expect(ParserTestSupport.parseError("commit and chain")?.sqlState == SQLError.featureNotSupported)
        #expect(try parse("create role r login superuser replication password 'x'")
                == .createRole(CreateRoleStatement(name: Identifier("r", position: 13),
                                                   options: [.login(true), .superuser(true), .replication(true), .password("x")])))
        #expect(try parse("CREATE USER u WITH NOLOGIN")
                == .createRole(CreateRoleStatement(name: Identifier("u", position: 13), options: [.login(true), .login(false)])))
        #expect(try parse("alter role postgres password 'secret'")
                == .alterRole(AlterRoleStatement(name: Identifier("postgres", position: 12), options: [.password("secret")])))
        #expect(try parse("drop user if exists a, b")
                == .dropRole(DropRoleStatement(names: [Identifier("a", position: 21), Identifier("b", position: 24)], ifExists: true)))
    }
}

extension Statement {
    fileprivate var vacuumTables: [String] {
        if case .vacuum(let vacuum) = self { return vacuum.tables.map(\.name) }
        return []
    }
}
