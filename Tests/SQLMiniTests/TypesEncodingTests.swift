// TypesEncodingTests: the storage encodings — B-tree keys whose byte order is the SQL order
// (checked on random values against Value.compare), the row codec round trip, and the binary
// wire formats.

import Testing
@testable import SQLMini

@Suite("Types: key encoding, row codec, binary format")
struct TypesEncodingTests {
    /// A small deterministic generator so failures replay (SplitMix64).
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func randomValue(_ type: SQLType, _ g: inout SeededGenerator) -> Value {
        if Int.random(in: 0..<12, using: &g) == 0 { return .null }
        switch type.oid {
        case SQLType.int2.oid: return .int2(Int16.random(in: .min ... .max, using: &g))
        case SQLType.int4.oid: return .int4(Int32.random(in: -5...5, using: &g) * Int32.random(in: 0...1_000_000, using: &g))
        case SQLType.int8.oid: return .int8(Int64.random(in: .min ... .max, using: &g))
        case SQLType.float8.oid:
            let specials: [Double] = [.nan, .infinity, -.infinity, 0, -0.0, 1e-300, -1e300]
            return Bool.random(using: &g) ? .float8(specials.randomElement(using: &g) ?? 0) : .float8(Double.random(in: -1e6...1e6, using: &g))
        case SQLType.numeric.oid:
            if Int.random(in: 0..<20, using: &g) == 0 { return .numeric(.nan) }
            let coefficient = Int128(Int64.random(in: -1_000_000_000...1_000_000_000, using: &g)) * Int128(Int.random(in: 0...3, using: &g) * 1000 + 1)
            return .numeric(Numeric(coefficient: coefficient, scale: Int.random(in: 0...8, using: &g)))
        case SQLType.text.oid:
            let alphabet: [String] = ["", "a", "b", "ab", "\u{0}", "z", "é", "A", " "]
            return .text((0..<Int.random(in: 0...4, using: &g)).map { _ in alphabet.randomElement(using: &g) ?? "" }.joined())
        case SQLType.bool.oid: return .bool(Bool.random(using: &g))
        case SQLType.date.oid: return .date(Int32.random(in: -100_000...100_000, using: &g))
        case SQLType.timestamptz.oid: return .timestamptz(Int64.random(in: -1 << 50 ... 1 << 50, using: &g))
        case SQLType.oidType.oid: return .oid(UInt32.random(in: .min ... .max, using: &g))
        case SQLType.interval.oid:
            return .interval(Interval(months: Int32.random(in: -50...50, using: &g), days: Int32.random(in: -50...50, using: &g),
                                      microseconds: Int64.random(in: -1 << 40 ... 1 << 40, using: &g)))
        default: return .null
        }
    }

    static let keyTypes: [SQLType] = [.int2, .int4, .int8, .float8, .numeric, .text, .bool, .date, .timestamptz, .oidType, .interval]

    @Test(arguments: keyTypes)
    func keyOrderMatchesValueOrder(_ type: SQLType) throws {
        var g = SeededGenerator(state: UInt64(type.oid))
        let values = (0..<300).map { _ in TypesEncodingTests.randomValue(type, &g) }
        for _ in 0..<2000 {
            guard let a = values.randomElement(using: &g), let b = values.randomElement(using: &g) else { continue }
            let ka = try KeyEncoding.encode([a], types: [type]), kb = try KeyEncoding.encode([b], types: [type])
            let byValue = Value.compare(a, b)
            let byKey = ka == kb ? 0 : (ka.lexicographicallyPrecedes(kb) ? -1 : 1)
            #expect(byValue == byKey, "\(a) vs \(b)")
        }
    }

    @Test func multiColumnKeysOrderColumnByColumn() throws {
        var g = SeededGenerator(state: 42)
        let types: [SQLType] = [.text, .int4]
        let rows = (0..<200).map { _ in types.map { TypesEncodingTests.randomValue($0, &g) } }
        let byKey = try rows.sorted { try KeyEncoding.encode($0, types: types).lexicographicallyPrecedes(KeyEncoding.encode($1, types: types)) }
        for (x, y) in zip(byKey, byKey.dropFirst()) {
            let first = Value.compare(x[0], y[0])
            #expect(first < 0 || (first == 0 && Value.compare(x[1], y[1]) <= 0), "\(x) before \(y)")
        }
        // A prefix of a multi-column key sorts before every key that extends it.
        let prefix = try KeyEncoding.encode([.text("ab")], types: [.text])
        let full = try KeyEncoding.encode([.text("ab"), .int4(Int32.min)], types: types)
        #expect(prefix.lexicographicallyPrecedes(full))
    }

    @Test func keysOfMixedIntegerWidthsAgree() throws {
        #expect(try KeyEncoding.encode([.int4(7)], types: [.int4]) == KeyEncoding.encode([.int8(7)], types: [.int8]))
        #expect(try KeyEncoding.encode([.text("ab   ")], types: [.bpchar]) == KeyEncoding.encode([.text("ab")], types: [.bpchar]))
        #expect(try KeyEncoding.encode([.numeric(Numeric(parsing: "1.50")!)], types: [.numeric])
                == KeyEncoding.encode([.numeric(Numeric(parsing: "1.5")!)], types: [.numeric]))
    }

    @Test func rowCodecRoundTrip() throws {
        let types: [SQLType] = [.bool, .int2, .int4, .int8, .float4, .float8, .numeric, .text, .bpchar(length: 4), .name, .char,
                                .bytea, .date, .timestamp, .timestamptz, .interval, .oidType, .regclass, .pgLSN, .int4Array, .textArray, .int2vector]
        let row: [Value] = [
            .bool(true), .int2(-3), .int4(Int32.max), .int8(Int64.min), .float4(1.5), .float8(-.infinity),
            .numeric(Numeric(parsing: "-12345678901234567890.123456")!), .text("héllo\u{0}world"), .text("ab  "), .text("pg_class"), .text(""),
            .bytea([0, 1, 255]), .date(-1), .timestamp(123_456_789), .timestamptz(-1), .interval(Interval(months: 1, days: -2, microseconds: 3)),
            .oid(UInt32.max), .oid(1259), .pgLSN(0x16B3748), .array(ArrayValue(elementType: .int4, elements: [.int4(1), .null, .int4(3)])),
            .array(ArrayValue(elementType: .text, elements: [])), .array(ArrayValue(elementType: .int2, elements: [.int2(1), .int2(2)])),
        ]
        let bytes = try RowCodec.encode(row, types: types)
        #expect(try RowCodec.decode(bytes, types: types) == row)
        let nulls = [Value](repeating: .null, count: types.count)
        #expect(try RowCodec.decode(try RowCodec.encode(nulls, types: types), types: types) == nulls)
        // A row written before ALTER TABLE ADD COLUMN reads the new column as NULL.
        #expect(try RowCodec.decode(try RowCodec.encode([.int4(1)], types: [.int4]), types: [.int4, .text]) == [.int4(1), .null])
        #expect(throws: SQLError.self) { try RowCodec.decode(Array(bytes.prefix(bytes.count - 1)), types: types) }
        let wide = [Value](repeating: .int4(0), count: RowCodec.maximumColumns + 1)
        #expect(throws: SQLError(SQLError.tooManyColumns, "tables can have at most 1600 columns")) {
            try RowCodec.encode(wide, types: [SQLType](repeating: .int4, count: wide.count))
        }
        #expect(throws: SQLError.self) { try RowCodec.encode([.int4(1)], types: []) }
        #expect(throws: SQLError.self) { try RowCodec.encode([.text("x")], types: [.int4]) }
    }

    @Test func binaryFormats() throws {
        let cases: [(Value, SQLType, [UInt8])] = [
            (.int4(1), .int4, [0, 0, 0, 1]), (.int2(-2), .int2, [0xFF, 0xFE]), (.int8(256), .int8, [0, 0, 0, 0, 0, 0, 1, 0]),
            (.bool(true), .bool, [1]), (.float8(1), .float8, [0x3F, 0xF0, 0, 0, 0, 0, 0, 0]), (.text("ab"), .text, [0x61, 0x62]),
            (.oid(26), .oidType, [0, 0, 0, 26]), (.date(1), .date, [0, 0, 0, 1]), (.timestamp(1), .timestamp, [0, 0, 0, 0, 0, 0, 0, 1]),
            (.numeric(Numeric(parsing: "12345.678")!), .numeric, [0, 3, 0, 1, 0, 0, 0, 3, 0, 1, 0x09, 0x29, 0x1A, 0x7C]),
            (.numeric(Numeric(parsing: "-0.01")!), .numeric, [0, 1, 0xFF, 0xFF, 0x40, 0, 0, 2, 0, 100]),
            (.numeric(.zero), .numeric, [0, 0, 0, 0, 0, 0, 0, 0]),
        ]
        for (value, type, bytes) in cases {
            #expect(try value.binary(as: type) == bytes, "\(value)")
            #expect(try Value.parseBinary(bytes, as: type) == value, "\(bytes)")
        }
        let array = Value.array(ArrayValue(elementType: .int4, elements: [.int4(1), .null]))
        #expect(try Value.parseBinary(try array.binary(as: .int4Array) ?? [], as: .int4Array) == array)
        #expect(throws: SQLError.self) { try Value.parseBinary([0, 0, 1], as: .int4) }
    }
}
