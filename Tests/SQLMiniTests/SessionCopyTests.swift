// Session tests of COPY FROM STDIN / TO STDOUT through the engine: text and CSV round trips,
// pgbench's `\.` end marker and FREEZE, constraint errors naming the line, CopyFail.
import Testing
@testable import SQLMini

@Suite struct SessionCopyTests {
    @Test func textRoundTripWithChunksSplitAnywhere() throws {
        let db = try TestDatabase()
        let session = try db.session()
        _ = session.run("CREATE TABLE t (id int primary key, name text, note text)")
        let data = Array("1\talice\t\\N\n2\tbob\ttab\\there\n3\t\t\n\\.\n".utf8)
        let output = RecordingOutput()
        output.copyInput = stride(from: 0, to: data.count, by: 5).map { Array(data[$0..<min($0 + 5, data.count)]) }
        #expect(session.executeSimpleQuery("COPY t FROM STDIN WITH (FREEZE ON)", output: output) == nil)
        #expect(output.tags == ["COPY 3"])
        #expect(try session.rows("SELECT id, name, note FROM t ORDER BY id")
                == [["1", "alice", nil], ["2", "bob", "tab\there"], ["3", "", ""]])
        let out = session.run("COPY t TO STDOUT").output
        #expect(out.events == [.copyOutBegin, .copyOut("1\talice\t\\N\n"), .copyOut("2\tbob\ttab\\there\n"),
                               .copyOut("3\t\t\n"), .copyOutEnd, .complete("COPY 3")])
    }

    @Test func csvWithHeaderAndColumnList() throws {
        let db = try TestDatabase()
        let session = try db.session()
        _ = session.run("CREATE TABLE t (id int, name text)")
        let output = RecordingOutput()
        output.copyInput = [Array("name,id\n\"a, b\",1\n,2\n".utf8)]
        #expect(session.executeSimpleQuery("COPY t (name, id) FROM STDIN WITH (FORMAT csv, HEADER)", output: output) == nil)
        #expect(try session.rows("SELECT id, name FROM t ORDER BY id") == [["1", "a, b"], ["2", nil]])
        let out = session.run("COPY (SELECT id, name FROM t ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER)").output
        #expect(out.events.contains(.copyOut("id,name\n")))
        #expect(out.events.contains(.copyOut("1,\"a, b\"\n")))
        #expect(out.events.contains(.copyOut("2,\n")))
    }

    @Test func errorsNameTheLineAndInsertNothing() throws {
        let db = try TestDatabase()
        let session = try db.session()
        _ = session.run("CREATE TABLE t (id int primary key)")
        let output = RecordingOutput()
        output.copyInput = [Array("1\n2\n1\n".utf8)]
        let error = session.executeSimpleQuery("COPY t FROM STDIN", output: output)
        #expect(error?.sqlState == "23505")
        #expect(try session.rows("SELECT count(*) FROM t") == [["0"]])
        let bad = RecordingOutput()
        bad.copyInput = [Array("1\nx\n".utf8)]
        let syntax = session.executeSimpleQuery("COPY t FROM STDIN", output: bad)
        #expect(syntax?.message == "invalid input syntax for type integer: \"x\"")
        #expect(syntax?.context == "COPY t, line 2, column id: \"x\"")
        let extra = RecordingOutput()
        extra.copyInput = [Array("1\t2\n".utf8)]
        #expect(session.executeSimpleQuery("COPY t FROM STDIN", output: extra)?.message
                == "extra data after last expected column")
    }

    @Test func copyFailAbortsTheCopy() throws {
        let db = try TestDatabase()
        let session = try db.session()
        _ = session.run("CREATE TABLE t (id int)")
        let output = RecordingOutput()
        output.copyInput = [Array("1\n".utf8)]
        output.copyFailure = "client gave up"
        let error = session.executeSimpleQuery("COPY t FROM STDIN", output: output)
        #expect(error?.sqlState == "57014")
        #expect(try session.rows("SELECT count(*) FROM t") == [["0"]])
        #expect(session.run("COPY missing FROM STDIN").error?.sqlState == "42P01")
    }
}
