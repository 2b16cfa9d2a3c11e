// ResultSet: the small result sets replication commands answer with (IDENTIFY_SYSTEM, SHOW,
// CREATE_REPLICATION_SLOT, ...): RowDescription, DataRows in text format, nothing else — the
// caller sends the CommandComplete, since some commands send two result sets before one tag.

import PGWire

struct ResultSet {
    enum ColumnType {
        case text, int4, int8, bytea, oid

        var oid: UInt32 {
            switch self {
            case .text: 25
            case .int4: 23
            case .int8: 20
            case .bytea: 17
            case .oid: 26
            }
        }
        var size: Int16 {
            switch self {
            case .text, .bytea: -1
            case .int4, .oid: 4
            case .int8: 8
            }
        }
    }

    var columns: [(String, ColumnType)]
    var rows: [[[UInt8]?]] = []

    init(_ columns: [(String, ColumnType)]) { self.columns = columns }

    /// Appends a row of text values (nil = NULL).
    mutating func append(_ values: [String?]) {
        rows.append(values.map { $0.map { Array($0.utf8) } })
    }

    func send(_ out: BackendOutput) {
        out.rowDescription(columns.map { FieldDescription(name: $0.0, typeOID: $0.1.oid, typeSize: $0.1.size) })
        for row in rows { out.dataRow(row) }
    }
}
