// Statement: one SQL statement as parsed; ParsedStatement adds where it sits in the query string.
//
// Invariants: a query string yields one ParsedStatement per non-empty statement between `;`
// separators, in order; `text` is that statement's own source (without the `;`), and positions
// inside the tree are offsets into the WHOLE query string, as PostgreSQL reports them.

public indirect enum Statement: Sendable, Equatable {
    // Queries and data changes
    case select(Query)
    case insert(InsertStatement)
    case update(UpdateStatement)
    case delete(DeleteStatement)
    case copy(CopyStatement)
    // Definitions
    case createTable(CreateTableStatement)
    case createIndex(CreateIndexStatement)
    case alterTable(AlterTableStatement)
    case drop(DropStatement)
    case truncate(TruncateStatement)
    case createRole(CreateRoleStatement)
    case alterRole(AlterRoleStatement)
    case dropRole(DropRoleStatement)
    // Transactions and session
    case transaction(TransactionStatement)
    /// `SET [SESSION|LOCAL] name {TO|=} value`, `SET TIME ZONE ...`
    case set(SetStatement)
    /// `SET [SESSION CHARACTERISTICS AS] TRANSACTION ISOLATION LEVEL ...`
    case setTransaction(TransactionModes, sessionDefault: Bool)
    /// `RESET name` (nil for RESET ALL)
    case reset(name: String?)
    /// `SHOW name` ("all" for SHOW ALL)
    case show(name: String)
    // Maintenance
    case vacuum(VacuumStatement)
    /// `ANALYZE [t, ...]`
    case analyze(tables: [QualifiedName])
    case checkpoint
    case explain(ExplainStatement)
    /// `DEALLOCATE [PREPARE] name`; nil for `DEALLOCATE ALL` (psycopg 3 sends it after DDL)
    case deallocate(name: String?)
}

public struct ParsedStatement: Sendable, Equatable {
    public var statement: Statement
    /// The statement's own text, without the terminating `;`.
    public var text: String
    /// 1-based character offset of the statement's first token in the whole query string.
    public var position: Int
    /// The highest `$n` used in the statement (0 when it has no parameters).
    public var parameterCount: Int

    public init(statement: Statement, text: String, position: Int, parameterCount: Int) {
        self.statement = statement
        self.text = text
        self.position = position
        self.parameterCount = parameterCount
    }
}

/// `EXPLAIN [ANALYZE] [VERBOSE] statement` or `EXPLAIN (ANALYZE, COSTS off) statement`
public struct ExplainStatement: Sendable, Equatable {
    public var analyze: Bool
    public var verbose: Bool
    public var costs: Bool
    public var statement: Statement

    public init(analyze: Bool = false, verbose: Bool = false, costs: Bool = true, statement: Statement) {
        self.analyze = analyze
        self.verbose = verbose
        self.costs = costs
        self.statement = statement
    }
}
