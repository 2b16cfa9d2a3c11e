// PreparedPlan: a statement planned once, to be executed any number of times with parameters.
// It remembers the catalog version it was planned against; executing it after DDL changed the
// catalog plans the statement again (same parameter types), as PostgreSQL's plan cache does.

/// The planned form of one statement.
enum StatementPlan: @unchecked Sendable {
    case query(PlanNode)
    case insert(InsertPlan)
    case update(UpdatePlan)
    case delete(DeletePlan)
    case explain([String])
    /// DDL: carried out entirely at execution (it reads the catalog then).
    case utility(Statement)
}

public struct PreparedPlan: @unchecked Sendable {
    /// `$1..$n` types: as given, or inferred from context (text when nothing decides).
    public var parameterTypes: [SQLType]
    /// The columns of the rows the statement returns (nil: it returns none).
    public var resultColumns: [ResultColumn]?
    /// The command tag's first word(s): "SELECT", "INSERT", "CREATE TABLE".
    public var commandTag: String
    let statement: Statement
    let catalogVersion: UInt64
    let plan: StatementPlan

    /// The plan's operator tree, one line per operator (what EXPLAIN prints).
    public var explanation: [String] {
        switch plan {
        case .query(let node): return node.explain()
        case .insert(let p): return ["Insert on \(p.table.name)"] + p.source.explain(depth: 1)
        case .update(let p): return ["Update on \(p.table.name)"] + p.source.explain(depth: 1)
        case .delete(let p): return ["Delete on \(p.table.name)"] + p.source.explain(depth: 1)
        case .explain(let lines): return lines
        case .utility: return ["Utility Statement"]
        }
    }
}
