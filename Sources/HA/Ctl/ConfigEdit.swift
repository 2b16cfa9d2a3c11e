// `ctl edit-config` without the terminal: how -s key=value, -p name=value, --apply and --replace change
// the dynamic configuration, what the user is shown, and the compare-and-set write.
//
// Rules (patronictl's): a -s value is read as YAML (ttl=10 is the integer 10, synchronous_mode=true a
// boolean, an empty value deletes the key); dots walk into mappings, except below postgresql.parameters,
// where a parameter name may itself contain dots; --apply merges a YAML document (null deletes);
// --replace starts from an empty document. Before anything is written the result must pass
// `DynamicConfig.validationError` — unlike patronictl, an invalid ttl/loop_wait/retry_timeout is refused.
// The write is a CAS on the /config revision that was read: a concurrent edit aborts this one.

public struct ConfigEditError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

public enum ConfigEdit {
    /// Applies "a.b.c=value" settings in order.
    public static func applying(settings: [String], to document: JSONValue) throws -> JSONValue {
        var result = document
        for pair in settings {
            guard let equals = pair.firstIndex(of: "=") else {
                throw ConfigEditError("Invalid parameter setting \(pair)")
            }
            let path = pair[..<equals].trimmingCharacters(in: .whitespaces).split(separator: ".").map(String.init)
            guard !path.isEmpty else { throw ConfigEditError("Invalid parameter setting \(pair)") }
            let value: JSONValue
            do {
                value = try JSONValue.parseYAML(String(pair[pair.index(after: equals)...]))
            } catch {
                throw ConfigEditError("Invalid parameter setting \(pair): \(error)")
            }
            result = setting(path, to: value, in: result, prefix: [])
        }
        return result
    }

    /// -p name=value is -s postgresql.parameters.name=value.
    public static func settings(fromParameters pairs: [String]) -> [String] {
        pairs.map { "postgresql.parameters." + $0.drop { $0 == " " } }
    }

    private static func setting(_ path: [String], to value: JSONValue, in node: JSONValue,
                                prefix: [String]) -> JSONValue {
        // GUC names may contain dots (pg_stat_statements.max): below parameters the rest is one name.
        let path = prefix == ["postgresql", "parameters"] ? [path.joined(separator: ".")] : path
        var fields = node.objectValue ?? [:]
        let key = path[0]
        if path.count == 1 {
            fields[key] = value == .null ? nil : value
        } else {
            let child = fields[key].flatMap { $0.objectValue == nil ? nil : $0 } ?? .object([:])
            let updated = setting(Array(path.dropFirst()), to: value, in: child, prefix: prefix + [key])
            fields[key] = updated == .object([:]) ? nil : updated
        }
        return .object(fields)
    }

    /// --apply: a YAML document merged into the configuration (null deletes a key).
    public static func applying(yaml text: String, to document: JSONValue) throws -> JSONValue {
        let patch = try parseDocument(text)
        return document.merging(patch: patch)
    }

    /// --replace / the edited file: the whole configuration.
    public static func parseDocument(_ text: String) throws -> JSONValue {
        let value: JSONValue
        do {
            value = try JSONValue.parseYAML(text)
        } catch {
            throw ConfigEditError("\(error)")
        }
        if value == .null { return .object([:]) }
        guard case .object = value else { throw ConfigEditError("the configuration must be a YAML mapping") }
        return value
    }

    /// What the editor shows and the diff compares: block YAML, sorted keys.
    public static func editableText(_ document: JSONValue) -> String { document.yamlText }

    public enum WriteOutcome: Sendable, Equatable { case changed, concurrentChange }

    /// Validates `new` and writes it only if /config is still at `revision`.
    public static func write(_ new: JSONValue, expectedRevision revision: Int64,
                             store: ClusterStore) async throws -> WriteOutcome {
        let config = DynamicConfig(document: new)
        if let problem = config.validationError { throw ConfigEditError("invalid configuration: \(problem)") }
        return try await store.setConfig(config, expectedRevision: revision) ? .changed : .concurrentChange
    }
}
