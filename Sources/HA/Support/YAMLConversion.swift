// YAML text ↔ `JSONValue`: how a node's Patroni-shaped YAML file is read, and how `ctl show-config` /
// `ctl edit-config` show the dynamic configuration the way patronictl does (PyYAML's block style:
// mapping keys sorted, a sequence under a key not indented, strings quoted only when a plain scalar would
// read back as something else).
//
// Invariant: `JSONValue.parseYAML(v.yamlText)` == v for every value without doubles — the text an editor
// shows is read back unchanged, so an edit that changes nothing is "Not changed".
import Foundation
import Yams

public struct YAMLSyntaxError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

extension JSONValue {
    /// Parses one YAML document. Scalars get YAML 1.1's core types (true/on/yes are booleans, 30 is an
    /// integer, ~ and an empty value are null); anything else — dates included — stays a string.
    public static func parseYAML(_ text: String) throws -> JSONValue {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw YAMLSyntaxError(description: "invalid YAML: \(error)")
        }
        guard let root else { return .null }
        return try JSONValue(yamlNode: root)
    }

    private init(yamlNode node: Node) throws {
        switch node {
        case .scalar(let scalar):
            self = JSONValue(yamlScalar: scalar, tag: Tag.Name(rawValue: node.tag.rawValue))
        case .sequence(let sequence):
            self = .array(try sequence.map { try JSONValue(yamlNode: $0) })
        case .mapping(let mapping):
            var fields: [String: JSONValue] = [:]
            for (key, value) in mapping {
                guard let name = key.string else {
                    throw YAMLSyntaxError(description: "invalid YAML: a mapping key must be a scalar")
                }
                fields[name] = try JSONValue(yamlNode: value)
            }
            self = .object(fields)
        case .alias:
            throw YAMLSyntaxError(description: "invalid YAML: aliases are not supported")
        }
    }

    private init(yamlScalar scalar: Node.Scalar, tag: Tag.Name) {
        guard scalar.style == .plain || scalar.style == .any else {
            self = .string(scalar.string)           // a quoted "30" is the string 30
            return
        }
        switch tag {
        case .null: self = .null
        case .bool: self = Bool.construct(from: scalar).map(JSONValue.bool) ?? .string(scalar.string)
        case .int: self = Int.construct(from: scalar).map { .int(Int64($0)) } ?? .string(scalar.string)
        case .float: self = Double.construct(from: scalar).map(JSONValue.double) ?? .string(scalar.string)
        default: self = .string(scalar.string)
        }
    }

    /// Block-style YAML as PyYAML's `safe_dump(default_flow_style=False)` writes it; ends with a newline.
    public var yamlText: String {
        var lines: [String] = []
        YAMLBlockWriter.write(self, indent: "", into: &lines)
        return lines.joined(separator: "\n") + "\n"
    }
}

/// The emitter behind `yamlText`.
enum YAMLBlockWriter {
    static func write(_ value: JSONValue, indent: String, into lines: inout [String]) {
        switch value {
        case .object(let fields) where !fields.isEmpty:
            for key in fields.keys.sorted() {
                let child = fields[key] ?? .null
                let label = indent + scalarText(.string(key)) + ":"
                switch child {
                case .object(let nested) where !nested.isEmpty:
                    lines.append(label)
                    write(child, indent: indent + "  ", into: &lines)
                case .array(let items) where !items.isEmpty:
                    lines.append(label)
                    write(child, indent: indent, into: &lines)   // PyYAML: "- item" at the key's column
                default:
                    lines.append(label + " " + scalarText(child))
                }
            }
        case .array(let items) where !items.isEmpty:
            for item in items {
                var nested: [String] = []
                write(item, indent: indent + "  ", into: &nested)
                guard let first = nested.first else { continue }
                switch item {
                case .object(let fields) where !fields.isEmpty:
                    // "- key: value" then the other keys aligned under the first
                    lines.append(indent + "- " + first.dropFirst(indent.count + 2))
                    lines.append(contentsOf: nested.dropFirst())
                case .array(let inner) where !inner.isEmpty:
                    lines.append(indent + "- " + first.dropFirst(indent.count + 2))
                    lines.append(contentsOf: nested.dropFirst())
                default:
                    lines.append(indent + "- " + scalarText(item))
                }
            }
        default:
            lines.append(indent + scalarText(value))
        }
    }

    static func scalarText(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .int(let number): return String(number)
        case .double(let number):
            if number.isNaN { return ".nan" }
            if number.isInfinite { return number > 0 ? ".inf" : "-.inf" }
            return number == number.rounded() && abs(number) < 1e16 ? String(format: "%.1f", number) : String(number)
        case .string(let text): return needsQuotes(text) ? "'" + text.replacingOccurrences(of: "'", with: "''") + "'" : text
        case .array: return "[]"
        case .object: return "{}"
        }
    }

    /// A plain scalar is safe when it would be read back as the same string.
    static func needsQuotes(_ text: String) -> Bool {
        if text.isEmpty || text != text.trimmingCharacters(in: .whitespaces) { return true }
        if text.contains(": ") || text.contains(" #") || text.hasSuffix(":") || text.contains("\n") { return true }
        if let first = text.first, "-?:,[]{}#&*!|>'\"%@`".contains(first) {
            return !(first == "-" && text.count > 1 && text.dropFirst().first != " " && !looksTyped(text))
        }
        return looksTyped(text)
    }

    /// Would a plain scalar with this text resolve to null, a boolean or a number?
    static func looksTyped(_ text: String) -> Bool {
        guard let node = try? Yams.compose(yaml: text), case .scalar = node else { return true }
        return Tag.Name(rawValue: node.tag.rawValue) != .str || text == "<<"
    }
}
