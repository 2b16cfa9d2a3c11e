// ValueText: the text input and output functions of every type (PostgreSQL's typinput/typoutput),
// with PostgreSQL's exact output formats and input error texts. The declared SQLType decides the
// format; the Value case only holds the bits (see Value.swift).
//
// Input errors: 22P02 `invalid input syntax for type integer: "abc"`, 22003 `value "99999999999"
// is out of range for type integer`, 22001 `value too long for type character varying(3)`.

import WAL

extension Value {
    /// The text form of the value as PostgreSQL prints it; nil for NULL.
    public func text(as type: SQLType, catalog: CatalogLookup? = nil) -> String? {
        switch self {
        case .null: return nil
        case .bool(let b): return b ? "t" : "f"
        case .int2(let v): return String(v)
        case .int4(let v): return String(v)
        case .int8(let v): return String(v)
        case .float4(let v): return FloatFormatting.format(v)
        case .float8(let v): return FloatFormatting.format(v)
        case .numeric(let n): return n.description
        case .text(let s): return s
        case .bytea(let bytes): return Value.hexBytea(bytes)
        case .date(let d): return DateTime.formatDate(d)
        case .timestamp(let t): return DateTime.formatTimestamp(t, withTimeZone: false)
        case .timestamptz(let t): return DateTime.formatTimestamp(t, withTimeZone: true)
        case .interval(let i): return DateTime.formatInterval(i)
        case .oid(let oid): return Value.formatOID(oid, as: type, catalog: catalog)
        case .pgLSN(let lsn): return LSN(lsn).description
        case .array(let array): return Value.formatArray(array, as: type, catalog: catalog)
        }
    }

    static func hexBytea(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = [UInt8(ascii: "\\"), UInt8(ascii: "x")]
        out.reserveCapacity(2 + bytes.count * 2)
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 0xF)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// reg* types print names ("-" for 0); a name the catalog does not know prints as the number.
    static func formatOID(_ oid: UInt32, as type: SQLType, catalog: CatalogLookup?) -> String {
        switch type.oid {
        case SQLType.regclass.oid:
            if oid == 0 { return "-" }
            return catalog?.relationName(oid) ?? String(oid)
        case SQLType.regtype.oid:
            if oid == 0 { return "-" }
            if BuiltinTypes.byOID[oid] != nil { return SQLType(oid: oid).formatted }
            return catalog?.typeName(oid) ?? String(oid)
        case SQLType.regnamespace.oid:
            if oid == 0 { return "-" }
            return catalog?.namespaceName(oid) ?? String(oid)
        case SQLType.regrole.oid:
            if oid == 0 { return "-" }
            return catalog?.roleName(oid) ?? String(oid)
        case SQLType.regproc.oid:
            if oid == 0 { return "-" }
            return catalog?.functionName(oid) ?? String(oid)
        default:
            return String(oid)
        }
    }

    static func formatArray(_ array: ArrayValue, as type: SQLType, catalog: CatalogLookup?) -> String {
        let elementType = type.elementType ?? array.elementType
        // int2vector and oidvector print space-separated, without braces.
        if type.oid == SQLType.int2vector.oid || type.oid == SQLType.oidvector.oid {
            return array.elements.map { $0.text(as: elementType, catalog: catalog) ?? "0" }.joined(separator: " ")
        }
        var out = "{"
        for (i, element) in array.elements.enumerated() {
            if i > 0 { out += "," }
            guard let text = element.text(as: elementType, catalog: catalog) else { out += "NULL"; continue }
            out += needsQuotes(text) ? quoteArrayElement(text) : text
        }
        return out + "}"
    }

    private static func needsQuotes(_ text: String) -> Bool {
        if text.isEmpty || text.lowercased() == "null" { return true }
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: ","), UInt8(ascii: "\""), UInt8(ascii: "\\"),
                 UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), 0x0B, 0x0C:
                return true
            default: continue
            }
        }
        return false
    }

    private static func quoteArrayElement(_ text: String) -> String {
        var out = "\""
        for c in text {
            if c == "\"" || c == "\\" { out.append("\\") }
            out.append(c)
        }
        return out + "\""
    }
}

// MARK: Input
extension Value {
    /// Parses `text` as a value of `type` (PostgreSQL's input function, typmod applied).
    public static func parse(_ text: String, as type: SQLType, catalog: CatalogLookup? = nil) throws -> Value {
        switch type.oid {
        case SQLType.bool.oid: return .bool(try parseBool(text))
        case SQLType.int2.oid: return .int2(Int16(try parseInteger(text, typeName: "smallint", min: Int64(Int16.min), max: Int64(Int16.max))))
        case SQLType.int4.oid: return .int4(Int32(try parseInteger(text, typeName: "integer", min: Int64(Int32.min), max: Int64(Int32.max))))
        case SQLType.int8.oid, SQLType.xid8.oid: return .int8(try parseInteger(text, typeName: type.oid == SQLType.int8.oid ? "bigint" : "xid8", min: Int64.min, max: Int64.max))
        case SQLType.float4.oid: return .float4(Float(try parseFloat(text, typeName: "real", isFloat4: true)))
        case SQLType.float8.oid: return .float8(try parseFloat(text, typeName: "double precision", isFloat4: false))
        case SQLType.numeric.oid:
            guard let n = Numeric(parsing: text) else {
                // Well-formed but beyond the 38 digits minipg's numeric holds.
                let wellFormed = Double(text.trimmingSpaces) != nil && !text.lowercased().contains(where: { $0 == "n" || $0 == "x" })
                throw wellFormed ? Numeric.overflow()
                    : SQLError(SQLError.invalidTextRepresentation, "invalid input syntax for type numeric: \"\(text)\"")
            }
            return try Casts.applyTypmod(.numeric(n), type)
        case SQLType.text.oid, SQLType.unknown.oid, SQLType.pgNodeTree.oid, SQLType.aclitem.oid, SQLType.cstring.oid:
            return .text(text)
        case SQLType.varchar.oid, SQLType.bpchar.oid:
            return try Casts.applyTypmod(.text(text), type)
        case SQLType.name.oid: return .text(Value.truncateName(text))
        case SQLType.char.oid:
            // "char" keeps the first byte only (an empty string stays empty).
            return .text(text.unicodeScalars.first.map { String($0) } ?? "")
        case SQLType.inet.oid: return .text(try parseInet(text))
        case SQLType.bytea.oid: return .bytea(try parseBytea(text))
        case SQLType.date.oid: return .date(try DateTime.parseDate(text))
        case SQLType.timestamp.oid: return .timestamp(try DateTime.parseTimestamp(text, withTimeZone: false))
        case SQLType.timestamptz.oid: return .timestamptz(try DateTime.parseTimestamp(text, withTimeZone: true))
        case SQLType.interval.oid: return .interval(try DateTime.parseInterval(text))
        case SQLType.oidType.oid, SQLType.xid.oid, SQLType.cid.oid:
            return .oid(try parseOID(text, typeName: type.name))
        case SQLType.regclass.oid, SQLType.regtype.oid, SQLType.regnamespace.oid, SQLType.regrole.oid, SQLType.regproc.oid:
            return .oid(try parseRegType(text, type: type, catalog: catalog))
        case SQLType.pgLSN.oid:
            guard let lsn = LSN(parsing: text.trimmingSpaces) else {
                throw SQLError(SQLError.invalidTextRepresentation, "invalid input syntax for type pg_lsn: \"\(text)\"")
            }
            return .pgLSN(lsn.value)
        case SQLType.int2vector.oid, SQLType.oidvector.oid:
            let elementType = type.elementType ?? .int2
            let items = text.split(whereSeparator: { $0 == " " }).map(String.init)
            return .array(ArrayValue(elementType: elementType, elements: try items.map { try parse($0, as: elementType, catalog: catalog) }))
        case SQLType.void.oid:
            return .null
        default:
            if type.isArray, let elementType = type.elementType {
                return try parseArray(text, type: type, elementType: SQLType(oid: elementType.oid, typmod: type.typmod), catalog: catalog)
            }
            throw SQLError(SQLError.featureNotSupported, "type \(type.formatted) has no input function in minipg")
        }
    }

    /// PostgreSQL's NAMEDATALEN - 1: identifiers keep at most 63 bytes.
    public static let maxNameBytes = 63

    static func truncateName(_ text: String) -> String {
        guard text.utf8.count > maxNameBytes else { return text }
        var bytes = Array(text.utf8.prefix(maxNameBytes))
        // Never cut a multibyte character in half.
        while let last = bytes.last, last & 0xC0 == 0x80 { bytes.removeLast() }
        if let last = bytes.last, last >= 0xC0 { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func parseBool(_ text: String) throws -> Bool {
        let t = text.trimmingSpaces.lowercased()
        // PostgreSQL accepts any unique prefix of true/false/yes/no, "on"/"off" (at least "of"), 1/0.
        if !t.isEmpty {
            if "true".hasPrefix(t) || "yes".hasPrefix(t) || t == "on" || t == "1" { return true }
            if "false".hasPrefix(t) || "no".hasPrefix(t) || (t.count >= 2 && "off".hasPrefix(t)) || t == "0" { return false }
        }
        throw SQLError(SQLError.invalidTextRepresentation, "invalid input syntax for type boolean: \"\(text)\"")
    }

    static func parseInteger(_ text: String, typeName: String, min: Int64, max: Int64) throws -> Int64 {
        let t = text.trimmingSpaces
        var bytes = Substring(t).utf8[...]
        var negative = false
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        guard !bytes.isEmpty, bytes.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw SQLError(SQLError.invalidTextRepresentation, "invalid input syntax for type \(typeName): \"\(text)\"")
        }
        var magnitude: UInt64 = 0
        var overflow = false
        for b in bytes {
            let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(b - UInt8(ascii: "0")))
            if o1 || o2 { overflow = true; break }
            magnitude = s
        }
        let limit = negative ? UInt64(bitPattern: min).magnitudeOfNegative : UInt64(max)
        guard !overflow, magnitude <= limit else {
            throw SQLError(SQLError.numericValueOutOfRange, "value \"\(text)\" is out of range for type \(typeName)")
        }
        return negative ? (magnitude == UInt64(1) << 63 ? Int64.min : -Int64(magnitude)) : Int64(magnitude)
    }

    static func parseFloat(_ text: String, typeName: String, isFloat4: Bool) throws -> Double {
        let t = text.trimmingSpaces
        switch t.lowercased() {
        case "nan": return .nan
        case "infinity", "+infinity", "inf", "+inf": return .infinity
        case "-infinity", "-inf": return -.infinity
        default: break
        }
        // Swift's parser accepts forms PostgreSQL does not ("0x1p3", "infinity" spellings handled above).
        let allowed = t.utf8.allSatisfy {
            ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e")
                || $0 == UInt8(ascii: "E") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "+")
        }
        guard allowed, let value = Double(t) else {
            throw SQLError(SQLError.invalidTextRepresentation, "invalid input syntax for type \(typeName): \"\(text)\"")
        }
        // As strtod's ERANGE: overflow to infinity, or underflow of a non-zero mantissa to zero.
        let mantissa = t.lowercased().split(separator: "e", maxSplits: 1).first ?? ""
        let nonZeroMantissa = mantissa.contains(where: { $0 >= "1" && $0 <= "9" })
        let narrowed = isFloat4 ? Double(Float(value)) : value
        if narrowed.isInfinite || (narrowed == 0 && nonZeroMantissa) {
            throw SQLError(SQLError.numericValueOutOfRange, "\"\(t)\" is out of range for type \(typeName)")
        }
        return value
    }

    static func parseOID(_ text: String, typeName: String) throws -> UInt32 {
        let value = try parseInteger(text, typeName: typeName, min: -Int64(UInt32.max), max: Int64(UInt32.max))
        // Like PostgreSQL, negative input wraps ("-1" is 4294967295).
        return UInt32(truncatingIfNeeded: value)
    }

    static func parseRegType(_ text: String, type: SQLType, catalog: CatalogLookup?) throws -> UInt32 {
        let t = text.trimmingSpaces
        if t == "-" { return 0 }
        if let first = t.utf8.first, first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9") {
            return try parseOID(t, typeName: "oid")
        }
        let name = unquoteIdentifier(t)
        switch type.oid {
        case SQLType.regclass.oid:
            guard let oid = catalog?.relationOID(name) else {
                throw SQLError(SQLError.undefinedTable, "relation \"\(name)\" does not exist")
            }
            return oid
        case SQLType.regtype.oid:
            if let builtin = try? BuiltinTypes.resolve(name: name) { return builtin.oid }
            throw SQLError(SQLError.undefinedObject, "type \"\(name)\" does not exist")
        case SQLType.regnamespace.oid:
            guard let oid = catalog?.namespaceOID(name) else {
                throw SQLError(SQLError.invalidSchemaName, "schema \"\(name)\" does not exist")
            }
            return oid
        case SQLType.regrole.oid:
            guard let oid = catalog?.roleOID(name) else {
                throw SQLError(SQLError.undefinedObject, "role \"\(name)\" does not exist")
            }
            return oid
        default:
            throw SQLError(SQLError.undefinedFunction, "function \"\(name)\" does not exist")
        }
    }

    /// "Foo" keeps its case; unquoted names fold to lower case; "public.t" keeps the dot.
    static func unquoteIdentifier(_ text: String) -> String {
        var out = "", inQuotes = false
        var chars = Array(text)[...]
        while let c = chars.first {
            chars = chars.dropFirst()
            if c == "\"" {
                if inQuotes, chars.first == "\"" { out.append("\""); chars = chars.dropFirst() } else { inQuotes.toggle() }
            } else {
                out += inQuotes ? String(c) : c.lowercased()
            }
        }
        return out
    }

    static func parseInet(_ text: String) throws -> String {
        let t = text.trimmingSpaces
        let valid = !t.isEmpty && t.allSatisfy { $0.isHexDigit || $0 == "." || $0 == ":" || $0 == "/" }
        guard valid else { throw SQLError(SQLError.invalidTextRepresentation, "invalid input syntax for type inet: \"\(text)\"") }
        return t
    }

    /// bytea input: hex format "\x4142" or the escape format ("ab\\000").
    static func parseBytea(_ text: String) throws -> [UInt8] {
        let bytes = Array(text.utf8)
        if bytes.count >= 2, bytes[0] == UInt8(ascii: "\\"), bytes[1] == UInt8(ascii: "x") || bytes[1] == UInt8(ascii: "X") {
            var out: [UInt8] = []
            var high: UInt8? = nil
            for b in bytes[2...] {
                if b == UInt8(ascii: " ") || b == UInt8(ascii: "\n") || b == UInt8(ascii: "\t") { continue }
                guard let nibble = hexValue(b) else {
                    throw SQLError(SQLError.invalidTextRepresentation, "invalid hexadecimal digit: \"\(String(decoding: [b], as: UTF8.self))\"")
                }
                if let h = high { out.append(h << 4 | nibble); high = nil } else { high = nibble }
            }
            guard high == nil else { throw SQLError(SQLError.invalidTextRepresentation, "invalid hexadecimal data: odd number of digits") }
            return out
        }
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\\") {
                if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")); i += 2; continue }
                guard i + 3 < bytes.count, let a = octal(bytes[i + 1]), let b = octal(bytes[i + 2]), let c = octal(bytes[i + 3]), a <= 3 else {
                    throw SQLError(SQLError.invalidTextRepresentation, "invalid input syntax for type bytea")
                }
                out.append(a << 6 | b << 3 | c)
                i += 4
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out
    }
    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
    private static func octal(_ b: UInt8) -> UInt8? {
        b >= UInt8(ascii: "0") && b <= UInt8(ascii: "7") ? b - UInt8(ascii: "0") : nil
    }

    /// Array input: `{1,2,3}`, `{}`, `{"a b",NULL,"x\"y"}` (one dimension).
    static func parseArray(_ text: String, type: SQLType, elementType: SQLType, catalog: CatalogLookup?) throws -> Value {
        let malformed = SQLError(SQLError.invalidTextRepresentation, "malformed array literal: \"\(text)\"")
        let chars = Array(text.trimmingSpaces)
        guard chars.first == "{", chars.last == "}" else { throw malformed }
        var elements: [Value] = []
        var i = 1
        let end = chars.count - 1
        func skipSpaces() { while i < end, chars[i] == " " || chars[i] == "\t" || chars[i] == "\n" { i += 1 } }
        skipSpaces()
        if i == end { return .array(ArrayValue(elementType: elementType.withoutModifier, elements: [])) }
        while i <= end {
            skipSpaces()
            var item = ""
            var quoted = false
            if i < end, chars[i] == "\"" {
                quoted = true
                i += 1
                while i < end, chars[i] != "\"" {
                    if chars[i] == "\\", i + 1 < end { i += 1 }
                    item.append(chars[i])
                    i += 1
                }
                guard i < end else { throw malformed }
                i += 1
                skipSpaces()
            } else {
                while i < end, chars[i] != ",", chars[i] != "{", chars[i] != "}", chars[i] != "\"" {
                    if chars[i] == "\\", i + 1 < end { i += 1 }
                    item.append(chars[i])
                    i += 1
                }
                item = item.trimmingSpaces
                guard !item.isEmpty else { throw malformed }
            }
            if !quoted, item.lowercased() == "null" {
                elements.append(.null)
            } else {
                elements.append(try parse(item, as: elementType, catalog: catalog))
            }
            guard i <= end else { throw malformed }
            if i == end { break }
            guard chars[i] == "," else { throw malformed }
            i += 1
        }
        return .array(ArrayValue(elementType: elementType.withoutModifier, elements: elements))
    }
}

extension UInt64 {
    /// For a negative Int64 limit given as its bit pattern: its magnitude.
    fileprivate var magnitudeOfNegative: UInt64 { Int64(bitPattern: self).magnitude }
}
