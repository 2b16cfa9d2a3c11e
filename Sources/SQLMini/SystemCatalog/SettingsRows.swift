// The rows of pg_settings for one session: every setting the registry defines, with the
// session's current value. As in PostgreSQL, `setting` holds integers in their base unit
// (shared_buffers 16384 with unit 8kB) where SHOW prints them scaled (128MB).

extension SessionSettings {
    func catalogRows() -> [CatalogView.Setting] {
        SettingDefinition.all.map { definition in
            let current = (try? value(definition.name)) ?? definition.defaultValue
            return CatalogView.Setting(
                name: definition.name, value: Self.rawText(current, definition), unit: definition.unit.pgSettingsUnit,
                category: "Ungrouped", description: definition.summary, context: definition.context.rawValue,
                type: definition.kind.pgSettingsType, source: current == definition.defaultValue ? "default" : "session",
                bootValue: Self.rawText(definition.defaultValue, definition),
                resetValue: Self.rawText((try? server.value(definition.name)) ?? definition.defaultValue, definition),
                enumValues: definition.kind.enumValues,
                pendingRestart: server.pendingRestartKeys.contains(definition.key))
        }
    }

    private static func rawText(_ value: SettingValue, _ definition: SettingDefinition) -> String {
        switch value {
        case .bool(let flag): return flag ? "on" : "off"
        case .integer(let number): return definition.showsOctal ? definition.show(value) : String(number)
        case .real, .string: return definition.show(value)
        }
    }
}

extension SettingUnit {
    /// pg_settings.unit: NULL for unitless settings.
    var pgSettingsUnit: String? { self == .none ? nil : rawValue }
}

extension SettingKind {
    /// pg_settings.vartype.
    var pgSettingsType: String {
        switch self {
        case .bool: return "bool"
        case .integer: return "integer"
        case .real: return "real"
        case .string: return "string"
        case .enumeration: return "enum"
        }
    }

    var enumValues: [String]? {
        if case .enumeration(let values) = self { return values }
        return nil
    }
}
