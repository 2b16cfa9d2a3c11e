// Value: one SQL datum in memory. The case says how it is held; the declared SQLType (tracked by
// the planner next to the value) says what it means. Several types share a representation:
//
//   .text      text, varchar, bpchar (already blank-padded), name, "char", unknown literals,
//              inet, aclitem, pg_node_tree
//   .oid       oid, regclass, regtype, regnamespace, regproc, regrole, xid, cid
//   .int8      int8, xid8
//   .array     every array type, plus int2vector and oidvector
//
// Dates and timestamps count from PostgreSQL's epoch 2000-01-01 (days, microseconds), as the
// binary protocol does; timestamptz is the UTC instant.

public enum Value: Hashable, Sendable {
    case null
    case bool(Bool)
    case int2(Int16)
    case int4(Int32)
    case int8(Int64)
    case float4(Float)
    case float8(Double)
    case numeric(Numeric)
    case text(String)
    case bytea([UInt8])
    /// Days since 2000-01-01.
    case date(Int32)
    /// Microseconds since 2000-01-01 00:00:00 (no time zone).
    case timestamp(Int64)
    /// Microseconds since 2000-01-01 00:00:00 UTC.
    case timestamptz(Int64)
    case interval(Interval)
    case oid(UInt32)
    /// A WAL position (pg_lsn), printed X/X by the WAL module's LSN.
    case pgLSN(UInt64)
    case array(ArrayValue)

    public var isNull: Bool { if case .null = self { return true } else { return false } }
}

/// A one-dimensional SQL array (lower bound 1). NULL elements are `.null`.
public struct ArrayValue: Hashable, Sendable {
    public var elementType: SQLType
    public var elements: [Value]

    public init(elementType: SQLType, elements: [Value]) {
        self.elementType = elementType
        self.elements = elements
    }
}

/// PostgreSQL's interval: months, days and microseconds kept apart (a month is not a fixed number
/// of days, a day is not always 24 hours).
public struct Interval: Hashable, Sendable {
    public var months: Int32
    public var days: Int32
    public var microseconds: Int64

    public init(months: Int32 = 0, days: Int32 = 0, microseconds: Int64 = 0) {
        self.months = months
        self.days = days
        self.microseconds = microseconds
    }
}
