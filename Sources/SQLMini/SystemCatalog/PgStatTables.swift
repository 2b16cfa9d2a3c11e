// pg_stat_user_tables and pg_stat_all_tables: per-table activity counters, from Storage's
// HeapStatistics (in memory since the server started, as PostgreSQL's cumulative statistics are
// between resets). Scan counters and HOT updates are not tracked (0); both views list the user
// tables (minipg's system relations are not in pg_class).
import Storage

extension SystemTable {
    private static let statTablesColumns: [(name: String, type: SQLType)] = [
        ("relid", .oidType), ("schemaname", .name), ("relname", .name), ("seq_scan", .int8), ("seq_tup_read", .int8),
        ("idx_scan", .int8), ("idx_tup_fetch", .int8), ("n_tup_ins", .int8), ("n_tup_upd", .int8), ("n_tup_del", .int8),
        ("n_tup_hot_upd", .int8), ("n_live_tup", .int8), ("n_dead_tup", .int8), ("n_mod_since_analyze", .int8),
        ("n_ins_since_vacuum", .int8), ("last_vacuum", .timestamptz), ("last_autovacuum", .timestamptz),
        ("last_analyze", .timestamptz), ("last_autoanalyze", .timestamptz), ("vacuum_count", .int8),
        ("autovacuum_count", .int8), ("analyze_count", .int8), ("autoanalyze_count", .int8),
    ]

    /// Unix microseconds to PostgreSQL's timestamptz (microseconds since 2000-01-01).
    private static func timestamp(_ unixMicroseconds: Int64?) -> Value {
        unixMicroseconds.map { .timestamptz($0 - DateTime.unixEpochToPostgresEpochDays * DateTime.microsecondsPerDay) } ?? .null
    }

    private static func statTablesRows(_ view: CatalogView) -> [[Value]] {
        view.relations.filter { $0.kind == "r" }.compactMap { relation in
            guard let s = view.tableStatistics[relation.oid] else { return nil }
            return [
                .oid(relation.oid), .optionalText(view.namespaceName(relation.namespaceOID)), .name(relation.name),
                .int8(0), .int8(0), .int8(0), .int8(0),
                .int8(Int64(s.inserted)), .int8(Int64(s.updated)), .int8(Int64(s.deleted)), .int8(0),
                .int8(Int64(max(0, s.liveTuples))), .int8(Int64(s.deadTuples)), .null, .null,
                timestamp(s.lastVacuum), timestamp(s.lastAutovacuum), timestamp(s.lastAnalyze), .null,
                .int8(Int64(s.vacuumCount)), .int8(Int64(s.autovacuumCount)), .int8(Int64(s.analyzeCount)), .int8(0),
            ]
        }
    }

    static let pgStatUserTables = SystemTable("pg_stat_user_tables", oid: 12_020, columns: statTablesColumns,
                                              rows: statTablesRows)
    static let pgStatAllTables = SystemTable("pg_stat_all_tables", oid: 12_021, columns: statTablesColumns,
                                             rows: statTablesRows)
}
