// FieldDescription: one column of a RowDescription.

public struct FieldDescription: Sendable, Equatable {
    public var name: String
    public var tableOID: UInt32        // 0 when the column is not a table column
    public var columnNumber: Int16     // attribute number in that table, or 0
    public var typeOID: UInt32
    public var typeSize: Int16         // pg_type.typlen; -1 variable length
    public var typeModifier: Int32     // atttypmod; -1 none
    public var format: Int16           // 0 text, 1 binary

    public init(name: String, tableOID: UInt32 = 0, columnNumber: Int16 = 0, typeOID: UInt32,
                typeSize: Int16, typeModifier: Int32 = -1, format: Int16 = 0) {
        self.name = name
        self.tableOID = tableOID
        self.columnNumber = columnNumber
        self.typeOID = typeOID
        self.typeSize = typeSize
        self.typeModifier = typeModifier
        self.format = format
    }
}
