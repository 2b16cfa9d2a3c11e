// PGQueryResult: one result set of a simple query as a client sees it — the columns of its
// RowDescription, its DataRows in text format, and its CommandComplete tag. A statement without
// rows (e.g. DROP_REPLICATION_SLOT) has no columns and only a tag.

public struct PGQueryResult: Sendable, Equatable {
    public struct Column: Sendable, Equatable {
        public var name: String
        public var typeOID: UInt32
    }

    public var columns: [Column]
    /// Text-format values; nil is SQL NULL. Raw bytes, since some replication results
    /// (TIMELINE_HISTORY's content) are bytes rather than text.
    public var rows: [[[UInt8]?]]
    public var commandTag: String

    public init(columns: [Column] = [], rows: [[[UInt8]?]] = [], commandTag: String = "") {
        self.columns = columns
        self.rows = rows
        self.commandTag = commandTag
    }

    /// The value at `row`, column `name`, as text; nil when NULL or absent.
    public func text(row: Int = 0, _ name: String) -> String? {
        guard rows.indices.contains(row), let column = columns.firstIndex(where: { $0.name == name }),
              rows[row].indices.contains(column), let bytes = rows[row][column]
        else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The raw bytes at `row`, column `name`; nil when NULL or absent.
    public func bytes(row: Int = 0, _ name: String) -> [UInt8]? {
        guard rows.indices.contains(row), let column = columns.firstIndex(where: { $0.name == name }),
              rows[row].indices.contains(column)
        else { return nil }
        return rows[row][column]
    }
}
