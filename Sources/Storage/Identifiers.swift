// Storage: typed identifiers for what lives in relation files, and the page size.
//
// Bare integers are never passed around for these: a RelationID is not a PageNumber is not an OID.
// A relation's file is base/<databaseOID>/<RelationID.value>; pages are numbered from 0.

/// The size of every page in a relation file, in the buffer pool and in a full-page image (8 KiB,
/// PostgreSQL's BLCKSZ).
public let pageSize = 8192

/// The one database's directory under base/ (PostgreSQL's template1 also has OID 1).
public let databaseOID: UInt32 = 1

/// A relation's file: base/<databaseOID>/<value> (PostgreSQL's relfilenode).
public struct RelationID: Hashable, Sendable, CustomStringConvertible {
    public var value: UInt32
    public init(_ value: UInt32) { self.value = value }
    public var description: String { String(value) }
}

/// A page's position in its relation file (PostgreSQL's BlockNumber).
public struct PageNumber: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var value: UInt32
    public init(_ value: UInt32) { self.value = value }
    public static func < (a: PageNumber, b: PageNumber) -> Bool { a.value < b.value }
    public var description: String { String(value) }
}

/// A tuple's address, PostgreSQL's ctid, printed "(page,slot)". Slot numbers start at 1.
public struct TupleID: Hashable, Sendable, CustomStringConvertible {
    public var page: PageNumber
    public var slot: UInt16
    public init(page: PageNumber, slot: UInt16) { self.page = page; self.slot = slot }
    public var description: String { "(\(page.value),\(slot))" }
}

/// The position of a command inside its transaction (PostgreSQL's CommandId, cmin/cmax).
public struct CommandID: Hashable, Comparable, Sendable {
    public var value: UInt32
    public init(_ value: UInt32) { self.value = value }
    public static let first = CommandID(0)
    public static func < (a: CommandID, b: CommandID) -> Bool { a.value < b.value }
}

/// What kind of relation a file holds; decides how its pages are formatted.
public enum RelationKind: UInt8, Sendable {
    case heap = 1
    case btree = 2
    case sequence = 3
}
