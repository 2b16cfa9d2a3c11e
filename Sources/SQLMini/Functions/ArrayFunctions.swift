// ArrayFunctions: array_to_string, array_length/array_upper/array_lower/cardinality,
// array_position, array_append/array_prepend/array_cat, string_to_array. Arrays are
// one-dimensional with lower bound 1, so a dimension other than 1 has no bounds (NULL).

enum ArrayFunctions {
    static func elements(_ v: Value) -> [Value] { v.arrayValue?.elements ?? [] }
    static func arrayResult(_ types: [SQLType]) -> SQLType { types.first { $0.isArray } ?? .textArray }

    static let definitions: [FunctionDefinition] = [
        FunctionDefinition("array_to_string", [.anyArray, .type(.text)], returns: .text) { args, types, _ in
            .text(try join(args[0], types[0], separator: args[1].stringValue ?? "", nullString: nil))
        },
        FunctionDefinition("array_to_string", [.anyArray, .type(.text), .type(.text)], returns: .text, strict: false) { args, types, _ in
            guard !args[0].isNull, let separator = args[1].stringValue else { return .null }
            return .text(try join(args[0], types[0], separator: separator, nullString: args[2].stringValue))
        },
        FunctionDefinition("array_length", [.anyArray, .type(.int4)], returns: .int4) { args, _, _ in
            let count = elements(args[0]).count
            return args[1].int32Value == 1 && count > 0 ? .int4(Int32(count)) : .null
        },
        FunctionDefinition("array_upper", [.anyArray, .type(.int4)], returns: .int4) { args, _, _ in
            let count = elements(args[0]).count
            return args[1].int32Value == 1 && count > 0 ? .int4(Int32(count)) : .null
        },
        FunctionDefinition("array_lower", [.anyArray, .type(.int4)], returns: .int4) { args, _, _ in
            args[1].int32Value == 1 && !elements(args[0]).isEmpty ? .int4(1) : .null
        },
        FunctionDefinition("array_ndims", [.anyArray], returns: .int4) { args, _, _ in
            elements(args[0]).isEmpty ? .null : .int4(1)
        },
        FunctionDefinition("cardinality", [.anyArray], returns: .int4) { args, _, _ in .int4(Int32(elements(args[0]).count)) },
        FunctionDefinition("array_position", [.anyArray, .anyElement], returns: .int4, strict: false) { args, types, _ in
            guard !args[0].isNull else { return .null }
            let blankPadded = types[1].oid == SQLType.bpchar.oid
            for (i, element) in elements(args[0]).enumerated() {
                if args[1].isNull ? element.isNull : (Value.equals(element, args[1], ignoringTrailingSpaces: blankPadded) == true) {
                    return .int4(Int32(i + 1))
                }
            }
            return .null
        },
        FunctionDefinition("array_append", [.anyArray, .anyElement], result: arrayResult, strict: false) { args, types, _ in
            .array(ArrayValue(elementType: types[1], elements: elements(args[0]) + [args[1]]))
        },
        FunctionDefinition("array_prepend", [.anyElement, .anyArray], result: arrayResult, strict: false) { args, types, _ in
            .array(ArrayValue(elementType: types[0], elements: [args[0]] + elements(args[1])))
        },
        FunctionDefinition("array_cat", [.anyArray, .anyArray], result: arrayResult, strict: false) { args, types, _ in
            if args[0].isNull && args[1].isNull { return .null }
            return .array(ArrayValue(elementType: types[0].elementType ?? .text, elements: elements(args[0]) + elements(args[1])))
        },
        .fn("string_to_array", [.text, .text], .textArray, strict: false) { args, _ in
            guard let text = args[0].stringValue else { return .null }
            if text.isEmpty { return .array(ArrayValue(elementType: .text, elements: [])) }
            guard let delimiter = args[1].stringValue else {
                return .array(ArrayValue(elementType: .text, elements: text.unicodeScalars.map { .text(String($0)) }))
            }
            let parts = delimiter.isEmpty ? [text] : text.split(separator: delimiter, omittingEmptySubsequences: false).map(String.init)
            return .array(ArrayValue(elementType: .text, elements: parts.map(Value.text)))
        },
    ]

    /// array_to_string: elements in their text form; NULLs skipped unless a null string is given.
    static func join(_ array: Value, _ type: SQLType, separator: String, nullString: String?) throws -> String {
        let elementType = type.elementType ?? .text
        return elements(array).compactMap { element in
            element.isNull ? nullString : element.text(as: elementType)
        }.joined(separator: separator)
    }
}
