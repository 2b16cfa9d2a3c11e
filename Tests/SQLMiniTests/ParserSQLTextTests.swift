// ParserSQLTextTests: Expression.sqlText reads back as the same tree, and spells defaults the way
// PostgreSQL's pg_get_expr shows them.

import Foundation
import Testing
@testable import SQLMini

@Suite("Parser: SQL text of expressions")
struct ParserSQLTextTests {
    @Test(arguments: ParserExpressionTests.cases.map(\.0))
    func roundTrips(_ input: String) throws {
        let original = try ParserTestSupport.expression(input)
        let reparsed = try Parser.parseExpression(original.sqlText)
        // pg_catalog.int2 is written back as smallint, like ruleutils does.
        func normalised(_ e: SQLMini.Expression) -> String {
            ParserExpressionTests.render(e).replacingOccurrences(of: "::pg_catalog.", with: "::")
        }
        #expect(normalised(reparsed) == normalised(original), "\(input) -> \(original.sqlText)")
    }

    @Test(arguments: PsqlCatalogQueries.all + ParserClientQueriesTests.pgbench.filter { $0.lowercased().hasPrefix("select") })
    func queryTextIsAFixedPoint(_ sql: String) throws {
        let text = try ParserTestSupport.query(sql).sqlText
        #expect(try ParserTestSupport.query(text).sqlText == text)
    }

    @Test func spellsLikePostgreSQL() throws {
        func text(_ sql: String) throws -> String { try Parser.parseExpression(sql).sqlText }
        #expect(try text("nextval('t_id_seq'::regclass)") == "nextval('t_id_seq'::regclass)")
        #expect(try text("'it''s'::text") == "'it''s'::text")
        #expect(try text("(a + 1) * 2") == "(a + 1) * 2")
        #expect(try text("a + 1 * 2") == "a + (1 * 2)")
        #expect(try text("current_timestamp") == "CURRENT_TIMESTAMP")
        #expect(try text("now()") == "now()")
        #expect(try text("0::int4") == "0::integer")
        #expect(try text("'a'::varchar(10)") == "'a'::character varying(10)")
        #expect(try text(#""Mixed"."Col" = -1"#) == #""Mixed"."Col" = (-1)"#)
        #expect(try text("\"select\"") == "\"select\"")
    }

    @Test func trailingInputIsAnError() {
        #expect(throws: SQLError.self) { try Parser.parseExpression("1 2") }
    }
}
