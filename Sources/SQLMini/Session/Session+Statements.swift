// Session+Statements: the statements the session runs itself rather than the engine — SET, RESET,
// SHOW, SET TRANSACTION, COPY, VACUUM, ANALYZE, CHECKPOINT, role DDL — and what Describe reports
// for them.
// Everything else (queries, DML, DDL, EXPLAIN) is prepared and executed by the engine.
//
// VACUUM and ANALYZE: Session+Vacuum.swift. VACUUM refuses to run inside a transaction block, as
// PostgreSQL does.

import Storage

extension Session {
    /// Runs `parsed` if it is a session-level statement and returns its command tag; returns nil
    /// for statements the engine runs. Rows (SHOW) go to `output`, with a RowDescription first
    /// when `describeRows` (Simple Query; the extended protocol describes through Describe).
    func runUtilityStatement(_ parsed: ParsedStatement, context: ExecutionContext, output: QueryOutput,
                             describeRows: Bool) throws -> String? {
        switch parsed.statement {
        case .set(let statement):
            try runSet(statement, output: output)
            return "SET"
        case .reset(let name):
            try runReset(name)
            return "RESET"
        case .setTransaction(let modes, let sessionDefault):
            try runSetTransaction(modes, sessionDefault: sessionDefault, context: context, output: output)
            return "SET"
        case .show(let name):
            let rows = try showRows(name)
            let columns = showColumns(name)
            if describeRows { output.rowDescription(describe(columns, formats: [])) }
            for row in rows { output.dataRow(row.map { Array($0.utf8) }) }
            return "SHOW"
        case .copy(let statement):
            return try runCopy(statement, context: context, output: output)
        case .vacuum(let vacuum):
            guard block.state != .explicit else {
                throw SQLError(SQLError.activeSQLTransaction, "VACUUM cannot run inside a transaction block")
            }
            try runVacuum(vacuum, context: context, output: output)
            return "VACUUM"
        case .analyze(let tables):
            try runAnalyze(tables, context: context)
            return "ANALYZE"
        case .createRole(let statement):
            return try runCreateRole(statement, context: context)
        case .alterRole(let statement):
            return try runAlterRole(statement, context: context)
        case .dropRole(let statement):
            return try runDropRole(statement, context: context)
        case .checkpoint:
            guard role.superuser else {
                throw SQLError(SQLError.insufficientPrivilege, "must be superuser to do CHECKPOINT")
            }
            do {
                try database.storage.checkpoint(reason: .manual)
            } catch {
                throw sqlError(from: error)
            }
            return "CHECKPOINT"
        case .deallocate(let name):
            return try deallocate(name)
        default:
            return nil
        }
    }

    /// True for the statements runUtilityStatement handles (they have no engine plan).
    static func isUtility(_ statement: Statement) -> Bool {
        switch statement {
        case .set, .reset, .setTransaction, .show, .copy, .vacuum, .analyze, .checkpoint, .transaction,
             .createRole, .alterRole, .dropRole, .deallocate:
            return true
        default:
            return false
        }
    }

    /// DEALLOCATE: drops a named prepared statement (protocol-level ones share the namespace, as in
    /// PostgreSQL), or all of them; the unnamed statement is not among them.
    private func deallocate(_ name: String?) throws -> String {
        guard let name else {
            preparedStatements = preparedStatements.filter { $0.key.isEmpty }
            return "DEALLOCATE ALL"
        }
        guard preparedStatements.removeValue(forKey: name) != nil else {
            throw SQLError(SQLError.invalidSQLStatementName, "prepared statement \"\(name)\" does not exist")
        }
        return "DEALLOCATE"
    }

    /// The columns a session-level statement returns (Describe), nil when it returns none.
    func utilityResultColumns(_ statement: Statement) -> [ResultColumn]? {
        if case .show(let name) = statement { return showColumns(name) }
        return nil
    }

    private func showColumns(_ name: String) -> [ResultColumn] {
        if name == "all" {
            return ["name", "setting", "description"].map {
                ResultColumn(name: $0, type: .text, tableOID: 0, columnNumber: 0)
            }
        }
        return [ResultColumn(name: SessionSettings.canonicalName(name), type: .text, tableOID: 0, columnNumber: 0)]
    }

    private func showRows(_ name: String) throws -> [[String]] {
        if name == "all" {
            return settings.showAll().map { [$0.name, $0.setting, $0.description] }
        }
        return [[try settings.show(name)]]
    }
}
