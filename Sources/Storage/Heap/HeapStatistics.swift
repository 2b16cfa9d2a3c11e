// Storage: what happened to one heap since the server started (PostgreSQL's pgstat table
// counters, the numbers behind pg_stat_user_tables and autovacuum's trigger).
//
// In memory only and approximate, as PostgreSQL's are: changes are counted when they are made,
// whether their transaction later commits or not. VACUUM sets liveTuples to what it counted and
// deadTuples to the versions it could not remove yet.
public struct HeapStatistics: Sendable {
    /// n_tup_ins, n_tup_upd, n_tup_del.
    public var inserted = 0
    public var updated = 0
    public var deleted = 0
    /// n_live_tup: an estimate of the live rows (exact right after VACUUM).
    public var liveTuples = 0
    /// n_dead_tup: row versions made dead since the last VACUUM (what autovacuum looks at).
    public var deadTuples = 0
    /// Unix time in microseconds of the last VACUUM / autovacuum / ANALYZE, nil if none.
    public var lastVacuum: Int64?
    public var lastAutovacuum: Int64?
    public var lastAnalyze: Int64?
    public var vacuumCount = 0
    public var autovacuumCount = 0
    public var analyzeCount = 0

    public init() {}
}

extension HeapRelation {
    /// A copy of the counters.
    public var currentStatistics: HeapStatistics { statistics.withLock { $0 } }
}
