// Casts: PostgreSQL's type conversions (pg_cast) for the built-in types, in the three contexts
// PostgreSQL distinguishes:
//   implicit    inside expressions (int4 + int8 → both int8; an unknown literal takes any type)
//   assignment  INSERT/UPDATE into a column (int8 → int4 with a range check, timestamptz → timestamp)
//   explicit    `x::type`, CAST(x AS type) (anything ↔ text through the I/O functions, bool ↔ int4)
// then the typmod is applied (character(n) padding, varchar(n) and numeric(p,s) checks).

public enum CastContext: Int, Sendable, Comparable {
    case implicit = 0, assignment = 1, explicit = 2
    public static func < (a: CastContext, b: CastContext) -> Bool { a.rawValue < b.rawValue }
}

public enum Casts {
    private static let integerOIDs: Set<UInt32> = [21, 23, 20]
    private static let stringOIDs: Set<UInt32> = [25, 1043, 1042, 19]
    private static let regOIDs: Set<UInt32> = [2205, 2206, 4089, 4096, 24]
    private static let numericRank: [UInt32: Int] = [21: 0, 23: 1, 20: 2, 1700: 3, 700: 4, 701: 5]

    /// The weakest context in which `from` converts to `to`, nil when no cast exists at all.
    public static func context(from: SQLType, to: SQLType) -> CastContext? {
        let f = from.oid, t = to.oid
        if f == t { return .implicit }
        if f == SQLType.unknown.oid { return .implicit }
        // Numbers: widening is implicit, narrowing is an assignment.
        if let rf = numericRank[f], let rt = numericRank[t] { return rt > rf ? .implicit : .assignment }
        // OIDs and reg* types are the same bits; integers convert to them implicitly.
        let oidLike = regOIDs.union([26])
        if oidLike.contains(f), oidLike.contains(t) { return .implicit }
        if integerOIDs.contains(f), oidLike.contains(t) { return .implicit }
        if oidLike.contains(f), t == SQLType.int8.oid { return .implicit }
        if oidLike.contains(f), t == SQLType.int4.oid { return .assignment }
        // Strings.
        if stringOIDs.contains(f) || f == SQLType.char.oid, stringOIDs.contains(t) { return .implicit }
        if stringOIDs.contains(f), t == SQLType.char.oid { return .assignment }
        // Date and time.
        switch (f, t) {
        case (1082, 1114), (1082, 1184), (1114, 1184): return .implicit
        case (1184, 1114), (1114, 1082), (1184, 1082): return .assignment
        case (16, 23), (23, 16): return .explicit
        case (23, 18), (18, 23): return .explicit
        case (22, 1005), (30, 1028): return .implicit
        case (28, 5069): return .implicit
        case (194, 25): return .implicit                  // pg_node_tree reads as text
        case (20, 3220), (1700, 3220): return .explicit
        case (3220, 1700): return .explicit
        default: break
        }
        // Arrays convert element by element.
        if from.isArray, to.isArray, let fe = from.elementType, let te = to.elementType, fe.oid != from.oid {
            return context(from: fe, to: te)
        }
        // Everything has a text form: to a string type by assignment, from one explicitly.
        if stringOIDs.contains(t) { return .assignment }
        if stringOIDs.contains(f) { return .explicit }
        return nil
    }

    /// Converts `value` (declared `from`) to `to`, applying `to`'s typmod.
    public static func cast(_ value: Value, from: SQLType, to: SQLType, context: CastContext = .explicit,
                            catalog: CatalogLookup? = nil) throws -> Value {
        if case .null = value { return .null }
        guard let needed = Casts.context(from: from, to: to), needed <= context else {
            throw SQLError(context == .explicit ? SQLError.cannotCoerce : SQLError.datatypeMismatch,
                           "cannot cast type \(from.formatted) to \(to.formatted)")
        }
        let converted = try convert(value, from: from, to: to, catalog: catalog)
        return try applyTypmod(converted, to, explicit: context == .explicit)
    }

    private static func convert(_ value: Value, from: SQLType, to: SQLType, catalog: CatalogLookup?) throws -> Value {
        let t = to.oid
        if from.oid == t { return value }
        if from.oid == SQLType.unknown.oid, case .text(let s) = value { return try Value.parse(s, as: to.withoutModifier, catalog: catalog) }
        switch t {
        case SQLType.int2.oid: return .int2(Int16(try integer(value, min: Int64(Int16.min), max: Int64(Int16.max), name: "smallint")))
        case SQLType.int4.oid:
            if case .bool(let b) = value { return .int4(b ? 1 : 0) }
            if case .text(let s) = value, from.oid == SQLType.char.oid { return .int4(Int32(s.utf8.first.map { Int8(bitPattern: $0) } ?? 0)) }
            if case .oid(let o) = value { return .int4(Int32(bitPattern: o)) }
            return .int4(Int32(try integer(value, min: Int64(Int32.min), max: Int64(Int32.max), name: "integer")))
        case SQLType.int8.oid:
            if case .oid(let o) = value { return .int8(Int64(o)) }
            return .int8(try integer(value, min: Int64.min, max: Int64.max, name: "bigint"))
        case SQLType.float4.oid, SQLType.float8.oid:
            let d: Double
            switch value {
            case .int2(let v): d = Double(v)
            case .int4(let v): d = Double(v)
            case .int8(let v): d = Double(v)
            case .float4(let v): d = Double(v)
            case .float8(let v): d = v
            case .numeric(let n): d = n.doubleValue
            default: return try viaText(value, from: from, to: to, catalog: catalog)
            }
            if t == SQLType.float4.oid {
                let f = Float(d)
                if f.isInfinite && !d.isInfinite { throw SQLError(SQLError.numericValueOutOfRange, "value out of range: overflow") }
                return .float4(f)
            }
            return .float8(d)
        case SQLType.numeric.oid:
            switch value {
            case .int2(let v): return .numeric(Numeric(Int64(v)))
            case .int4(let v): return .numeric(Numeric(Int64(v)))
            case .int8(let v): return .numeric(Numeric(v))
            case .float4(let v): return .numeric(try Numeric(double: Double(v)))
            case .float8(let v): return .numeric(try Numeric(double: v))
            case .pgLSN(let v): return .numeric(Numeric(coefficient: Int128(v), scale: 0))
            default: return try viaText(value, from: from, to: to, catalog: catalog)
            }
        case SQLType.bool.oid:
            if case .int4(let v) = value { return .bool(v != 0) }
            return try viaText(value, from: from, to: to, catalog: catalog)
        case 26, 2205, 2206, 4089, 4096, 24:
            switch value {
            case .oid: return value
            case .int2(let v): return .oid(UInt32(truncatingIfNeeded: Int64(v)))
            case .int4(let v): return .oid(UInt32(bitPattern: v))
            case .int8(let v):
                guard v >= 0, v <= Int64(UInt32.max) else { throw SQLError(SQLError.numericValueOutOfRange, "OID out of range") }
                return .oid(UInt32(v))
            default: return try viaText(value, from: from, to: to, catalog: catalog)
            }
        case SQLType.text.oid, SQLType.varchar.oid, SQLType.name.oid:
            if case .bool(let b) = value, t != SQLType.name.oid { return .text(b ? "true" : "false") }   // booltext, not boolout's t/f
            if case .text(var s) = value {
                if from.oid == SQLType.bpchar.oid { s = rtrimSpaces(s) }
                return .text(t == SQLType.name.oid ? Value.truncateName(s) : s)
            }
            return .text(value.text(as: from, catalog: catalog) ?? "")
        case SQLType.bpchar.oid:
            if case .text = value { return value }
            if case .bool(let b) = value { return .text(b ? "true" : "false") }
            return .text(value.text(as: from, catalog: catalog) ?? "")
        case SQLType.char.oid:
            if case .int4(let v) = value { return .text(String(decoding: [UInt8(truncatingIfNeeded: v)], as: UTF8.self)) }
            if case .text(let s) = value { return .text(s.unicodeScalars.first.map { String($0) } ?? "") }
            return try viaText(value, from: from, to: to, catalog: catalog)
        case SQLType.timestamp.oid, SQLType.timestamptz.oid:
            switch value {
            case .date(let d):
                if d == DateTime.dateInfinity { return stamp(DateTime.timestampInfinity, t) }
                if d == DateTime.dateMinusInfinity { return stamp(DateTime.timestampMinusInfinity, t) }
                guard let micros = DateTime.microseconds(ofDay: Int64(d)) else {
                    throw SQLError(SQLError.datetimeFieldOverflow, "date out of range for timestamp")
                }
                return stamp(micros, t)
            case .timestamp(let v), .timestamptz(let v): return stamp(v, t)
            default: return try viaText(value, from: from, to: to, catalog: catalog)
            }
        case SQLType.date.oid:
            switch value {
            case .timestamp(let v), .timestamptz(let v):
                if v == DateTime.timestampInfinity { return .date(DateTime.dateInfinity) }
                if v == DateTime.timestampMinusInfinity { return .date(DateTime.dateMinusInfinity) }
                var days = v / DateTime.microsecondsPerDay
                if v % DateTime.microsecondsPerDay < 0 { days -= 1 }
                return .date(Int32(clamping: days))
            default: return try viaText(value, from: from, to: to, catalog: catalog)
            }
        case SQLType.pgLSN.oid:
            switch value {
            case .int8(let v) where v >= 0: return .pgLSN(UInt64(v))
            case .numeric(let n):
                guard let v = n.roundedInt64, v >= 0 else { throw SQLError(SQLError.numericValueOutOfRange, "pg_lsn out of range") }
                return .pgLSN(UInt64(v))
            default: return try viaText(value, from: from, to: to, catalog: catalog)
            }
        case SQLType.xid8.oid:
            if case .oid(let v) = value { return .int8(Int64(v)) }
            return try viaText(value, from: from, to: to, catalog: catalog)
        default:
            if case .array(let array) = value, to.isArray, let targetElement = to.elementType {
                let sourceElement = from.elementType ?? array.elementType
                let elements = try array.elements.map {
                    try cast($0, from: sourceElement, to: SQLType(oid: targetElement.oid, typmod: to.typmod), context: .explicit, catalog: catalog)
                }
                return .array(ArrayValue(elementType: targetElement, elements: elements))
            }
            return try viaText(value, from: from, to: to, catalog: catalog)
        }
    }

    private static func stamp(_ micros: Int64, _ oid: UInt32) -> Value {
        oid == SQLType.timestamp.oid ? .timestamp(micros) : .timestamptz(micros)
    }

    /// An I/O conversion: print with the source type's output function, read with the target's input.
    private static func viaText(_ value: Value, from: SQLType, to: SQLType, catalog: CatalogLookup?) throws -> Value {
        guard let text = value.text(as: from, catalog: catalog) else { return .null }
        return try Value.parse(text, as: to.withoutModifier, catalog: catalog)
    }

    /// An integer from any numeric value, rounding like PostgreSQL (rint for floats: half to even;
    /// half away from zero for numeric), with "integer out of range" (22003) when it does not fit.
    static func integer(_ value: Value, min: Int64, max: Int64, name: String) throws -> Int64 {
        let outOfRange = SQLError(SQLError.numericValueOutOfRange, "\(name) out of range")
        let result: Int64
        switch value {
        case .int2(let v): result = Int64(v)
        case .int4(let v): result = Int64(v)
        case .int8(let v): result = v
        case .float4(let v):
            let r = Double(v).rounded(.toNearestOrEven)
            guard r.isFinite, r >= -9.223372036854775808e18, r < 9.223372036854775808e18 else { throw outOfRange }
            result = Int64(r)
        case .float8(let v):
            let r = v.rounded(.toNearestOrEven)
            guard r.isFinite, r >= -9.223372036854775808e18, r < 9.223372036854775808e18 else { throw outOfRange }
            result = Int64(r)
        case .numeric(let n):
            if n.isNaN { throw SQLError(SQLError.featureNotSupported, "cannot convert NaN to \(name)") }
            guard let r = n.roundedInt64 else { throw outOfRange }
            result = r
        case .oid(let o): result = Int64(o)
        case .bool(let b): result = b ? 1 : 0
        case .text(let s): return try Value.parseInteger(s, typeName: name, min: min, max: max)
        default:
            throw SQLError(SQLError.cannotCoerce, "cannot convert value to \(name)")
        }
        guard result >= min, result <= max else { throw outOfRange }
        return result
    }

    static func rtrimSpaces(_ s: String) -> String {
        var bytes = Array(s.utf8)
        while bytes.last == UInt8(ascii: " ") { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Applies a column's typmod: pads/truncates character(n), checks character varying(n) and
    /// numeric(p,s), rounds timestamp(p). Explicit casts truncate strings silently, like PostgreSQL.
    public static func applyTypmod(_ value: Value, _ type: SQLType, explicit: Bool = false) throws -> Value {
        guard type.typmod >= 0 else {
            return value
        }
        switch (value, type.oid) {
        case (.text(let s), SQLType.bpchar.oid), (.text(let s), SQLType.varchar.oid):
            guard let length = type.characterLength else { return value }
            // Lengths count characters as PostgreSQL does: code points, not grapheme clusters.
            let scalars = s.unicodeScalars
            let count = scalars.count
            if count > length {
                let cutEnd = scalars.index(scalars.startIndex, offsetBy: length)
                guard explicit || scalars[cutEnd...].allSatisfy({ $0 == " " }) else {
                    throw SQLError(SQLError.stringDataRightTruncation, "value too long for type \(type.formatted)")
                }
                return .text(String(scalars[..<cutEnd]))
            }
            if type.oid == SQLType.bpchar.oid, count < length { return .text(s + String(repeating: " ", count: length - count)) }
            return value
        case (.numeric(let n), SQLType.numeric.oid):
            guard let (precision, scale) = type.numericPrecisionScale, !n.isNaN else { return value }
            let rounded = try n.rounded(toScale: scale)
            let integerDigits = precision - scale
            if let limit = Numeric.powerOfTen(integerDigits + scale), rounded.coefficient.magnitude >= limit.magnitude {
                throw SQLError(SQLError.numericValueOutOfRange, "numeric field overflow",
                               detail: "A field with precision \(precision), scale \(scale) must round to an absolute value less than \(integerDigits == 0 ? "1" : "10^\(integerDigits)").")
            }
            return .numeric(rounded)
        case (.timestamp(let v), SQLType.timestamp.oid), (.timestamptz(let v), SQLType.timestamptz.oid):
            let precision = Int(type.typmod)
            guard precision < 6, v != DateTime.timestampInfinity, v != DateTime.timestampMinusInfinity else { return value }
            var unit: Int64 = 1
            for _ in precision..<6 { unit *= 10 }
            var q = v / unit, r = v % unit
            if r < 0 { q -= 1; r += unit }
            if r * 2 >= unit { q += 1 }
            return type.oid == SQLType.timestamp.oid ? .timestamp(q * unit) : .timestamptz(q * unit)
        case (.array(var array), _) where type.isArray:
            guard let element = type.elementType else { return value }
            array.elements = try array.elements.map { try applyTypmod($0, SQLType(oid: element.oid, typmod: type.typmod), explicit: explicit) }
            return .array(array)
        default:
            return value
        }
    }
}
