// Tests of COPY's text and CSV codecs and of the line reader, independent of any table.
import Testing
@testable import SQLMini

@Suite struct SessionCopyFormatTests {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
    private func strings(_ fields: [[UInt8]?]) -> [String?] {
        fields.map { $0.map { String(decoding: $0, as: UTF8.self) } }
    }

    @Test func textFieldsNullsAndEscapes() {
        let fields = CopyTextFormat.parse(bytes("1\t\\N\ta\\tb\\nc\t\\\\N\t\t\\101\\x42"), delimiter: 9,
                                          nullMarker: bytes("\\N"))
        #expect(strings(fields) == ["1", nil, "a\tb\nc", "\\N", "", "AB"])
    }

    @Test func textFormatRoundTrips() {
        let row: [[UInt8]?] = [bytes("x\ty"), nil, bytes("back\\slash\nline"), bytes("")]
        var line: [UInt8] = []
        CopyTextFormat.format(row, delimiter: 9, nullMarker: bytes("\\N"), into: &line)
        #expect(String(decoding: line, as: UTF8.self) == "x\\ty\t\\N\tback\\\\slash\\nline\t\n")
        let parsed = CopyTextFormat.parse(Array(line.dropLast()), delimiter: 9, nullMarker: bytes("\\N"))
        #expect(parsed == row)
    }

    @Test func endMarker() {
        #expect(CopyTextFormat.isEndMarker(bytes("\\.")))
        #expect(!CopyTextFormat.isEndMarker(bytes("\\.x")))
    }

    @Test func csvQuotesAndNulls() throws {
        let options = try CopyOptions(CopyStatement(source: .table(QualifiedName("t", position: 1), columns: []),
                                                    direction: .from, endpoint: .stdin, format: .csv))
        let fields = try CopyCSVFormat.parse(bytes("1,\"a, b\",\"say \"\"hi\"\"\",,\"\""), options: options)
        #expect(strings(fields) == ["1", "a, b", "say \"hi\"", nil, ""])
        var line: [UInt8] = []
        CopyCSVFormat.format(fields, options: options, into: &line)
        #expect(String(decoding: line, as: UTF8.self) == "1,\"a, b\",\"say \"\"hi\"\"\",,\"\"\n")
        #expect(throws: SQLError.self) { try CopyCSVFormat.parse(bytes("\"open"), options: options) }
    }

    @Test func lineReaderJoinsChunksAndHonoursCSVQuotes() {
        var text = CopyLineReader(csvQuote: nil)
        text.append(bytes("1\ta\n2\t"))
        #expect(text.nextLine(endOfData: false) == bytes("1\ta"))
        #expect(text.nextLine(endOfData: false) == nil)
        text.append(bytes("b\r\n3"))
        #expect(text.nextLine(endOfData: false) == bytes("2\tb"))
        #expect(text.nextLine(endOfData: true) == bytes("3"))
        #expect(text.lineNumber == 3)

        var csv = CopyLineReader(csvQuote: UInt8(ascii: "\""))
        csv.append(bytes("1,\"two\nlines\"\n2,x\n"))
        #expect(csv.nextLine(endOfData: false) == bytes("1,\"two\nlines\""))
        #expect(csv.nextLine(endOfData: false) == bytes("2,x"))
    }

    @Test func optionsDefaultsAndErrors() throws {
        let table = CopyStatement.Source.table(QualifiedName("t", position: 1), columns: [])
        let text = try CopyOptions(CopyStatement(source: table, direction: .from, endpoint: .stdin, freeze: true))
        #expect(text.delimiter == 9 && text.nullMarker == bytes("\\N") && text.freeze)
        let csv = try CopyOptions(CopyStatement(source: table, direction: .from, endpoint: .stdin, format: .csv,
                                                delimiter: ";", header: true))
        #expect(csv.delimiter == UInt8(ascii: ";") && csv.nullMarker.isEmpty && csv.header)
        #expect(throws: SQLError.self) {
            try CopyOptions(CopyStatement(source: table, direction: .from, endpoint: .stdin, delimiter: "ab"))
        }
        #expect(throws: SQLError.self) {
            try CopyOptions(CopyStatement(source: table, direction: .from, endpoint: .stdin, quote: "'"))
        }
    }
}
