// QueryOutputAdapter: SQLMini's QueryOutput written onto PGWire's BackendOutput — the one place
// where a statement's results become wire messages. COPY FROM STDIN reads the client's CopyData
// through the same adapter, blocking the connection's worker thread until data arrives.

import PGWire
import SQLMini

final class QueryOutputAdapter: QueryOutput {
    private let out: BackendOutput

    init(_ out: BackendOutput) { self.out = out }

    func rowDescription(_ columns: [ColumnDescription]) { out.rowDescription(columns.map(FieldDescription.init)) }
    func dataRow(_ values: [[UInt8]?]) { out.dataRow(values) }
    func commandComplete(_ tag: String) { out.commandComplete(tag) }
    func emptyQuery() { out.emptyQueryResponse() }
    func notice(_ notice: SQLNotice) { out.notice(PGError(notice)) }

    func copyIn(format: Int8, columnFormats: [Int16]) throws -> CopyInSource {
        out.copyInResponse(format: format, columnFormats: columnFormats)
        return CopyInFromClient(out)
    }

    func copyOutBegin(format: Int8, columnFormats: [Int16]) { out.copyOutResponse(format: format, columnFormats: columnFormats) }
    func copyOutData(_ bytes: [UInt8]) { out.copyData(bytes) }
    func copyOutEnd() { out.copyDone() }
}

/// The client's side of COPY FROM STDIN: CopyData chunks until CopyDone; CopyFail becomes 57014,
/// as PostgreSQL reports it (`COPY from stdin failed: <reason>`).
final class CopyInFromClient: CopyInSource {
    private let out: BackendOutput
    private var finished = false

    init(_ out: BackendOutput) { self.out = out }

    func nextChunk() throws -> [UInt8]? {
        if finished { return nil }
        switch out.readCopyMessage() {
        case .data(let bytes):
            return bytes
        case .done:
            finished = true
            return nil
        case .fail(let reason):
            finished = true
            throw SQLError(SQLError.queryCanceled, "COPY from stdin failed: \(reason)")
        }
    }
}
