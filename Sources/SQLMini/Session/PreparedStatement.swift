// PreparedStatement and Portal: the extended query protocol's two kinds of named objects.
//
// A prepared statement (Parse) is a parsed statement with its parameter types and, for statements
// the engine runs, its plan; it lives until Close or the end of the session (the unnamed one ""
// is replaced by each Parse). A portal (Bind) is a prepared statement with parameter values and
// result formats; it lives until Close, the next Bind of the same name (the unnamed one), the
// end of the transaction, or a ROLLBACK TO SAVEPOINT of the savepoint level it was bound in. A portal run with a row limit (Execute maxRows > 0) keeps the rows not
// yet sent, so the next Execute continues where the last one stopped (PortalSuspended).

struct PreparedStatement {
    /// The query text as the client sent it (pg_stat_activity shows it).
    let text: String
    /// nil for an empty query string (Execute answers EmptyQueryResponse).
    let parsed: ParsedStatement?
    /// Declared or inferred, one per `$n`.
    let parameterTypes: [SQLType]
    /// The engine's plan, for statements the engine runs (SELECT, DML, DDL).
    let plan: PreparedPlan?
    /// The columns a Describe reports; nil when the statement returns no rows (NoData).
    let resultColumns: [ResultColumn]?
}

final class Portal {
    let statement: PreparedStatement
    let parameters: [Value]
    /// One format per result column (0 text, 1 binary), already expanded from Bind's list.
    let resultFormats: [Int16]
    /// Rows computed but not yet sent, after an Execute stopped at its row limit.
    var pendingRows: [[Value]] = []
    var pendingIndex = 0
    /// The tag to send when the pending rows run out.
    var pendingTag: String?
    /// True once the portal ran to completion (a further Execute sends only the tag again).
    var isExhausted = false
    /// How many savepoint levels were open at Bind: ROLLBACK TO a level at or below it drops it.
    let savepointDepth: Int

    init(statement: PreparedStatement, parameters: [Value], resultFormats: [Int16], savepointDepth: Int) {
        self.statement = statement
        self.parameters = parameters
        self.resultFormats = resultFormats
        self.savepointDepth = savepointDepth
    }

    var isSuspended: Bool { pendingTag != nil }
}
