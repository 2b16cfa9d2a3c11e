// LexerTests: tokens, case folding, string forms, comments, operators and positions.

import Testing
@testable import SQLMini

@Suite("Lexer")
struct LexerTests {
    func tokens(_ sql: String) throws -> [Token] {
        try Lexer.tokenize(sql).tokens
    }

    func values(_ sql: String) throws -> [String] {
        try tokens(sql).dropLast().map(\.value)
    }

    @Test func foldsUnquotedIdentifiersOnly() throws {
        let list = try tokens(#"SELECT "Schema", MiXeD FROM t"#)
        #expect(list.map(\.value) == ["select", "Schema", ",", "mixed", "from", "t", ""])
        #expect(list[1].kind == .quotedIdentifier)
        #expect(list[3].kind == .identifier)
        #expect(list.last?.kind == .endOfInput)
    }

    @Test func quotedIdentifierDoubledQuote() throws {
        #expect(try values(#""a""b""#) == [#"a"b"#])
    }

    @Test func stringsAndEscapes() throws {
        #expect(try values("'it''s'") == ["it's"])
        #expect(try values(#"'a\nb'"#) == [#"a\nb"#])          // standard_conforming_strings: backslash is literal
        #expect(try values(#"E'a\nb\t\\ \'x\''"#) == ["a\nb\t\\ 'x'"])
        #expect(try values(#"e'\x41\101\u0042'"#) == ["AAB"])
        #expect(try values("''") == [""])
        #expect(try values("$$it's$$") == ["it's"])
        #expect(try values("$fn$a$$b$fn$") == ["a$$b"])
        #expect(try values("'foo'\n  'bar'") == ["foobar"])     // continuation across a newline
        #expect(try values("'foo' 'bar'") == ["foo", "bar"])     // ... but not on one line
    }

    @Test func numbersAndParameters() throws {
        let list = try tokens("1 1.5 .5 1e10 2.5E-3 $1 $12")
        #expect(list.map(\.kind) == [.integer, .numeric, .numeric, .numeric, .numeric, .parameter, .parameter, .endOfInput])
        #expect(list[5].value == "1")
        #expect(list[6].value == "12")
    }

    @Test func operators() throws {
        #expect(try values("a<>b") == ["a", "<>", "b"])
        #expect(try values("a!=b") == ["a", "<>", "b"])
        #expect(try values("a!~b") == ["a", "!~", "b"])
        #expect(try values("a!~*b") == ["a", "!~*", "b"])
        #expect(try values("a=-1") == ["a", "=", "-", "1"])      // trailing - is split off
        #expect(try values("a+ -4908") == ["a", "+", "-", "4908"])
        #expect(try values("x::int2[]") == ["x", "::", "int2", "[", "]"])
        #expect(try values("a||b") == ["a", "||", "b"])
        #expect(try values("a<=b") == ["a", "<=", "b"])
    }

    @Test func comments() throws {
        #expect(try values("select -- comment\n 1 /* a /* nested */ comment */ + 2") == ["select", "1", "+", "2"])
        #expect(try values("1--x") == ["1"])
        #expect(try values("a+/*c*/b") == ["a", "+", "b"])
    }

    @Test func positionsCountCharacters() throws {
        let list = try tokens("select 'é', x")
        #expect(list.map(\.position) == [1, 8, 11, 13, 14])
    }

    @Test func unterminatedStringIsAnError() {
        let error = ParserTestSupport.parseError("select 'abc")
        #expect(error?.sqlState == "42601")
        #expect(error?.message == "unterminated quoted string at or near \"'abc\"")
        #expect(error?.position == 8)
    }

    @Test func otherLexicalErrors() {
        #expect(ParserTestSupport.parseError("select \"abc")?.message == "unterminated quoted identifier at or near \"\"abc\"")
        #expect(ParserTestSupport.parseError("select /* x")?.message == "unterminated /* comment at or near \"/* x\"")
        #expect(ParserTestSupport.parseError("select \"\"")?.message == "zero-length delimited identifier at or near \"\"\"\"")
        #expect(ParserTestSupport.parseError("select 123abc")?.message == "trailing junk after numeric literal at or near \"123abc\"")
    }

    @Test func byteEscapesFormUTF8() throws {
        #expect(try values(#"E'\xC3\xA9t\303\251'"#) == ["été"])
        let invalid = ParserTestSupport.parseError(#"select E'\xC3('"#)
        #expect(invalid?.sqlState == SQLError.characterNotInRepertoire)
        #expect(invalid?.message == "invalid byte sequence for encoding \"UTF8\": 0xc3 0x28")
        #expect(ParserTestSupport.parseError(#"select E'a\0b'"#)?.sqlState == SQLError.characterNotInRepertoire)
    }

    @Test func longIdentifiersAreTruncatedTo63Bytes() throws {
        let long = String(repeating: "a", count: 70)
        #expect(try values(long) == [String(repeating: "a", count: 63)])
        #expect(try values("\"" + String(repeating: "é", count: 40) + "\"") == [String(repeating: "é", count: 31)])
    }
}
