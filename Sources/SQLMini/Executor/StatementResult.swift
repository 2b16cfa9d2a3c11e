// What preparing and executing a statement give back to the session: the result's column
// descriptions (for RowDescription), and after execution the command tag and row count.

public struct ResultColumn: Sendable, Equatable {
    public var name: String
    public var type: SQLType
    /// The table and column a plain column reference comes from (0 when computed).
    public var tableOID: UInt32
    public var columnNumber: Int16
}

public struct StatementResult: Sendable, Equatable {
    /// CommandComplete's tag: "SELECT 3", "INSERT 0 5", "CREATE TABLE".
    public var tag: String
    /// Rows returned or affected.
    public var rowCount: Int
}
