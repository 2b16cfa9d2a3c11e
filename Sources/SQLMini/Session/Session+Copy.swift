// Session+Copy: COPY ... FROM STDIN and COPY ... TO STDOUT, in text and CSV formats.
//
// FROM STDIN: the client's data is cut into lines (CopyLineReader), each line into fields
// (CopyTextFormat / CopyCSVFormat), each field parsed with its column type's input function, and
// the row inserted through the engine with a prepared `INSERT INTO t (cols) VALUES ($1, ...)`, so
// defaults, NOT NULL and unique constraints are checked as for any INSERT. All rows belong to the
// statement's transaction: an error anywhere inserts nothing. FREEZE is accepted and ignored.
// TO STDOUT: the rows of `SELECT cols FROM t` (or of the query) go out one CopyData per row.
// Binary COPY format is not supported.

extension Session {
    func runCopy(_ statement: CopyStatement, context: ExecutionContext, output: QueryOutput) throws -> String {
        let options = try CopyOptions(statement)
        switch (statement.direction, statement.endpoint) {
        case (.from, .stdin):
            guard case .table(let name, let columns) = statement.source else {
                throw SQLError(SQLError.syntaxError, "COPY (query) FROM is not supported")
            }
            return try copyFrom(table: name, columns: columns, options: options, context: context, output: output)
        case (.to, .stdout):
            return try copyTo(statement.source, options: options, context: context, output: output)
        case (_, .file):
            throw SQLError(SQLError.featureNotSupported, "COPY to or from a server file is not supported",
                           hint: "Use COPY ... FROM STDIN or TO STDOUT, for example psql's \\copy.")
        case (.from, .stdout), (.to, .stdin):
            throw SQLError(SQLError.syntaxError, "COPY FROM needs STDIN and COPY TO needs STDOUT")
        }
    }

    // MARK: FROM STDIN

    private func copyFrom(table name: QualifiedName, columns names: [Identifier], options: CopyOptions,
                          context: ExecutionContext, output: QueryOutput) throws -> String {
        let (relation, columns) = try copyTarget(name, columns: names, context: context)
        let insert = Statement.insert(InsertStatement(
            table: name,
            columns: columns.map { Identifier($0.name, position: name.position) },
            source: .values([columns.indices.map { Expression(.parameter($0 + 1), position: name.position) }])))
        let plan = try database.engine.prepare(insert, parameterTypes: columns.map { Optional($0.type) }, context: context)
        let catalog = catalogLookup(for: context)

        let source = try output.copyIn(format: 0, columnFormats: [Int16](repeating: 0, count: columns.count))
        var reader = CopyLineReader(csvQuote: options.format == .csv ? options.quote : nil)
        var rowCount = 0
        var sawEndMarker = false
        var sourceFinished = false
        do {
            while !sawEndMarker {
                try checkInterrupts()
                let chunk = try source.nextChunk()
                if let chunk { reader.append(chunk) } else { sourceFinished = true }
                while let line = reader.nextLine(endOfData: sourceFinished) {
                    if CopyTextFormat.isEndMarker(line) {
                        sawEndMarker = true
                        break
                    }
                    if options.header && reader.lineNumber == 1 { continue }
                    do {
                        let fields = try splitFields(line, options: options)
                        let values = try rowValues(fields, columns: columns, catalog: catalog,
                                                   where: CopyLocation(table: relation.name, line: reader.lineNumber, text: line))
                        _ = try database.engine.execute(plan, parameters: values, context: context) { _ in true }
                        rowCount += 1
                    } catch {
                        throw copyContextError(error, table: relation.name, line: reader.lineNumber)
                    }
                }
                if sourceFinished { break }
            }
        } catch {
            // Read what the client still sends, so that the protocol is back in step after the error.
            if !sourceFinished { while (try? source.nextChunk()) ?? nil != nil {} }
            throw error
        }
        // After `\.` the client still sends CopyDone (and possibly nothing else): consume it.
        while !sourceFinished, try source.nextChunk() != nil {}
        return "COPY \(rowCount)"
    }

    private func splitFields(_ line: [UInt8], options: CopyOptions) throws -> [[UInt8]?] {
        switch options.format {
        case .text: return CopyTextFormat.parse(line, delimiter: options.delimiter, nullMarker: options.nullMarker)
        case .csv: return try CopyCSVFormat.parse(line, options: options)
        case .binary: throw SQLError(SQLError.featureNotSupported, "COPY format \"binary\" is not supported")
        }
    }

    /// The line being loaded, for PostgreSQL's CONTEXT texts (CopyFromErrorCallback).
    private struct CopyLocation {
        var table: String
        var line: Int
        var text: [UInt8]
        /// At most this many characters of a line or value are quoted (MAX_COPY_DATA_DISPLAY).
        static let maxDisplayedCharacters = 100

        static func shortened(_ bytes: [UInt8]) -> String {
            let text = String(decoding: bytes, as: UTF8.self)
            return text.count > maxDisplayedCharacters ? String(text.prefix(maxDisplayedCharacters)) + "..." : text
        }
    }

    private func rowValues(_ fields: [[UInt8]?], columns: [CatalogColumn], catalog: CatalogLookup?,
                           where location: CopyLocation) throws -> [Value] {
        let lineContext = "COPY \(location.table), line \(location.line): \"\(CopyLocation.shortened(location.text))\""
        if fields.count > columns.count {
            var error = SQLError(CopyOptions.badCopyFileFormat, "extra data after last expected column")
            error.context = lineContext
            throw error
        }
        if fields.count < columns.count {
            var error = SQLError(CopyOptions.badCopyFileFormat, "missing data for column \"\(columns[fields.count].name)\"")
            error.context = lineContext
            throw error
        }
        return try zip(fields, columns).map { field, column in
            guard let field else { return .null }
            do {
                return try Value.parse(String(decoding: field, as: UTF8.self), as: column.type, catalog: catalog)
            } catch var error as SQLError {
                error.context = "COPY \(location.table), line \(location.line), column \(column.name): \"\(CopyLocation.shortened(field))\""
                throw error
            }
        }
    }

    /// PostgreSQL adds `CONTEXT: COPY t, line 3` to errors raised while loading a row (the field
    /// and line errors above say more).
    private func copyContextError(_ error: any Error, table: String, line: Int) -> SQLError {
        var sqlError = sqlError(from: error)
        if sqlError.context == nil && sqlError.sqlState != SQLError.queryCanceled {
            sqlError.context = "COPY \(table), line \(line)"
        }
        return sqlError
    }

    /// The table and the columns COPY reads or writes (all of them, in order, when none are named).
    private func copyTarget(_ name: QualifiedName, columns names: [Identifier],
                           context: ExecutionContext) throws -> (CatalogRelation, [CatalogColumn]) {
        let catalog = database.engine.catalog(for: context)
        guard let relation = catalog.lookupRelation(schema: name.schema, name: name.name,
                                                    searchPath: settings.searchPath, user: role.name) else {
            throw SQLError(SQLError.undefinedTable, "relation \"\(name)\" does not exist")
        }
        guard relation.kind == .table else {
            throw SQLError(SQLError.wrongObjectType, "cannot copy from or to non-table relation \"\(relation.name)\"")
        }
        if names.isEmpty { return (relation, relation.columns) }
        let columns = try names.map { identifier -> CatalogColumn in
            guard let column = relation.column(named: identifier.name) else {
                throw SQLError(SQLError.undefinedColumn,
                               "column \"\(identifier.name)\" of relation \"\(relation.name)\" does not exist")
            }
            return column
        }
        return (relation, columns)
    }

    // MARK: TO STDOUT

    private func copyTo(_ source: CopyStatement.Source, options: CopyOptions, context: ExecutionContext,
                        output: QueryOutput) throws -> String {
        let query: Query
        switch source {
        case .query(let sourceQuery):
            query = sourceQuery
        case .table(let name, let names):
            let (_, columns) = try copyTarget(name, columns: names, context: context)
            let targets = columns.map { column in
                SelectItem.expression(Expression(.column(ColumnReference(column.name)), position: name.position), alias: nil)
            }
            query = Query(body: .select(SelectCore(targets: targets, from: [.relation(name, alias: nil)])),
                          position: name.position)
        }
        let plan = try database.engine.prepare(.select(query), parameterTypes: [], context: context)
        let resultColumns = plan.resultColumns ?? []
        let catalog = catalogLookup(for: context)
        output.copyOutBegin(format: 0, columnFormats: [Int16](repeating: 0, count: resultColumns.count))
        var rowCount = 0
        if options.header {
            var line: [UInt8] = []
            appendRow(resultColumns.map { Array($0.name.utf8) }, options: options, into: &line)
            output.copyOutData(line)
        }
        do {
            _ = try database.engine.execute(plan, parameters: [], context: context) { row in
                let fields = zip(row, resultColumns).map { value, column in
                    value.text(as: column.type, catalog: catalog).map { Array($0.utf8) }
                }
                var line: [UInt8] = []
                appendRow(fields, options: options, into: &line)
                output.copyOutData(line)
                rowCount += 1
                return true
            }
        } catch {
            output.copyOutEnd()
            throw error
        }
        output.copyOutEnd()
        return "COPY \(rowCount)"
    }

    private func appendRow(_ fields: [[UInt8]?], options: CopyOptions, into line: inout [UInt8]) {
        switch options.format {
        case .csv: CopyCSVFormat.format(fields, options: options, into: &line)
        case .text, .binary: CopyTextFormat.format(fields, delimiter: options.delimiter, nullMarker: options.nullMarker, into: &line)
        }
    }
}
