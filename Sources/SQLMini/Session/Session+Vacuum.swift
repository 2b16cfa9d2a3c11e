// Session+Vacuum: VACUUM and ANALYZE — name resolution and messages here, the work in Storage
// (Vacuum/Vacuum.swift): prune every page, remove the index entries of dead row versions, free
// their slots, record free space; ANALYZE counts live rows (pg_class.reltuples,
// pg_stat_user_tables.n_live_tup). No column statistics are gathered: the planner uses none.
//
// VACUUM FULL and FREEZE are accepted and run as a plain VACUUM (no table rewrite, no freezing:
// minipg's xids do not wrap around yet). Without table names every table is processed, the system
// relations included.
import Storage

extension Session {
    func runVacuum(_ vacuum: VacuumStatement, context: ExecutionContext, output: QueryOutput) throws {
        try refuseDuringRecovery("VACUUM")
        for target in try vacuumTargets(vacuum.tables, command: "vacuum", context: context) {
            let qualified = "\(databaseName).\(target.name)"
            if vacuum.verbose { output.notice(SQLNotice(SQLError.successfulCompletion, "vacuuming \"\(qualified)\"", severity: .info)) }
            let result: VacuumResult
            do {
                result = try database.storage.vacuum(heap: target.heap, indexes: target.indexes)
                if vacuum.analyze { try database.storage.analyze(heap: target.heap) }
            } catch {
                throw sqlError(from: error)
            }
            if vacuum.verbose {
                let lines = [
                    "finished vacuuming \"\(qualified)\": index scans: \(result.slotsFreed > 0 ? target.indexes.count : 0)",
                    "pages: 0 removed, \(result.pagesScanned) remain, \(result.pagesScanned) scanned (100.00% of total)",
                    "tuples: \(result.tuplesRemoved) removed, \(result.liveTuples + result.recentlyDeadTuples) remain, " +
                        "\(result.recentlyDeadTuples) are dead but not yet removable",
                    "index entries: \(result.indexEntriesRemoved) removed, line pointers: \(result.slotsFreed) freed",
                ]
                output.notice(SQLNotice(SQLError.successfulCompletion, lines.joined(separator: "\n"), severity: .info))
            }
        }
    }

    func runAnalyze(_ tables: [QualifiedName], context: ExecutionContext) throws {
        try refuseDuringRecovery("ANALYZE")
        for target in try vacuumTargets(tables, command: "analyze", context: context) {
            do { try database.storage.analyze(heap: target.heap) } catch { throw sqlError(from: error) }
        }
    }

    /// A standby replays its primary's VACUUMs; it runs none of its own (25006, as PostgreSQL).
    private func refuseDuringRecovery(_ command: String) throws {
        if database.isInRecovery {
            throw SQLError(SQLError.readOnlySQLTransaction, "cannot execute \(command) during recovery")
        }
    }

    /// The tables named (42P01 if one does not exist; a non-table is skipped with PostgreSQL's
    /// WARNING), or every table if none is named.
    private func vacuumTargets(_ names: [QualifiedName], command: String, context: ExecutionContext) throws -> [VacuumTarget] {
        let engine = database.engine
        guard !names.isEmpty else { return engine.allVacuumTargets() }
        let catalog = engine.catalog(for: context)
        var targets: [VacuumTarget] = []
        for name in names {
            guard let relation = catalog.lookupRelation(schema: name.schema, name: name.name,
                                                        searchPath: settings.searchPath, user: role.name) else {
                throw SQLError(SQLError.undefinedTable, "relation \"\(name)\" does not exist")
            }
            guard relation.kind == .table else {
                context.notice(SQLNotice(SQLError.warning, "skipping \"\(relation.name)\" --- cannot \(command) non-tables or special system tables",
                                         severity: .warning))
                continue
            }
            targets.append(engine.vacuumTarget(relation, catalog: catalog))
        }
        return targets
    }
}
