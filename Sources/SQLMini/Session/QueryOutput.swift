// QueryOutput: where a session sends what a statement produces (rows, tags, notices, COPY data).
//
// SQLMini knows nothing about sockets: the Server module implements these protocols on top of
// PGWire's BackendOutput. Values arrive already encoded in the format each column asked for
// (0 text, 1 binary), so the wire layer only frames bytes.

/// One column of a result, as a RowDescription field describes it.
public struct ColumnDescription: Sendable, Equatable {
    public var name: String
    /// The table's oid and the column's attnum when the column is a plain column reference; else 0.
    public var tableOID: UInt32
    public var columnNumber: Int16
    public var typeOID: UInt32
    /// typlen: 4 for int4, -1 for varlena types such as text.
    public var typeSize: Int16
    /// atttypmod: -1 when the type has none; char(84) has 88 (84 + the 4-byte varlena header).
    public var typeModifier: Int32
    /// 0 text, 1 binary.
    public var format: Int16

    public init(name: String, tableOID: UInt32, columnNumber: Int16, typeOID: UInt32,
                typeSize: Int16, typeModifier: Int32, format: Int16) {
        self.name = name
        self.tableOID = tableOID
        self.columnNumber = columnNumber
        self.typeOID = typeOID
        self.typeSize = typeSize
        self.typeModifier = typeModifier
        self.format = format
    }
}

/// Where a statement's results go; implemented by Server on top of PGWire.
public protocol QueryOutput: AnyObject {
    func rowDescription(_ columns: [ColumnDescription])
    /// One row, each value already encoded in its column's format; nil is SQL NULL.
    func dataRow(_ values: [[UInt8]?])
    /// "SELECT 1", "INSERT 0 5", "COMMIT".
    func commandComplete(_ tag: String)
    func emptyQuery()
    func notice(_ notice: SQLNotice)
    /// COPY ... FROM STDIN: announces CopyInResponse and returns the client's data, chunk by chunk;
    /// throws SQLError if the client sends CopyFail.
    func copyIn(format: Int8, columnFormats: [Int16]) throws -> CopyInSource
    func copyOutBegin(format: Int8, columnFormats: [Int16])
    func copyOutData(_ bytes: [UInt8])
    func copyOutEnd()
}

/// The client's COPY data: `nextChunk()` returns each CopyData payload in order, nil after CopyDone,
/// and throws SQLError when the client sent CopyFail.
public protocol CopyInSource: AnyObject {
    func nextChunk() throws -> [UInt8]?
}

/// The transaction status ReadyForQuery reports.
public enum TransactionBlockStatus: Character, Sendable {
    /// Not inside a transaction block.
    case idle = "I"
    /// Inside a transaction block (after BEGIN).
    case inTransaction = "T"
    /// Inside a failed transaction block: statements are refused until ROLLBACK.
    case failed = "E"

    /// The status byte ReadyForQuery carries.
    public var byte: UInt8 { UInt8(ascii: rawValue.unicodeScalars.first ?? "I") }
}
