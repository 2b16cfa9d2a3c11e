// Session+Extended: the extended query protocol — Parse, Bind, Describe, Execute, Close, Sync.
//
// Transactions as PostgreSQL runs them: the messages between two Syncs that are not inside a
// BEGIN block run in one implicit transaction, which Sync commits (or, after an error, which was
// already rolled back). Every error aborts the transaction like in Simple Query (an explicit block
// becomes failed; inside a savepoint only its subtransaction is aborted); PGWire then skips
// messages until Sync. In a failed block only statements that
// end it (COMMIT, ROLLBACK) or roll back to a savepoint may be parsed, bound and executed.

extension Session {
    public func parse(statement name: String, query: String, parameterTypes: [UInt32]) throws {
        clearInterrupts()
        do {
            let prepared = try prepare(query: query, declaredTypes: parameterTypes)
            preparedStatements[name] = prepared
        } catch {
            failStatement()
            throw sqlError(from: error)
        }
    }

    public func bind(portal name: String, statement statementName: String, parameterFormats: [Int16],
                     parameters: [[UInt8]?], resultFormats: [Int16]) throws {
        do {
            guard let prepared = preparedStatements[statementName] else {
                throw Self.noSuchStatement(statementName)
            }
            if !name.isEmpty, portals[name] != nil {
                throw SQLError("42P03", "portal \"\(name)\" already exists")
            }
            if block.isFailed && !Self.endsTransactionBlock(prepared.parsed?.statement) {
                throw TransactionBlock.abortedBlockError
            }
            if block.state == .idle && !Self.isTransactionControl(prepared.parsed?.statement) {
                try enterStatement(output: nil)
            }
            let values = try ParameterDecoder.decode(parameters, formats: parameterFormats,
                                                     types: prepared.parameterTypes, statementName: statementName,
                                                     catalog: transaction.flatMap { catalogLookup(for: $0) })
            let formats = try RowEncoder.expand(resultFormats, count: prepared.resultColumns?.count ?? 0)
            portals[name] = Portal(statement: prepared, parameters: values, resultFormats: formats,
                                   savepointDepth: transaction?.savepoints.depth ?? 0)
        } catch {
            failStatement()
            throw sqlError(from: error)
        }
    }

    public func describeStatement(_ name: String) throws -> (parameterTypes: [UInt32], columns: [ColumnDescription]?) {
        guard let prepared = preparedStatements[name] else {
            failStatement()
            throw Self.noSuchStatement(name)
        }
        // As PostgreSQL: describing a statement's result needs a live transaction.
        if block.isFailed && prepared.resultColumns != nil {
            throw TransactionBlock.abortedBlockError
        }
        return (prepared.parameterTypes.map(\.oid), prepared.resultColumns.map { describe($0, formats: []) })
    }

    public func describePortal(_ name: String) throws -> [ColumnDescription]? {
        guard let portal = portals[name] else {
            failStatement()
            throw Self.noSuchPortal(name)
        }
        return portal.statement.resultColumns.map { describe($0, formats: portal.resultFormats) }
    }

    public func execute(portal name: String, maxRows: Int, output: QueryOutput) throws -> Bool {
        adoptReloadedSettings()
        guard let portal = portals[name] else {
            failStatement()
            throw Self.noSuchPortal(name)
        }
        if !portal.isSuspended { clearInterrupts() }
        publishActivity(state: "active", query: portal.statement.text)
        defer { publishActivity(state: idleStateName) }
        do {
            return try run(portal, maxRows: maxRows, output: output)
        } catch {
            let sqlError = sqlError(from: error)
            failStatement()
            throw sqlError
        }
    }

    public func closeStatement(_ name: String) {
        preparedStatements.removeValue(forKey: name)
    }

    public func closePortal(_ name: String) {
        portals.removeValue(forKey: name)
    }

    public func sync() {
        do {
            try perform(block.endOfImplicitScope(), output: nil)
        } catch {
            logger.critical("commit at Sync failed", metadata: ["error": "\(error)"])
        }
        publishActivity(state: idleStateName)
    }

    // MARK: Parse

    private func prepare(query: String, declaredTypes: [UInt32]) throws -> PreparedStatement {
        let statements = try Parser.parse(query)
        guard statements.count <= 1 else {
            throw SQLError(SQLError.syntaxError, "cannot insert multiple commands into a prepared statement")
        }
        guard let parsed = statements.first else {
            return PreparedStatement(text: query, parsed: nil, parameterTypes: [], plan: nil, resultColumns: nil)
        }
        if block.isFailed && !Self.endsTransactionBlock(parsed.statement) {
            throw TransactionBlock.abortedBlockError
        }
        var declared: [SQLType?] = declaredTypes.map { $0 == 0 ? nil : SQLType(oid: $0) }
        if declared.count < parsed.parameterCount {
            declared += [SQLType?](repeating: nil, count: parsed.parameterCount - declared.count)
        }
        if Self.isUtility(parsed.statement) {
            guard parsed.parameterCount == 0 else {
                throw SQLError(SQLError.featureNotSupported, "this statement does not take parameters")
            }
            return PreparedStatement(text: query, parsed: parsed, parameterTypes: declared.map { $0 ?? .text },
                                     plan: nil, resultColumns: utilityResultColumns(parsed.statement))
        }
        // Parse analysis needs the catalog as a transaction sees it.
        try enterStatement(output: nil)
        guard let context = transaction else { throw TransactionBlock.abortedBlockError }
        context.beginStatement()
        context.searchPath = settings.searchPath
        let plan = try database.engine.prepare(parsed.statement, parameterTypes: declared, context: context)
        return PreparedStatement(text: query, parsed: parsed, parameterTypes: plan.parameterTypes, plan: plan,
                                 resultColumns: plan.resultColumns)
    }

    // MARK: Execute

    /// Runs (or continues) a portal; true when it completed, false when suspended at maxRows.
    private func run(_ portal: Portal, maxRows: Int, output: QueryOutput) throws -> Bool {
        if portal.isSuspended || portal.isExhausted {
            return sendPending(portal, maxRows: maxRows, output: output)
        }
        guard let parsed = portal.statement.parsed else {
            output.emptyQuery()
            return true
        }
        if case .transaction(let control) = parsed.statement {
            try runTransactionControl(control, output: output)
            return true
        }
        try enterStatement(output: output)
        guard let context = transaction else { return true }
        beginStatement(in: context, output: output)
        defer { statementDeadline = nil }
        if let tag = try runUtilityStatement(parsed, context: context, output: output, describeRows: false) {
            output.commandComplete(tag)
            return true
        }
        guard let plan = portal.statement.plan else { return true }
        let encoder = RowEncoder(columns: plan.resultColumns ?? [], formats: portal.resultFormats,
                                 catalog: catalogLookup(for: context))
        if maxRows <= 0 {
            let result = try database.engine.execute(plan, parameters: portal.parameters, context: context) { row in
                output.dataRow(try encoder.encode(row))
                return true
            }
            portal.isExhausted = true
            output.commandComplete(result.tag)
            return true
        }
        // A row limit: run to completion now (like PostgreSQL does for DML with RETURNING), keep
        // the rows, and hand them out maxRows at a time.
        var rows: [[Value]] = []
        let result = try database.engine.execute(plan, parameters: portal.parameters, context: context) { row in
            rows.append(row)
            return true
        }
        portal.pendingRows = rows
        portal.pendingIndex = 0
        portal.pendingTag = result.tag
        return sendPending(portal, maxRows: maxRows, output: output, encoder: encoder)
    }

    private func sendPending(_ portal: Portal, maxRows: Int, output: QueryOutput, encoder: RowEncoder? = nil) -> Bool {
        let encoder = encoder ?? RowEncoder(columns: portal.statement.resultColumns ?? [],
                                            formats: portal.resultFormats,
                                            catalog: transaction.flatMap { catalogLookup(for: $0) })
        let end = maxRows <= 0 ? portal.pendingRows.count : min(portal.pendingRows.count, portal.pendingIndex + maxRows)
        var sent = 0
        while portal.pendingIndex < end {
            // Values were checked when the rows were produced; an encoding failure here is a bug.
            if let encoded = try? encoder.encode(portal.pendingRows[portal.pendingIndex]) {
                output.dataRow(encoded)
            }
            portal.pendingIndex += 1
            sent += 1
        }
        if portal.pendingIndex < portal.pendingRows.count { return false }
        let tag = portal.pendingTag ?? "SELECT 0"
        portal.pendingRows = []
        portal.pendingTag = nil
        portal.isExhausted = true
        output.commandComplete(Self.retag(tag, rowCount: sent))
        return true
    }

    /// A SELECT tag counts the rows of this Execute (as PostgreSQL reports a portal's last run).
    private static func retag(_ tag: String, rowCount: Int) -> String {
        guard tag.hasPrefix("SELECT ") else { return tag }
        return "SELECT \(rowCount)"
    }

    // MARK: Helpers

    static func isTransactionControl(_ statement: Statement?) -> Bool {
        if case .transaction = statement { return true }
        return false
    }

    /// COMMIT and ROLLBACK (and ROLLBACK TO) are the statements allowed in a failed block.
    static func endsTransactionBlock(_ statement: Statement?) -> Bool {
        guard case .transaction(let control) = statement else { return false }
        switch control {
        case .commit, .rollback, .rollbackTo: return true
        case .begin, .startTransaction, .savepoint, .release: return false
        }
    }

    static func noSuchStatement(_ name: String) -> SQLError {
        SQLError(SQLError.invalidSQLStatementName,
                 name.isEmpty ? "unnamed prepared statement does not exist" : "prepared statement \"\(name)\" does not exist")
    }

    static func noSuchPortal(_ name: String) -> SQLError {
        SQLError(SQLError.invalidCursorName,
                 name.isEmpty ? "unnamed portal does not exist" : "portal \"\(name)\" does not exist")
    }
}
