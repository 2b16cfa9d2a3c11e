// ParserErrorTests: syntax errors carry PostgreSQL's SQLSTATE, message and 1-based position.

import Foundation
import Testing
@testable import SQLMini

@Suite("Parser: errors")
struct ParserErrorTests {
    /// (query, message, position) as PostgreSQL 15 reports them.
    static let cases: [(String, String, Int)] = [
        ("SELECT * FROMM t", #"syntax error at or near "FROMM""#, 10),
        ("SELECT a FROMM t", #"syntax error at or near "t""#, 16),        // FROMM is an alias of a
        ("SELECT 1 +", "syntax error at end of input", 11),
        ("SELECT 1 +  ", "syntax error at end of input", 13),
        ("select 1; selec 2", #"syntax error at or near "selec""#, 11),
        ("SELECT (1", "syntax error at end of input", 10),
        ("CREATE TABLE t (a int,)", #"syntax error at or near ")""#, 23),
        ("select a = b = c", #"syntax error at or near "=""#, 14),
        ("select 1 from", "syntax error at end of input", 14),
        ("insert into t values (1", "syntax error at end of input", 24),
        ("select 'abc' 'def'", #"syntax error at or near "'def'""#, 14),
        ("select é from", "syntax error at end of input", 14),
        ("update t set a = 1 where", "syntax error at end of input", 25),
        ("select * from (select 1)", "subquery in FROM must have an alias", 15),
        ("select 1 order by 1 order by 1", #"syntax error at or near "order""#, 21),
        ("(select 1 order by 1) order by 1", "multiple ORDER BY clauses not allowed", 32),
        ("(select 1 limit 1) limit 2", "multiple LIMIT clauses not allowed", 26),
        ("select 1 limit 1 limit 2", #"syntax error at or near "limit""#, 18),
        ("select 1 offset 1 limit 1 offset 2", #"syntax error at or near "offset""#, 27),
        ("copy t from stdin (bogus)", #"option "bogus" not recognized"#, 20),
        ("copy t from stdin (format xml)", #"COPY format "xml" not recognized"#, 27),
        ("select $0", "there is no parameter $0", 8),
        ("select $65536", "there is no parameter $65536", 8),
        ("select $99999999999999999999", "there is no parameter $99999999999999999999", 8),
        ("SELECT select", #"syntax error at or near "select""#, 8),
        ("select from from t", #"syntax error at or near "from""#, 13),
    ]

    @Test(arguments: cases)
    func reportsLikePostgreSQL(_ sql: String, _ message: String, _ position: Int) {
        let error = ParserTestSupport.parseError(sql)
        #expect(error?.message == message)
        #expect(error?.position == position)
        #expect(error?.severity == .error)
    }

    @Test func sqlStates() {
        #expect(ParserTestSupport.parseError("selec 1")?.sqlState == SQLError.syntaxError)
        #expect(ParserTestSupport.parseError("copy t from stdin (format xml)")?.sqlState == SQLError.invalidParameterValue)
        #expect(ParserTestSupport.parseError("select $0")?.sqlState == SQLError.undefinedParameter)
    }

    @Test func aFailingStatementFailsTheWholeString() {
        // PostgreSQL parses the whole string before running any of it.
        #expect(ParserTestSupport.parseError("create table a (x int); selec 1") != nil)
    }

    /// Parses on a thread with a session worker's 8 MiB stack (test threads may have less).
    static func parseOnWorkerSizedStack(_ sql: String) -> SQLError? {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: SQLError?
        let thread = Thread {
            result = ParserTestSupport.parseError(sql)
            done.signal()
        }
        thread.stackSize = 8 * 1024 * 1024
        thread.start()
        done.wait()
        return result
    }

    @Test func deepNestingIsRefusedNotACrash() {
        func parens(_ depth: Int) -> String {
            "select " + String(repeating: "(", count: depth) + "1" + String(repeating: ")", count: depth)
        }
        func subqueries(_ depth: Int) -> String {
            String(repeating: "select (", count: depth) + "select 1" + String(repeating: ")", count: depth)
        }
        #expect(Self.parseOnWorkerSizedStack(parens(150)) == nil)
        #expect(Self.parseOnWorkerSizedStack(subqueries(95)) == nil)
        let tooDeep = Self.parseOnWorkerSizedStack(parens(100_000))
        #expect(tooDeep?.sqlState == "54001")
        #expect(tooDeep?.message == "stack depth limit exceeded")
        #expect(Self.parseOnWorkerSizedStack(subqueries(5_000))?.sqlState == "54001")
        #expect(Self.parseOnWorkerSizedStack("select " + String(repeating: "not ", count: 10_000) + "true")?.sqlState == "54001")
        #expect(Self.parseOnWorkerSizedStack("select " + String(repeating: "- ", count: 10_000) + "1")?.sqlState == "54001")
        #expect(Self.parseOnWorkerSizedStack("select array" + String(repeating: "[", count: 10_000))?.sqlState == "54001")
    }

    @Test func longOperatorChainsAreBounded() {
        let terms = { (count: Int) in "select " + Array(repeating: "1", count: count).joined(separator: " + ") }
        #expect(Self.parseOnWorkerSizedStack(terms(1_000)) == nil)
        #expect(Self.parseOnWorkerSizedStack(terms(1_002))?.sqlState == "54001")
    }
}
