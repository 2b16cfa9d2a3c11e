// Comparison: the ordering of SQL values, as PostgreSQL's btree operator classes define it.
//   - numbers compare by value across int2/int4/int8/numeric/float (1 = 1.0);
//     float NaN equals NaN and sorts above every other number, -0 equals 0;
//   - text compares byte by byte (the C collation); character(n) ignores trailing spaces;
//   - arrays compare element by element, then by length.
// `compare` is a total order for sorting and indexes: NULL sorts after every value (PostgreSQL's
// default ASC NULLS LAST). `equals` is SQL's three-valued `=`, unknown when a side is NULL.

extension Value {
    /// -1, 0 or 1 for two values of comparable types; NULL sorts after every value.
    /// `ignoringTrailingSpaces` gives character(n) semantics.
    public static func compare(_ a: Value, _ b: Value, ignoringTrailingSpaces: Bool = false) -> Int {
        switch (a, b) {
        case (.null, .null): return 0
        case (.null, _): return 1
        case (_, .null): return -1
        case (.bool(let x), .bool(let y)): return x == y ? 0 : (x ? 1 : -1)
        case (.text(let x), .text(let y)):
            if ignoringTrailingSpaces { return compareBytes(Casts.rtrimSpaces(x).utf8, Casts.rtrimSpaces(y).utf8) }
            return compareBytes(x.utf8, y.utf8)
        case (.bytea(let x), .bytea(let y)): return compareBytes(x, y)
        case (.date(let x), .date(let y)): return order(x, y)
        case (.timestamp(let x), .timestamp(let y)), (.timestamptz(let x), .timestamptz(let y)),
             (.timestamp(let x), .timestamptz(let y)), (.timestamptz(let x), .timestamp(let y)):
            return order(x, y)
        case (.date(let d), .timestamp(let t)), (.date(let d), .timestamptz(let t)):
            return order(Int128(d) * Int128(DateTime.microsecondsPerDay), Int128(t))
        case (.timestamp(let t), .date(let d)), (.timestamptz(let t), .date(let d)):
            return order(Int128(t), Int128(d) * Int128(DateTime.microsecondsPerDay))
        case (.interval(let x), .interval(let y)): return order(x.comparableMicroseconds, y.comparableMicroseconds)
        case (.oid(let x), .oid(let y)): return order(x, y)
        case (.pgLSN(let x), .pgLSN(let y)): return order(x, y)
        case (.array(let x), .array(let y)):
            for (ex, ey) in zip(x.elements, y.elements) {
                let c = compare(ex, ey, ignoringTrailingSpaces: ignoringTrailingSpaces)
                if c != 0 { return c }
            }
            return order(x.elements.count, y.elements.count)
        default:
            return compareNumbers(a, b) ?? order(a.kindOrder, b.kindOrder)
        }
    }

    /// SQL `=`: nil (unknown) when either side is NULL.
    public static func equals(_ a: Value, _ b: Value, ignoringTrailingSpaces: Bool = false) -> Bool? {
        if a.isNull || b.isNull { return nil }
        return compare(a, b, ignoringTrailingSpaces: ignoringTrailingSpaces) == 0
    }

    private static func order<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : (x > y ? 1 : 0) }

    static func compareBytes<A: Sequence, B: Sequence>(_ x: A, _ y: B) -> Int where A.Element == UInt8, B.Element == UInt8 {
        var ix = x.makeIterator(), iy = y.makeIterator()
        while true {
            switch (ix.next(), iy.next()) {
            case (nil, nil): return 0
            case (nil, _): return -1
            case (_, nil): return 1
            case (let p?, let q?): if p != q { return p < q ? -1 : 1 }
            }
        }
    }

    /// Numbers of different representations, compared by value.
    private static func compareNumbers(_ a: Value, _ b: Value) -> Int? {
        if let x = a.integerValue, let y = b.integerValue { return order(x, y) }
        if a.isFloat || b.isFloat {
            guard let x = a.doubleValue, let y = b.doubleValue else { return nil }
            if x.isNaN || y.isNaN { return x.isNaN == y.isNaN ? 0 : (x.isNaN ? 1 : -1) }
            return order(x, y)
        }
        if let x = a.numericValue, let y = b.numericValue { return Numeric.compare(x, y) }
        return nil
    }

    /// A stable order between unrelated representations (never needed by well-typed queries).
    private var kindOrder: Int {
        switch self {
        case .null: return 99
        case .bool: return 0
        case .int2, .int4, .int8, .float4, .float8, .numeric, .oid: return 1
        case .text: return 2
        case .bytea: return 3
        case .date, .timestamp, .timestamptz: return 4
        case .interval: return 5
        case .pgLSN: return 6
        case .array: return 7
        }
    }

    // MARK: Numeric views

    /// The value as Int64 for integer representations (and oid).
    public var integerValue: Int64? {
        switch self {
        case .int2(let v): return Int64(v)
        case .int4(let v): return Int64(v)
        case .int8(let v): return v
        case .oid(let v): return Int64(v)
        default: return nil
        }
    }
    var isFloat: Bool {
        switch self { case .float4, .float8: return true; default: return false }
    }
    public var doubleValue: Double? {
        switch self {
        case .float4(let v): return Double(v)
        case .float8(let v): return v
        case .numeric(let n): return n.doubleValue
        default: return integerValue.map(Double.init)
        }
    }
    public var numericValue: Numeric? {
        switch self {
        case .numeric(let n): return n
        default: return integerValue.map { Numeric($0) }
        }
    }
}

extension Interval {
    /// PostgreSQL compares intervals by their span with 30-day months and 24-hour days.
    var comparableMicroseconds: Int128 {
        Int128(months) * 30 * Int128(DateTime.microsecondsPerDay) + Int128(days) * Int128(DateTime.microsecondsPerDay) + Int128(microseconds)
    }
}
