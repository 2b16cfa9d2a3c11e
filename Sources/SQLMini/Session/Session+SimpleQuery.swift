// Session+SimpleQuery: the Simple Query protocol (one Query message, possibly several statements).
//
// As PostgreSQL: the statements outside an explicit block run in ONE implicit transaction that
// commits when the string ends; BEGIN turns it into an explicit block (statements before BEGIN
// belong to it), COMMIT ends whatever is open. Execution stops at the first error: an implicit
// transaction is rolled back, an explicit block becomes failed, the rest of the string is skipped.
// Each statement's results go out as RowDescription, DataRow..., CommandComplete.

extension Session {
    public func executeSimpleQuery(_ sql: String, output: QueryOutput) -> SQLError? {
        clearInterrupts()
        adoptReloadedSettings()
        publishActivity(state: "active", query: sql)
        defer { publishActivity(state: idleStateName) }

        let statements: [ParsedStatement]
        do {
            statements = try Parser.parse(sql)
        } catch {
            failStatement()
            return error
        }
        if statements.isEmpty {
            output.emptyQuery()
            return nil
        }
        for statement in statements {
            do {
                try runSimpleStatement(statement, output: output)
            } catch {
                let sqlError = sqlError(from: error)
                failStatement()
                return sqlError
            }
        }
        do {
            try perform(block.endOfImplicitScope(), output: output)
        } catch {
            return sqlError(from: error)
        }
        return nil
    }

    private func runSimpleStatement(_ parsed: ParsedStatement, output: QueryOutput) throws {
        if case .transaction(let control) = parsed.statement {
            try runTransactionControl(control, output: output)
            return
        }
        try enterStatement(output: output)
        guard let context = transaction else { return }
        beginStatement(in: context, output: output)
        defer { statementDeadline = nil }
        if let utility = try runUtilityStatement(parsed, context: context, output: output, describeRows: true) {
            output.commandComplete(utility)
            return
        }
        let plan = try database.engine.prepare(parsed.statement, parameterTypes: [], context: context)
        let columns = plan.resultColumns
        let formats = [Int16](repeating: 0, count: columns?.count ?? 0)
        if let columns {
            output.rowDescription(describe(columns, formats: formats))
        }
        let encoder = RowEncoder(columns: columns ?? [], formats: formats, catalog: catalogLookup(for: context))
        let result = try database.engine.execute(plan, parameters: [], context: context) { row in
            output.dataRow(try encoder.encode(row))
            return true
        }
        output.commandComplete(result.tag)
    }

    /// Prepares the context for the next statement: new command id (and snapshot in READ
    /// COMMITTED), statement_timeout's deadline, notices to this output.
    func beginStatement(in context: ExecutionContext, output: QueryOutput) {
        context.beginStatement()
        statementsInTransaction += 1
        statementDeadline = settings.statementTimeout.map { ContinuousClock.now + $0 }
        context.deadline = statementDeadline
        context.lockTimeout = settings.lockTimeout
        context.searchPath = settings.searchPath
        context.notice = { [weak output] notice in output?.notice(notice) }
    }

    /// RowDescription fields for result columns sent in `formats`.
    func describe(_ columns: [ResultColumn], formats: [Int16]) -> [ColumnDescription] {
        columns.enumerated().map { index, column in
            ColumnDescription(name: column.name, tableOID: column.tableOID, columnNumber: column.columnNumber,
                              typeOID: column.type.oid, typeSize: column.type.length,
                              typeModifier: column.type.typmod, format: index < formats.count ? formats[index] : 0)
        }
    }
}
