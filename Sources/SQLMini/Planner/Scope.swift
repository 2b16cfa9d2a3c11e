// Scope: the names visible while binding one query level — its FROM items (range table entries)
// with their columns laid out side by side in the level's row — and the enclosing level, whose
// columns a correlated subquery reads as outer references.
//
// Invariants: entries' column ranges are contiguous and in FROM order (entry k starts where
// entry k-1 ends); `referencedByChildren` holds the columns of this level that some deeper
// level reads, so that exactly those are handed down when a subquery runs.

final class Scope {
    struct Entry {
        var name: String
        var schema: String?
        var columns: [PlanColumn]
        var offset: Int
        /// Column names usable unqualified (USING/NATURAL merge is not supported; all are).
        var range: Range<Int> { offset..<(offset + columns.count) }
    }

    let parent: Scope?
    private(set) var entries: [Entry] = []
    /// Columns of this level read by deeper levels (outer references).
    var referencedByChildren: Set<Int> = []
    /// Counts resolutions that started below this level and found their column here or above:
    /// a subquery planned under this scope is correlated when the count changed meanwhile.
    var outerReads = 0

    init(parent: Scope?) { self.parent = parent }

    var width: Int { entries.last.map { $0.offset + $0.columns.count } ?? 0 }

    func add(name: String, schema: String?, columns: [PlanColumn]) {
        entries.append(Entry(name: name, schema: schema, columns: columns, offset: width))
    }

    func entry(named name: String, schema: String?) -> Entry? {
        entries.first { $0.name == name && (schema == nil || $0.schema == schema) }
    }

    /// A reference resolved in this scope or an enclosing one (depth 0 = this level).
    struct Resolution {
        var depth: Int
        var index: Int
        var column: PlanColumn
    }

    /// Finds `reference` here or in an enclosing scope, recording outer references on the way.
    func resolve(_ reference: ColumnReference, position: Int) throws -> Resolution {
        var scope: Scope? = self
        var depth = 0
        var chain: [Scope] = []
        var missingTable: String? = nil
        while let current = scope {
            switch try current.resolveLocally(reference, position: position) {
            case .found(let index, let column):
                if depth > 0 {
                    for inner in chain { inner.outerReads += 1 }
                    current.outerReads += 1
                    current.referencedByChildren.insert(index)
                }
                return Resolution(depth: depth, index: index, column: column)
            case .noSuchTable(let name):
                if missingTable == nil { missingTable = name }
            case .notFound:
                break
            }
            chain.append(current)
            scope = current.parent
            depth += 1
        }
        if let missingTable, reference.qualifiers.count >= 1 {
            throw SQLError(SQLError.undefinedTable, "missing FROM-clause entry for table \"\(missingTable)\"", position: position)
        }
        let name = (reference.qualifiers + [reference.name]).joined(separator: ".")
        if reference.qualifiers.isEmpty {
            throw SQLError(SQLError.undefinedColumn, "column \"\(name)\" does not exist", position: position)
        }
        throw SQLError(SQLError.undefinedColumn, "column \(name) does not exist", position: position)
    }

    private enum LocalResult { case found(Int, PlanColumn), noSuchTable(String), notFound }

    private func resolveLocally(_ reference: ColumnReference, position: Int) throws -> LocalResult {
        let qualifiers = reference.qualifiers
        if qualifiers.isEmpty {
            var found: (Int, PlanColumn)? = nil
            for entry in entries {
                for (i, column) in entry.columns.enumerated() where column.name == reference.name {
                    if found != nil {
                        throw SQLError(SQLError.ambiguousColumn, "column reference \"\(reference.name)\" is ambiguous",
                                       position: position)
                    }
                    found = (entry.offset + i, column)
                }
            }
            return found.map { .found($0.0, $0.1) } ?? .notFound
        }
        let tableName = qualifiers[qualifiers.count - 1]
        let schema = qualifiers.count >= 2 ? qualifiers[qualifiers.count - 2] : nil
        guard let entry = entry(named: tableName, schema: schema) else { return .noSuchTable(tableName) }
        guard let i = entry.columns.firstIndex(where: { $0.name == reference.name }) else { return .notFound }
        return .found(entry.offset + i, entry.columns[i])
    }
}
