// StringFunctions: length, lower/upper, substr/substring, trim family, position, replace, concat,
// left/right, lpad/rpad, repeat, split_part, md5, quote_ident/quote_literal, chr/ascii, to_hex.
// Characters are Unicode scalars (PostgreSQL's characters in a UTF8 database); lower/upper use
// Unicode case mapping.

enum StringFunctions {
    static func scalars(_ v: Value) -> [Unicode.Scalar] { Array((v.stringValue ?? "").unicodeScalars) }
    static func string(_ s: some Sequence<Unicode.Scalar>) -> Value {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: s)
        return .text(String(view))
    }

    static let definitions: [FunctionDefinition] = [
        .fn("length", [.text], .int4) { args, _ in .int4(Int32(args[0].stringValue?.unicodeScalars.count ?? 0)) },
        .fn("length", [.bytea], .int4) { args, _ in
            if case .bytea(let b) = args[0] { return .int4(Int32(b.count)) }
            return .null
        },
        .fn("char_length", [.text], .int4) { args, _ in .int4(Int32(args[0].stringValue?.unicodeScalars.count ?? 0)) },
        .fn("character_length", [.text], .int4) { args, _ in .int4(Int32(args[0].stringValue?.unicodeScalars.count ?? 0)) },
        .fn("octet_length", [.text], .int4) { args, _ in .int4(Int32(args[0].stringValue?.utf8.count ?? 0)) },
        .fn("lower", [.text], .text) { args, _ in .text(mapCase(args[0].stringValue ?? "", upper: false)) },
        .fn("upper", [.text], .text) { args, _ in .text(mapCase(args[0].stringValue ?? "", upper: true)) },
        .fn("initcap", [.text], .text) { args, _ in .text(initcap(args[0].stringValue ?? "")) },
        .fn("substr", [.text, .int4], .text) { args, _ in try substring(args[0], Int(args[1].int32Value ?? 1), nil) },
        .fn("substr", [.text, .int4, .int4], .text) { args, _ in try substring(args[0], Int(args[1].int32Value ?? 1), Int(args[2].int32Value ?? 0)) },
        .fn("substring", [.text, .int4], .text) { args, _ in try substring(args[0], Int(args[1].int32Value ?? 1), nil) },
        .fn("substring", [.text, .int4, .int4], .text) { args, _ in try substring(args[0], Int(args[1].int32Value ?? 1), Int(args[2].int32Value ?? 0)) },
        .fn("btrim", [.text], .text) { args, _ in trim(args[0], " ", leading: true, trailing: true) },
        .fn("btrim", [.text, .text], .text) { args, _ in trim(args[0], args[1].stringValue ?? "", leading: true, trailing: true) },
        .fn("trim", [.text], .text) { args, _ in trim(args[0], " ", leading: true, trailing: true) },
        .fn("trim", [.text, .text], .text) { args, _ in trim(args[0], args[1].stringValue ?? "", leading: true, trailing: true) },
        .fn("ltrim", [.text], .text) { args, _ in trim(args[0], " ", leading: true, trailing: false) },
        .fn("ltrim", [.text, .text], .text) { args, _ in trim(args[0], args[1].stringValue ?? "", leading: true, trailing: false) },
        .fn("rtrim", [.text], .text) { args, _ in trim(args[0], " ", leading: false, trailing: true) },
        .fn("rtrim", [.text, .text], .text) { args, _ in trim(args[0], args[1].stringValue ?? "", leading: false, trailing: true) },
        .fn("strpos", [.text, .text], .int4) { args, _ in .int4(position(of: scalars(args[1]), in: scalars(args[0]))) },
        .fn("position", [.text, .text], .int4) { args, _ in .int4(position(of: scalars(args[1]), in: scalars(args[0]))) },  // position(string, substring), as gram.y builds POSITION(sub IN string)
        .fn("replace", [.text, .text, .text], .text) { args, _ in
            let from = args[1].stringValue ?? ""
            return .text(from.isEmpty ? (args[0].stringValue ?? "") : (args[0].stringValue ?? "").replacingAll(from, with: args[2].stringValue ?? ""))
        },
        FunctionDefinition("concat", [.any], returns: .text, strict: false, variadic: true) { args, types, _ in
            // Arguments print with their output functions (concat('a', true) is 'at', not 'atrue').
            .text(zip(args, types).map { $0.text(as: $1) ?? "" }.joined())
        },
        FunctionDefinition("concat_ws", [.type(.text), .any], returns: .text, strict: false, variadic: true) { args, types, _ in
            guard let separator = args.first?.stringValue else { return .null }
            let parts = zip(args.dropFirst(), types.dropFirst()).compactMap { value, type in value.text(as: type) }
            return .text(parts.joined(separator: separator))
        },
        .fn("left", [.text, .int4], .text) { args, _ in
            let s = scalars(args[0]), n = Int(args[1].int32Value ?? 0)
            return string(s.prefix(n >= 0 ? n : max(0, s.count + n)))
        },
        .fn("right", [.text, .int4], .text) { args, _ in
            let s = scalars(args[0]), n = Int(args[1].int32Value ?? 0)
            return string(s.suffix(n >= 0 ? n : max(0, s.count + n)))
        },
        .fn("repeat", [.text, .int4], .text) { args, _ in
            let text = args[0].stringValue ?? "", count = max(0, Int(args[1].int32Value ?? 0))
            try checkResultLength(text.utf8.count * count)
            return .text(String(repeating: text, count: count))
        },
        .fn("lpad", [.text, .int4], .text) { args, _ in try pad(args[0], Int(args[1].int32Value ?? 0), " ", left: true) },
        .fn("lpad", [.text, .int4, .text], .text) { args, _ in try pad(args[0], Int(args[1].int32Value ?? 0), args[2].stringValue ?? "", left: true) },
        .fn("rpad", [.text, .int4], .text) { args, _ in try pad(args[0], Int(args[1].int32Value ?? 0), " ", left: false) },
        .fn("rpad", [.text, .int4, .text], .text) { args, _ in try pad(args[0], Int(args[1].int32Value ?? 0), args[2].stringValue ?? "", left: false) },
        .fn("split_part", [.text, .text, .int4], .text) { args, _ in
            let text = args[0].stringValue ?? "", delimiter = args[1].stringValue ?? ""
            let n = Int(args[2].int32Value ?? 0)
            guard n != 0 else { throw SQLError(SQLError.invalidParameterValue, "field position must not be zero") }
            let parts = delimiter.isEmpty ? [text] : text.split(separator: delimiter, omittingEmptySubsequences: false).map(String.init)
            let index = n > 0 ? n - 1 : parts.count + n
            return .text(index >= 0 && index < parts.count ? parts[index] : "")
        },
        .fn("starts_with", [.text, .text], .bool) { args, _ in .bool((args[0].stringValue ?? "").hasPrefix(args[1].stringValue ?? "")) },
        .fn("reverse", [.text], .text) { args, _ in string(scalars(args[0]).reversed()) },
        .fn("md5", [.text], .text) { args, _ in .text(MD5.hex(Array((args[0].stringValue ?? "").utf8))) },
        .fn("md5", [.bytea], .text) { args, _ in
            if case .bytea(let b) = args[0] { return .text(MD5.hex(b)) }
            return .null
        },
        .fn("quote_ident", [.text], .text) { args, _ in .text(quoteIdentifier(args[0].stringValue ?? "")) },
        .fn("quote_literal", [.text], .text) { args, _ in .text(quoteLiteral(args[0].stringValue ?? "")) },
        .fn("quote_nullable", [.text], .text, strict: false) { args, _ in
            args[0].isNull ? .text("NULL") : .text(quoteLiteral(args[0].stringValue ?? ""))
        },
        .fn("chr", [.int4], .text) { args, _ in
            guard let code = args[0].int32Value, code > 0, let scalar = Unicode.Scalar(UInt32(code)) else {
                throw SQLError(SQLError.programLimitExceeded, "requested character too large for encoding: \(args[0].integerValue ?? 0)")
            }
            return .text(String(scalar))
        },
        .fn("ascii", [.text], .int4) { args, _ in .int4(Int32(args[0].stringValue?.unicodeScalars.first?.value ?? 0)) },
        .fn("to_hex", [.int8], .text) { args, _ in .text(String(UInt64(bitPattern: args[0].integerValue ?? 0), radix: 16)) },
        .fn("to_hex", [.int4], .text) { args, _ in .text(String(UInt32(bitPattern: args[0].int32Value ?? 0), radix: 16)) },
    ]

    /// substr(s, start[, count]) with PostgreSQL's semantics for start < 1 and errors for count < 0.
    static func substring(_ value: Value, _ start: Int, _ count: Int?) throws -> Value {
        let s = scalars(value)
        if let count, count < 0 { throw SQLError(SQLError.substringError, "negative substring length not allowed") }
        let from = max(start, 1)
        let end = count.map { start + $0 } ?? Int.max     // exclusive, 1-based
        guard from <= s.count, end > from else { return .text("") }
        return string(s[(from - 1)..<min(s.count, end - 1)])
    }

    static func trim(_ value: Value, _ characters: String, leading: Bool, trailing: Bool) -> Value {
        let set = Set(characters.unicodeScalars)
        var s = scalars(value)[...]
        if leading { while let first = s.first, set.contains(first) { s = s.dropFirst() } }
        if trailing { while let last = s.last, set.contains(last) { s = s.dropLast() } }
        return string(s)
    }

    /// 1-based position of `needle` in `haystack`, 0 if absent (an empty needle is at 1).
    static func position(of needle: [Unicode.Scalar], in haystack: [Unicode.Scalar]) -> Int32 {
        if needle.isEmpty { return 1 }
        guard needle.count <= haystack.count else { return 0 }
        for i in 0...(haystack.count - needle.count) where haystack[i..<(i + needle.count)].elementsEqual(needle) {
            return Int32(i + 1)
        }
        return 0
    }

    /// PostgreSQL's MaxAllocSize: no string value may exceed 1 GB.
    static let maxResultBytes = (1 << 30) - 1

    static func checkResultLength(_ bytes: Int) throws {
        guard bytes <= maxResultBytes else { throw SQLError(SQLError.programLimitExceeded, "requested length too large") }
    }

    static func pad(_ value: Value, _ length: Int, _ fill: String, left: Bool) throws -> Value {
        let target = max(0, length)
        try checkResultLength(target * 4)
        let s = scalars(value), fillScalars = Array(fill.unicodeScalars)
        if s.count >= target || fillScalars.isEmpty { return string(s.prefix(target)) }
        let padding = (0..<(target - s.count)).map { fillScalars[$0 % fillScalars.count] }
        return string(left ? padding + s : s + padding)
    }

    static func initcap(_ s: String) -> String {
        var out = "", startOfWord = true
        for c in s {
            let alphanumeric = c.isLetter || c.isNumber
            out += startOfWord ? c.uppercased() : c.lowercased()
            startOfWord = !alphanumeric
        }
        return out
    }

    /// upper/lower character by character, as PostgreSQL's libc towupper/towlower do: a character
    /// whose full mapping is several characters (ß → SS) stays as it is.
    static func mapCase(_ text: String, upper: Bool) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let mapped = (upper ? scalar.properties.uppercaseMapping : scalar.properties.lowercaseMapping).unicodeScalars
            if mapped.count == 1, let single = mapped.first { out.append(single) } else { out.append(scalar) }
        }
        return String(out)
    }

    /// quote_ident: double quotes unless the name is a plain lower-case identifier.
    public static func quoteIdentifier(_ name: String) -> String {
        let plain = !name.isEmpty && name.unicodeScalars.enumerated().allSatisfy { index, c in
            (c >= "a" && c <= "z") || c == "_" || (index > 0 && ((c >= "0" && c <= "9") || c == "$"))
        }
        return plain ? name : "\"" + name.replacingAll("\"", with: "\"\"") + "\""
    }

    static func quoteLiteral(_ text: String) -> String {
        let quoted = "'" + text.replacingAll("'", with: "''") + "'"
        return text.contains("\\") ? "E" + quoted.replacingAll("\\", with: "\\\\") : quoted
    }
}
