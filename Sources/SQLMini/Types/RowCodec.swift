// RowCodec: the bytes of a table row as stored in a heap tuple (the tuple's data part; the
// header with xmin/xmax belongs to Storage). Encoding is directed by the column types, so the
// values carry no type tags:
//
//   +----------------+-------------------------+------------------------------------------+
//   | natts: u16 LE  | null bitmap:            | each non-NULL field in column order:     |
//   |                | ceil(natts / 8) bytes,  |   fixed-size: little-endian bytes        |
//   |                | bit i set = column i    |   variable-size: u32 LE length + bytes   |
//   |                | is NULL                 |                                          |
//   +----------------+-------------------------+------------------------------------------+
//
// Fixed fields: bool 1 · int2 2 · int4/date/oid-like/float4 4 · int8/timestamp(tz)/float8/pg_lsn 8
// · interval 16 (µs i64, days i32, months i32) · numeric 18 (scale i16, −1 = NaN; coefficient i128).
// Variable fields: text types and bytea (the bytes); arrays (element oid u32, count u32, then per
// element a 0/1 null byte and the element encoded the same way).
// A row with fewer attributes than the table has (written before ALTER TABLE ADD COLUMN) decodes
// the missing columns as NULL.

public enum RowCodec {
    /// PostgreSQL's MaxHeapAttributeNumber: natts must fit the u16 count, and a wider row is refused.
    public static let maximumColumns = 1600

    /// How a type's values are laid out (several types share one layout).
    enum Layout {
        case bool, int2, int4, int8, float4, float8, numeric, bytes, date, timestamp, timestamptz, interval, oid, lsn, array(SQLType)
    }

    static func layout(_ type: SQLType) -> Layout {
        switch type.oid {
        case SQLType.bool.oid: return .bool
        case SQLType.int2.oid: return .int2
        case SQLType.int4.oid: return .int4
        case SQLType.int8.oid, SQLType.xid8.oid: return .int8
        case SQLType.float4.oid: return .float4
        case SQLType.float8.oid: return .float8
        case SQLType.numeric.oid: return .numeric
        case SQLType.date.oid: return .date
        case SQLType.timestamp.oid: return .timestamp
        case SQLType.timestamptz.oid: return .timestamptz
        case SQLType.interval.oid: return .interval
        case SQLType.oidType.oid, SQLType.regclass.oid, SQLType.regtype.oid, SQLType.regnamespace.oid,
             SQLType.regrole.oid, SQLType.regproc.oid, SQLType.xid.oid, SQLType.cid.oid: return .oid
        case SQLType.pgLSN.oid: return .lsn
        default:
            if let element = type.elementType, type.isArray || type.oid == SQLType.int2vector.oid || type.oid == SQLType.oidvector.oid {
                return .array(element)
            }
            return .bytes
        }
    }

    static func mismatch(_ value: Value, _ type: SQLType) -> SQLError {
        SQLError(SQLError.datatypeMismatch, "value \(value) cannot be stored in a column of type \(type.formatted)")
    }

    public static func encode(_ values: [Value], types: [SQLType]) throws -> [UInt8] {
        guard values.count == types.count else {
            throw SQLError(SQLError.internalError, "row of \(values.count) values for \(types.count) column types")
        }
        guard values.count <= maximumColumns else {
            throw SQLError(SQLError.tooManyColumns, "tables can have at most \(maximumColumns) columns")
        }
        var out: [UInt8] = []
        out.reserveCapacity(2 + (values.count + 7) / 8 + values.count * 8)
        out.appendLittleEndian(UInt16(values.count))
        let bitmapStart = out.count
        out.append(contentsOf: repeatElement(0, count: (values.count + 7) / 8))
        for (i, value) in values.enumerated() {
            if value.isNull { out[bitmapStart + i / 8] |= 1 << UInt8(i % 8); continue }
            try encodeField(value, types[i], into: &out)
        }
        return out
    }

    static func encodeField(_ value: Value, _ type: SQLType, into out: inout [UInt8]) throws {
        switch (layout(type), value) {
        case (.bool, .bool(let b)): out.append(b ? 1 : 0)
        case (.int2, .int2(let v)): out.appendLittleEndian(UInt16(bitPattern: v))
        case (.int4, .int4(let v)): out.appendLittleEndian(UInt32(bitPattern: v))
        case (.int8, .int8(let v)): out.appendLittleEndian(UInt64(bitPattern: v))
        case (.float4, .float4(let v)): out.appendLittleEndian(v.bitPattern)
        case (.float8, .float8(let v)): out.appendLittleEndian(v.bitPattern)
        case (.numeric, .numeric(let n)):
            out.appendLittleEndian(UInt16(bitPattern: n.isNaN ? -1 : Int16(n.scale)))
            out.appendLittleEndian(UInt128(bitPattern: n.coefficient))
        case (.bytes, .text(let s)):
            out.appendLittleEndian(UInt32(s.utf8.count))
            out.append(contentsOf: s.utf8)
        case (.bytes, .bytea(let b)):
            out.appendLittleEndian(UInt32(b.count))
            out.append(contentsOf: b)
        case (.date, .date(let d)): out.appendLittleEndian(UInt32(bitPattern: d))
        case (.timestamp, .timestamp(let t)), (.timestamptz, .timestamptz(let t)): out.appendLittleEndian(UInt64(bitPattern: t))
        case (.interval, .interval(let i)):
            out.appendLittleEndian(UInt64(bitPattern: i.microseconds))
            out.appendLittleEndian(UInt32(bitPattern: i.days))
            out.appendLittleEndian(UInt32(bitPattern: i.months))
        case (.oid, .oid(let o)): out.appendLittleEndian(o)
        case (.lsn, .pgLSN(let l)): out.appendLittleEndian(l)
        case (.array(let elementType), .array(let array)):
            var body: [UInt8] = []
            body.appendLittleEndian(elementType.oid)
            body.appendLittleEndian(UInt32(array.elements.count))
            for element in array.elements {
                if element.isNull { body.append(1); continue }
                body.append(0)
                try encodeField(element, elementType, into: &body)
            }
            out.appendLittleEndian(UInt32(body.count))
            out.append(contentsOf: body)
        default:
            throw mismatch(value, type)
        }
    }

    public static func decode(_ bytes: UnsafeRawBufferPointer, types: [SQLType]) throws -> [Value] {
        var reader = LittleEndianReader(bytes: bytes)
        let natts = Int(try reader.read(UInt16.self))
        let bitmap = try reader.slice((natts + 7) / 8)
        var values: [Value] = []
        values.reserveCapacity(types.count)
        for (i, type) in types.enumerated() {
            if i >= natts || bitmap[bitmap.startIndex + i / 8] & (1 << UInt8(i % 8)) != 0 { values.append(.null); continue }
            values.append(try decodeField(type, &reader))
        }
        return values
    }

    public static func decode(_ bytes: [UInt8], types: [SQLType]) throws -> [Value] {
        try bytes.withUnsafeBytes { try decode($0, types: types) }
    }

    static func decodeField(_ type: SQLType, _ reader: inout LittleEndianReader) throws -> Value {
        switch layout(type) {
        case .bool: return .bool(try reader.read(UInt8.self) != 0)
        case .int2: return .int2(Int16(bitPattern: try reader.read(UInt16.self)))
        case .int4: return .int4(Int32(bitPattern: try reader.read(UInt32.self)))
        case .int8: return .int8(Int64(bitPattern: try reader.read(UInt64.self)))
        case .float4: return .float4(Float(bitPattern: try reader.read(UInt32.self)))
        case .float8: return .float8(Double(bitPattern: try reader.read(UInt64.self)))
        case .numeric:
            let scale = Int16(bitPattern: try reader.read(UInt16.self))
            let coefficient = Int128(bitPattern: try reader.read(UInt128.self))
            return .numeric(scale < 0 ? .nan : Numeric(coefficient: coefficient, scale: Int(scale)))
        case .bytes:
            let length = Int(try reader.read(UInt32.self))
            let slice = try reader.slice(length)
            if type.oid == SQLType.bytea.oid { return .bytea(Array(slice)) }
            return .text(String(decoding: slice, as: UTF8.self))
        case .date: return .date(Int32(bitPattern: try reader.read(UInt32.self)))
        case .timestamp: return .timestamp(Int64(bitPattern: try reader.read(UInt64.self)))
        case .timestamptz: return .timestamptz(Int64(bitPattern: try reader.read(UInt64.self)))
        case .interval:
            let micros = Int64(bitPattern: try reader.read(UInt64.self))
            let days = Int32(bitPattern: try reader.read(UInt32.self))
            let months = Int32(bitPattern: try reader.read(UInt32.self))
            return .interval(Interval(months: months, days: days, microseconds: micros))
        case .oid: return .oid(try reader.read(UInt32.self))
        case .lsn: return .pgLSN(try reader.read(UInt64.self))
        case .array(let elementType):
            _ = try reader.read(UInt32.self)                  // body length
            let storedElement = try reader.read(UInt32.self)
            let count = Int(try reader.read(UInt32.self))
            let element = storedElement == elementType.oid ? elementType : SQLType(oid: storedElement)
            var elements: [Value] = []
            elements.reserveCapacity(min(count, reader.bytes.count - reader.offset))
            for _ in 0..<count {
                if try reader.read(UInt8.self) != 0 { elements.append(.null); continue }
                elements.append(try decodeField(element, &reader))
            }
            return .array(ArrayValue(elementType: element, elements: elements))
        }
    }
}

extension Array where Element == UInt8 {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        var v = value.littleEndian
        Swift.withUnsafeBytes(of: &v) { append(contentsOf: $0) }
    }
}

/// Reads little-endian integers from stored bytes; running out means a corrupt row (XX001).
struct LittleEndianReader {
    let bytes: UnsafeRawBufferPointer
    var offset = 0

    static func corrupt() -> SQLError { SQLError(SQLError.dataCorrupted, "stored row is truncated or corrupt") }

    mutating func read<T: FixedWidthInteger>(_: T.Type) throws -> T {
        let size = MemoryLayout<T>.size
        guard offset + size <= bytes.count else { throw LittleEndianReader.corrupt() }
        defer { offset += size }
        return T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    mutating func slice(_ count: Int) throws -> UnsafeRawBufferPointer.SubSequence {
        guard count >= 0, offset + count <= bytes.count else { throw LittleEndianReader.corrupt() }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }
}
