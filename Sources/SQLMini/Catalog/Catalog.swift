// Catalog: one immutable snapshot of the database's schema — what a statement plans against.
// Built by CatalogLoader from the minipg_* system relations as one MVCC snapshot sees them, so a
// transaction that ran DDL sees its own changes and everyone else sees the last committed state.
//
// Invariants: every index, constraint and sequence refers to a relation present in `relations`;
// `version` grows with every rebuild of the committed catalog (prepared plans compare it).

public final class Catalog: Sendable {
    public let version: UInt64
    public let namespaces: [CatalogNamespace]
    public let relations: [CatalogRelation]
    public let indexes: [CatalogIndex]
    public let constraints: [CatalogConstraint]
    public let sequences: [CatalogSequence]
    public let roles: [CatalogRole]
    public let databases: [CatalogDatabase]

    private let relationsByOID: [UInt32: Int]
    private let relationsByName: [NameKey: Int]
    private let namespacesByOID: [UInt32: Int]
    private let namespacesByName: [String: Int]
    private let indexesByTable: [UInt32: [Int]]
    private let indexesByOID: [UInt32: Int]
    private let sequencesByOID: [UInt32: Int]

    private struct NameKey: Hashable { var namespace: UInt32; var name: String }

    public init(version: UInt64, namespaces: [CatalogNamespace], relations: [CatalogRelation],
                indexes: [CatalogIndex], constraints: [CatalogConstraint], sequences: [CatalogSequence],
                roles: [CatalogRole], databases: [CatalogDatabase]) {
        self.version = version
        self.namespaces = namespaces
        self.relations = relations
        self.indexes = indexes
        self.constraints = constraints
        self.sequences = sequences
        self.roles = roles
        self.databases = databases
        var byOID: [UInt32: Int] = [:], byName: [NameKey: Int] = [:]
        for (i, relation) in relations.enumerated() {
            byOID[relation.oid] = i
            byName[NameKey(namespace: relation.namespace, name: relation.name)] = i
        }
        relationsByOID = byOID
        relationsByName = byName
        var nsByOID: [UInt32: Int] = [:], nsByName: [String: Int] = [:]
        for (i, namespace) in namespaces.enumerated() {
            nsByOID[namespace.oid] = i
            nsByName[namespace.name] = i
        }
        namespacesByOID = nsByOID
        namespacesByName = nsByName
        var byTable: [UInt32: [Int]] = [:], indexByOID: [UInt32: Int] = [:]
        for (i, index) in indexes.enumerated() {
            byTable[index.table, default: []].append(i)
            indexByOID[index.oid] = i
        }
        indexesByTable = byTable
        indexesByOID = indexByOID
        var seqByOID: [UInt32: Int] = [:]
        for (i, sequence) in sequences.enumerated() { seqByOID[sequence.oid] = i }
        sequencesByOID = seqByOID
    }

    // MARK: Lookups

    public func relation(oid: UInt32) -> CatalogRelation? { relationsByOID[oid].map { relations[$0] } }

    public func relation(named name: String, namespace: UInt32) -> CatalogRelation? {
        relationsByName[NameKey(namespace: namespace, name: name)].map { relations[$0] }
    }

    public func namespace(oid: UInt32) -> CatalogNamespace? { namespacesByOID[oid].map { namespaces[$0] } }
    public func namespace(named name: String) -> CatalogNamespace? { namespacesByName[name].map { namespaces[$0] } }

    /// The namespaces an unqualified name is looked up in, in order: pg_catalog first (as PostgreSQL
    /// does when search_path does not name it), then search_path ("$user" is the user's name).
    public func searchNamespaces(searchPath: [String], user: String) -> [UInt32] {
        var result: [UInt32] = []
        if !searchPath.contains("pg_catalog") { result.append(CatalogConstants.pgCatalogNamespace) }
        for entry in searchPath {
            let name = entry == "$user" ? user : entry
            if let namespace = namespace(named: name), !result.contains(namespace.oid) { result.append(namespace.oid) }
        }
        return result
    }

    /// Resolves a possibly qualified relation name; nil when it does not exist.
    public func lookupRelation(schema: String?, name: String, searchPath: [String], user: String) -> CatalogRelation? {
        if let schema {
            guard let namespace = namespace(named: schema) else { return nil }
            return relation(named: name, namespace: namespace.oid)
        }
        for namespace in searchNamespaces(searchPath: searchPath, user: user) {
            if let found = relation(named: name, namespace: namespace) { return found }
        }
        return nil
    }

    /// The namespace CREATE puts an unqualified name in: the first existing search_path entry.
    public func creationNamespace(searchPath: [String], user: String) -> UInt32? {
        for entry in searchPath {
            let name = entry == "$user" ? user : entry
            if let namespace = namespace(named: name) { return namespace.oid }
        }
        return nil
    }

    public func indexes(onTable table: UInt32) -> [CatalogIndex] {
        (indexesByTable[table] ?? []).map { indexes[$0] }
    }

    public func index(oid: UInt32) -> CatalogIndex? { indexesByOID[oid].map { indexes[$0] } }

    public func constraints(onTable table: UInt32) -> [CatalogConstraint] { constraints.filter { $0.table == table } }

    public func sequence(oid: UInt32) -> CatalogSequence? { sequencesByOID[oid].map { sequences[$0] } }

    public func sequences(ownedBy table: UInt32) -> [CatalogSequence] { sequences.filter { $0.ownerTable == table } }

    public func role(named name: String) -> CatalogRole? { roles.first { $0.name == name } }
    public func role(oid: UInt32) -> CatalogRole? { roles.first { $0.oid == oid } }
    public func database(named name: String) -> CatalogDatabase? { databases.first { $0.name == name } }

    /// Is the relation found first under its own name through the search path (pg_table_is_visible)?
    public func isVisible(relation oid: UInt32, searchPath: [String], user: String) -> Bool {
        guard let relation = relation(oid: oid) else { return false }
        for namespace in searchNamespaces(searchPath: searchPath, user: user) {
            if let found = self.relation(named: relation.name, namespace: namespace) { return found.oid == oid }
        }
        return false
    }
}
