// Helpers for the parser tests: parse exactly one statement, and compare thrown SQLErrors.

import Testing
@testable import SQLMini

enum ParserTestSupport {
    /// Parses `sql`, which must hold exactly one statement.
    static func parseOne(_ sql: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Statement {
        let statements = try Parser.parse(sql)
        #expect(statements.count == 1, "expected one statement in \(sql)", sourceLocation: sourceLocation)
        guard let first = statements.first else { throw SQLError(SQLError.syntaxError, "no statement") }
        return first.statement
    }

    /// Parses `sql` as a SELECT and returns its query.
    static func query(_ sql: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Query {
        guard case .select(let query) = try parseOne(sql, sourceLocation: sourceLocation) else {
            Issue.record("not a SELECT: \(sql)", sourceLocation: sourceLocation)
            throw SQLError(SQLError.syntaxError, "not a select")
        }
        return query
    }

    /// The single select-list expression of `SELECT <expression>`.
    static func expression(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Expression {
        let query = try query("SELECT " + text, sourceLocation: sourceLocation)
        guard case .select(let core) = query.body, core.targets.count == 1,
              case .expression(let expression, _) = core.targets[0] else {
            Issue.record("not a single expression: \(text)", sourceLocation: sourceLocation)
            throw SQLError(SQLError.syntaxError, "not an expression")
        }
        return expression
    }

    /// The error `Parser.parse` throws for `sql` (nil if it parses).
    static func parseError(_ sql: String) -> SQLError? {
        do {
            _ = try Parser.parse(sql)
            return nil
        } catch {
            return error
        }
    }
}
