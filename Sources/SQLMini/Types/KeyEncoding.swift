// KeyEncoding: B-tree keys whose byte order (memcmp) is the SQL order of the values, so the
// Storage B-tree can compare keys without knowing types. A multi-column key is the columns'
// encodings one after another; each starts with a marker byte, and NULL sorts after every value
// (PostgreSQL's default ASC NULLS LAST):
//
//   marker 0x01 value follows  |  0x02 NULL (nothing follows)
//
//   bool                 1 byte 0/1
//   int2/int4/int8, oid-like, date, timestamp(tz)
//                        8 bytes big-endian, sign bit flipped (all integers share one width so
//                        an int4 column probed with an int8 constant still compares correctly)
//   float4/float8        8 bytes of the float8: positive → sign bit set, negative → all bits
//                        inverted; NaN canonical (above +Infinity); −0 as 0
//   numeric              class byte (1 negative, 2 zero, 3 positive, 4 NaN), then for non-zero:
//                        exponent of the leading digit as u16 big-endian biased by 0x8000 and the
//                        significant digits as bytes 1...10, ended by 0x00 — all inverted when negative
//   text types, bytea    the bytes with 0x00 escaped as 0x00 0xFF, ended by 0x00 0x00
//                        (character(n) without its trailing blanks)
//   interval             16 bytes: its span in µs (30-day months) as i128, sign bit flipped
//   pg_lsn               8 bytes big-endian

public enum KeyEncoding {
    static let valueMarker: UInt8 = 0x01
    static let nullMarker: UInt8 = 0x02
    static let exponentBias = 0x8000

    public static func encode(_ values: [Value], types: [SQLType]) throws -> [UInt8] {
        guard values.count <= types.count else {
            throw SQLError(SQLError.internalError, "key of \(values.count) values for \(types.count) column types")
        }
        var key: [UInt8] = []
        key.reserveCapacity(values.count * 9)
        for (value, type) in zip(values, types) { try append(value, type: type, to: &key) }
        return key
    }

    public static func append(_ value: Value, type: SQLType, to key: inout [UInt8]) throws {
        if value.isNull { key.append(nullMarker); return }
        key.append(valueMarker)
        switch value {
        case .bool(let b): key.append(b ? 1 : 0)
        case .int2, .int4, .int8, .oid:
            appendSigned(value.integerValue ?? 0, to: &key)
        case .date(let d): appendSigned(Int64(d), to: &key)
        case .timestamp(let t), .timestamptz(let t): appendSigned(t, to: &key)
        case .float4(let f): appendFloat(Double(f), to: &key)
        case .float8(let f): appendFloat(f, to: &key)
        case .numeric(let n): appendNumeric(n, to: &key)
        case .text(let s):
            let text = type.oid == SQLType.bpchar.oid ? Casts.rtrimSpaces(s) : s
            appendBytes(text.utf8, to: &key)
        case .bytea(let b): appendBytes(b, to: &key)
        case .interval(let i):
            let flipped = UInt128(bitPattern: i.comparableMicroseconds) ^ (UInt128(1) << 127)
            key.appendBigEndian(flipped)
        case .pgLSN(let l): key.appendBigEndian(l)
        case .array, .null:
            throw SQLError(SQLError.featureNotSupported, "data type \(type.formatted) has no default operator class for access method \"btree\"")
        }
    }

    private static func appendSigned(_ v: Int64, to key: inout [UInt8]) {
        key.appendBigEndian(UInt64(bitPattern: v) ^ (1 << 63))
    }

    private static func appendFloat(_ f: Double, to key: inout [UInt8]) {
        let canonical: Double = f.isNaN ? .nan : (f == 0 ? 0 : f)
        let bits = canonical.bitPattern
        key.appendBigEndian(bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63))
    }

    private static func appendBytes<S: Sequence>(_ bytes: S, to key: inout [UInt8]) where S.Element == UInt8 {
        for b in bytes {
            key.append(b)
            if b == 0 { key.append(0xFF) }
        }
        key.append(0)
        key.append(0)
    }

    private static func appendNumeric(_ n: Numeric, to key: inout [UInt8]) {
        if n.isNaN { key.append(4); return }
        if n.coefficient == 0 { key.append(2); return }
        let negative = n.coefficient < 0
        key.append(negative ? 1 : 3)
        var digits = Array(String(n.coefficient.magnitude).utf8).map { $0 - UInt8(ascii: "0") + 1 }
        let exponent = digits.count - n.scale - 1 + exponentBias
        while digits.last == 1 { digits.removeLast() }          // trailing zeros (digit 0 is stored as 1)
        var body: [UInt8] = []
        body.appendBigEndian(UInt16(clamping: exponent))
        body.append(contentsOf: digits)
        body.append(0)
        if negative { body = body.map { ~$0 } }
        key.append(contentsOf: body)
    }
}
