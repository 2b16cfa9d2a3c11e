// The `-f/--format` choices of `ctl list`, `topology`, `history` and `query`, and how a table of values
// is written in each: pretty (boxed, `TextTable`), topology (pretty, members as a tree), tsv (header and
// rows joined by tabs), json (a list of objects, keys in column order, written as Python's json.dumps
// does) and yaml (the same list as block YAML, keys sorted, as PyYAML's safe_dump does).
//
// Invariant: in json and yaml an empty cell is left out of its object, as patronictl does.

public enum OutputFormat: String, Sendable, CaseIterable {
    case pretty, topology, json, yaml, tsv

    public init?(option: String) {
        self.init(rawValue: option == "yml" ? "yaml" : option)
    }
}

/// One cell: text, an integer (TL, lag) or a structured value (tags in json/yaml).
public enum TableCell: Sendable, Equatable {
    case text(String)
    case integer(Int64)
    case structured(JSONValue)

    public var isEmpty: Bool {
        if case .text(let text) = self { return text.isEmpty }
        return false
    }

    /// Python's str(): what pretty and tsv show.
    public var plainText: String {
        switch self {
        case .text(let text): return text
        case .integer(let number): return String(number)
        case .structured(let value): return value.yamlText.trimmingCharacters(in: .newlines)
        }
    }

    var jsonValue: JSONValue {
        switch self {
        case .text(let text): return .string(text)
        case .integer(let number): return .int(number)
        case .structured(let value): return value
        }
    }
}

/// Writes rows of cells in the non-pretty formats.
public enum TableWriter {
    /// Python json.dumps of `[{column: value, …}, …]`: ", " and ": " separators, keys in column order.
    public static func json(columns: [String], rows: [[TableCell]]) -> String {
        let objects = rows.map { row in
            let fields = zip(columns, row).filter { !$0.1.isEmpty }
                .map { PythonJSON.text(.string($0.0)) + ": " + PythonJSON.text($0.1.jsonValue) }
            return "{" + fields.joined(separator: ", ") + "}"
        }
        return "[" + objects.joined(separator: ", ") + "]"
    }

    /// PyYAML block YAML of the same list (PyYAML sorts the keys).
    public static func yaml(columns: [String], rows: [[TableCell]]) -> String {
        let list = JSONValue.array(rows.map { row in
            .object(Dictionary(zip(columns, row).filter { !$0.1.isEmpty }.map { ($0.0, $0.1.jsonValue) },
                               uniquingKeysWith: { first, _ in first }))
        })
        return list.yamlText
    }

    public static func tsv(columns: [String], rows: [[TableCell]]) -> String {
        ([columns] + rows.map { $0.map(\.plainText) }).map { $0.joined(separator: "\t") }.joined(separator: "\n")
    }
}

/// JSON text as Python's json.dumps writes it by default (ASCII-only, ", " and ": " separators).
enum PythonJSON {
    static func text(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .int(let number): return String(number)
        case .double(let number): return String(number)
        case .string(let string): return quoted(string)
        case .array(let items): return "[" + items.map(text).joined(separator: ", ") + "]"
        case .object(let fields):
            return "{" + fields.keys.sorted().map { quoted($0) + ": " + text(fields[$0] ?? .null) }
                .joined(separator: ", ") + "}"
        }
    }

    static func quoted(_ string: String) -> String {
        var out = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value > 0x7e {
                    for unit in String(scalar).utf16 { out += "\\u" + hex4(unit) }
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private static func hex4(_ unit: UInt16) -> String {
        let digits = String(unit, radix: 16)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }
}
