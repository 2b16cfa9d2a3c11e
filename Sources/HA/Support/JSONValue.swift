// A JSON document as a value: what Patroni keeps in free-form places (the dynamic configuration under
// /config, member tags, REST bodies). Typed structs are used wherever the shape is fixed; this type is
// only for the parts users may fill with anything (postgresql.parameters, custom tags).
//
// Invariant: integers stay integers (never round-tripped through Double), so an LSN or a byte count
// survives a read-modify-write of /config unchanged.
import Foundation

public enum JSONValue: Sendable, Equatable, Codable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int64.self) { self = .int(value) }
        else if let value = try? container.decode(Double.self) { self = .double(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }

    public var stringValue: String? {
        switch self {
        case .string(let value): return value
        case .int(let value): return String(value)
        case .double(let value): return String(value)
        case .bool(let value): return value ? "true" : "false"
        default: return nil
        }
    }

    /// Integers, and strings or doubles that hold one (Patroni accepts "30" for ttl).
    public var intValue: Int64? {
        switch self {
        case .int(let value): return value
        case .double(let value): return value == value.rounded() ? Int64(exactly: value) : nil
        case .string(let value): return Int64(value.trimmingCharacters(in: .whitespaces))
        default: return nil
        }
    }

    /// Booleans in YAML's and PostgreSQL's spellings (on/off, yes/no, true/false).
    public var boolValue: Bool? {
        switch self {
        case .bool(let value): return value
        case .int(let value): return value != 0
        case .string(let value):
            switch value.lowercased() {
            case "true", "on", "yes", "y", "1": return true
            case "false", "off", "no", "n", "0": return false
            default: return nil
            }
        default: return nil
        }
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let fields) = self { return fields }
        return nil
    }

    /// Compact JSON with sorted keys, as stored in the DCS.
    public var description: String { (try? JSONValue.encodeCompact(self)) ?? "null" }

    public static func encodeCompact<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    public static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    /// RFC 7386 JSON merge patch: `null` deletes a key, objects merge recursively, anything else replaces.
    /// This is how PATCH /config and `ctl edit-config -s` change the dynamic configuration.
    public func merging(patch: JSONValue) -> JSONValue {
        guard case .object(let patchFields) = patch else { return patch }
        var fields = objectValue ?? [:]
        for (key, value) in patchFields {
            if value == .null { fields[key] = nil }
            else { fields[key] = (fields[key] ?? .null).merging(patch: value) }
        }
        return .object(fields)
    }
}
