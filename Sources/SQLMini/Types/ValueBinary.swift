// ValueBinary: PostgreSQL's binary send/receive formats (format code 1 in Bind and results), all
// big-endian:
//   bool 1 byte 0/1 · int2/int4/int8 · float4/float8 IEEE 754 · oid/reg*/xid uint32
//   date int32 days and timestamp(tz) int64 µs since 2000-01-01 · interval int64 µs, int32 days, int32 months
//   text types and bytea: the raw bytes · pg_lsn uint64
//   numeric: int16 ndigits, int16 weight, uint16 sign (0x0000 +, 0x4000 −, 0xC000 NaN), int16 dscale,
//            then ndigits int16 base-10000 digits, most significant first
//   arrays: int32 ndim, int32 has-nulls, uint32 element oid, (int32 size, int32 lower bound) per
//           dimension, then per element int32 length (−1 = NULL) and its bytes

extension Value {
    static func badBinary(_ type: SQLType) -> SQLError {
        SQLError(SQLError.invalidBinaryRepresentation, "incorrect binary data format for type \(type.formatted)")
    }

    /// The binary form of the value; nil for NULL.
    public func binary(as type: SQLType) throws -> [UInt8]? {
        var out: [UInt8] = []
        switch self {
        case .null: return nil
        case .bool(let b): out.append(b ? 1 : 0)
        case .int2(let v): out.appendBigEndian(UInt16(bitPattern: v))
        case .int4(let v): out.appendBigEndian(UInt32(bitPattern: v))
        case .int8(let v): out.appendBigEndian(UInt64(bitPattern: v))
        case .float4(let v): out.appendBigEndian(v.bitPattern)
        case .float8(let v): out.appendBigEndian(v.bitPattern)
        case .numeric(let n): out = Value.numericBinary(n)
        case .text(let s): out = Array(s.utf8)
        case .bytea(let b): out = b
        case .date(let d): out.appendBigEndian(UInt32(bitPattern: d))
        case .timestamp(let t), .timestamptz(let t): out.appendBigEndian(UInt64(bitPattern: t))
        case .interval(let i):
            out.appendBigEndian(UInt64(bitPattern: i.microseconds))
            out.appendBigEndian(UInt32(bitPattern: i.days))
            out.appendBigEndian(UInt32(bitPattern: i.months))
        case .oid(let o): out.appendBigEndian(o)
        case .pgLSN(let l): out.appendBigEndian(l)
        case .array(let array):
            let elementType = type.elementType ?? array.elementType
            let hasNulls = array.elements.contains { $0.isNull }
            out.appendBigEndian(UInt32(array.elements.isEmpty ? 0 : 1))
            out.appendBigEndian(UInt32(hasNulls ? 1 : 0))
            out.appendBigEndian(elementType.oid)
            if !array.elements.isEmpty {
                out.appendBigEndian(UInt32(array.elements.count))
                out.appendBigEndian(UInt32(1))
            }
            for element in array.elements {
                if let bytes = try element.binary(as: elementType) {
                    out.appendBigEndian(UInt32(bytes.count))
                    out += bytes
                } else {
                    out.appendBigEndian(UInt32(bitPattern: -1))
                }
            }
        }
        return out
    }

    /// Reads a value of `type` from its binary form.
    public static func parseBinary(_ bytes: [UInt8], as type: SQLType) throws -> Value {
        var reader = BigEndianReader(bytes: bytes)
        let value: Value
        switch type.oid {
        case SQLType.bool.oid:
            value = .bool(try reader.read(UInt8.self, type) != 0)
        case SQLType.int2.oid: value = .int2(Int16(bitPattern: try reader.read(UInt16.self, type)))
        case SQLType.int4.oid: value = .int4(Int32(bitPattern: try reader.read(UInt32.self, type)))
        case SQLType.int8.oid, SQLType.xid8.oid: value = .int8(Int64(bitPattern: try reader.read(UInt64.self, type)))
        case SQLType.float4.oid: value = .float4(Float(bitPattern: try reader.read(UInt32.self, type)))
        case SQLType.float8.oid: value = .float8(Double(bitPattern: try reader.read(UInt64.self, type)))
        case SQLType.numeric.oid:
            return try Casts.applyTypmod(.numeric(try numericFromBinary(&reader, type)), type)
        case SQLType.text.oid, SQLType.varchar.oid, SQLType.bpchar.oid, SQLType.name.oid, SQLType.char.oid,
             SQLType.unknown.oid, SQLType.pgNodeTree.oid, SQLType.inet.oid, SQLType.aclitem.oid:
            guard let s = String(validating: bytes, as: UTF8.self) else {
                throw SQLError(SQLError.characterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\"")
            }
            return try Value.parse(s, as: type)
        case SQLType.bytea.oid: return .bytea(bytes)
        case SQLType.date.oid: value = .date(Int32(bitPattern: try reader.read(UInt32.self, type)))
        case SQLType.timestamp.oid: value = .timestamp(Int64(bitPattern: try reader.read(UInt64.self, type)))
        case SQLType.timestamptz.oid: value = .timestamptz(Int64(bitPattern: try reader.read(UInt64.self, type)))
        case SQLType.interval.oid:
            let micros = Int64(bitPattern: try reader.read(UInt64.self, type))
            let days = Int32(bitPattern: try reader.read(UInt32.self, type))
            let months = Int32(bitPattern: try reader.read(UInt32.self, type))
            value = .interval(Interval(months: months, days: days, microseconds: micros))
        case SQLType.oidType.oid, SQLType.regclass.oid, SQLType.regtype.oid, SQLType.regnamespace.oid,
             SQLType.regrole.oid, SQLType.regproc.oid, SQLType.xid.oid, SQLType.cid.oid:
            value = .oid(try reader.read(UInt32.self, type))
        case SQLType.pgLSN.oid: value = .pgLSN(try reader.read(UInt64.self, type))
        default:
            guard type.isArray, let elementType = type.elementType else {
                throw SQLError(SQLError.featureNotSupported, "binary format is not supported for type \(type.formatted)")
            }
            let dimensions = try reader.read(UInt32.self, type)
            _ = try reader.read(UInt32.self, type)                        // has-nulls flag
            _ = try reader.read(UInt32.self, type)                        // element type oid
            guard dimensions <= 1 else { throw SQLError(SQLError.featureNotSupported, "multidimensional arrays are not supported") }
            var elements: [Value] = []
            if dimensions == 1 {
                let count = try reader.read(UInt32.self, type)
                _ = try reader.read(UInt32.self, type)                    // lower bound
                for _ in 0..<count {
                    let length = Int32(bitPattern: try reader.read(UInt32.self, type))
                    if length < 0 { elements.append(.null); continue }
                    elements.append(try parseBinary(try reader.bytes(Int(length), type), as: elementType))
                }
            }
            value = .array(ArrayValue(elementType: elementType, elements: elements))
        }
        guard reader.atEnd else { throw badBinary(type) }
        return value
    }

    /// PostgreSQL's NBASE: numeric digits are base 10000, 4 decimal digits each.
    static let numericBase = 10_000
    static let numericPositive: UInt16 = 0x0000, numericNegative: UInt16 = 0x4000, numericNaN: UInt16 = 0xC000

    static func numericBinary(_ n: Numeric) -> [UInt8] {
        var out: [UInt8] = []
        if n.isNaN {
            out.appendBigEndian(UInt16(0)); out.appendBigEndian(UInt16(0))
            out.appendBigEndian(numericNaN); out.appendBigEndian(UInt16(0))
            return out
        }
        // Align the fraction to whole base-10000 digits, then split into digits.
        let padding = (4 - n.scale % 4) % 4
        var magnitude = UInt256Lite(n.coefficient.magnitude)
        for _ in 0..<padding { magnitude.multiply(by: 10) }
        var digits: [UInt16] = []
        while !magnitude.isZero { digits.append(UInt16(magnitude.divide(by: UInt128(numericBase)))) }
        digits.reverse()
        let fractionDigits = (n.scale + padding) / 4
        var weight = digits.count - fractionDigits - 1
        // Strip leading and trailing zero digits (PostgreSQL's canonical form).
        while let first = digits.first, first == 0 { digits.removeFirst(); weight -= 1 }
        while let last = digits.last, last == 0 { digits.removeLast() }
        if digits.isEmpty { weight = 0 }
        out.appendBigEndian(UInt16(digits.count))
        out.appendBigEndian(UInt16(bitPattern: Int16(weight)))
        out.appendBigEndian(n.coefficient < 0 ? numericNegative : numericPositive)
        out.appendBigEndian(UInt16(n.scale))
        for d in digits { out.appendBigEndian(d) }
        return out
    }

    private static func numericFromBinary(_ reader: inout BigEndianReader, _ type: SQLType) throws -> Numeric {
        let count = Int(try reader.read(UInt16.self, type))
        let weight = Int(Int16(bitPattern: try reader.read(UInt16.self, type)))
        let sign = try reader.read(UInt16.self, type)
        let scale = Int(try reader.read(UInt16.self, type))
        if sign == numericNaN { return .nan }
        guard sign == numericPositive || sign == numericNegative else { throw badBinary(type) }
        // value = Σ digit[i] × 10000^(weight − i); build it as an integer scaled to `scale`.
        var value = Numeric.zero
        for i in 0..<count {
            let digit = Int(try reader.read(UInt16.self, type))
            guard digit < numericBase else { throw badBinary(type) }
            let exponent = (weight - i) * 4
            let term: Numeric
            if exponent >= 0 {
                guard let factor = Numeric.powerOfTen(exponent) else { throw Numeric.overflow() }
                let (product, overflow) = Int128(digit).multipliedReportingOverflow(by: factor)
                guard !overflow else { throw Numeric.overflow() }
                term = Numeric(coefficient: product, scale: 0)
            } else {
                guard -exponent <= Numeric.maxDisplayScale else { throw badBinary(type) }
                term = Numeric(coefficient: Int128(digit), scale: -exponent)
            }
            value = try Numeric.add(value, term)
        }
        value = try value.rounded(toScale: scale)
        return sign == numericNegative ? value.negated : value
    }
}

/// A 128-bit magnitude with a few extra bits of headroom for the ×1000 alignment above.
struct UInt256Lite {
    var high: UInt128 = 0, low: UInt128
    init(_ value: UInt128) { low = value }
    var isZero: Bool { high == 0 && low == 0 }
    mutating func multiply(by factor: UInt128) {
        let l = low.multipliedFullWidth(by: factor)
        high = high * factor + l.high
        low = l.low
    }
    /// Divides in place and returns the remainder.
    mutating func divide(by divisor: UInt128) -> UInt128 {
        let (qh, rh) = high.quotientAndRemainder(dividingBy: divisor)
        let (ql, rl) = divisor.dividingFullWidth((rh, low))
        high = qh
        low = ql
        return rl
    }
}

extension Array where Element == UInt8 {
    mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        var v = value.bigEndian
        Swift.withUnsafeBytes(of: &v) { append(contentsOf: $0) }
    }
}

/// Reads big-endian integers from a byte array, failing with 22P03 when the data runs out.
struct BigEndianReader {
    let bytes: [UInt8]
    var offset = 0
    var atEnd: Bool { offset == bytes.count }

    mutating func read<T: FixedWidthInteger>(_: T.Type, _ type: SQLType) throws -> T {
        let size = MemoryLayout<T>.size
        guard offset + size <= bytes.count else { throw Value.badBinary(type) }
        var v: T = 0
        for i in 0..<size { v = v << 8 | T(bytes[offset + i]) }
        offset += size
        return v
    }

    mutating func bytes(_ count: Int, _ type: SQLType) throws -> [UInt8] {
        guard count >= 0, offset + count <= bytes.count else { throw Value.badBinary(type) }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }
}
