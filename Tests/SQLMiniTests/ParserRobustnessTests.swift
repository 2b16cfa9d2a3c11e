// ParserRobustnessTests: damaged input never crashes the parser; it parses or throws SQLError.
// Every prefix of the client queries is tried (cut mid-token, mid-string, mid-comment), and each
// query with one token removed.

import Testing
@testable import SQLMini

@Suite("Parser: damaged input")
struct ParserRobustnessTests {
    static let corpus = PsqlCatalogQueries.all + ParserClientQueriesTests.pgbench

    @Test func everyPrefixParsesOrThrows() {
        var thrown = 0
        for query in Self.corpus {
            let scalars = Array(query.unicodeScalars)
            for length in stride(from: 0, through: scalars.count, by: 5) {
                var prefix = String.UnicodeScalarView()
                prefix.append(contentsOf: scalars[..<length])
                if ParserTestSupport.parseError(String(prefix)) != nil { thrown += 1 }
            }
        }
        #expect(thrown > 0)
    }

    @Test func everyTokenRemovalParsesOrThrows() throws {
        for query in Self.corpus {
            let (tokens, text) = try Lexer.tokenize(query)
            for removed in tokens.dropLast().indices {
                var damaged = String.UnicodeScalarView()
                damaged.append(contentsOf: text[..<tokens[removed].start])
                damaged.append(" ")
                damaged.append(contentsOf: text[tokens[removed].end...])
                if let error = ParserTestSupport.parseError(String(damaged)) {
                    #expect(error.position.map { $0 >= 1 && $0 <= text.count + 1 } == true)
                }
            }
        }
    }
}
