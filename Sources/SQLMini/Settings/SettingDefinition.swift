// SettingDefinition: one server setting (GUC) as PostgreSQL defines it — its name, value kind,
// unit, default, the context that decides who may change it and when, and whether a change is
// reported to clients (ParameterStatus). The list of settings minipg supports is
// SettingDefinitions.swift; parsing and SHOW formatting are SettingValueFormat.swift.

/// pg_settings.context: when a setting may change.
public enum SettingContext: String, Sendable {
    /// Fixed at compile/initdb time (server_version, block_size): never changes.
    case `internal` = "internal"
    /// postgresql.conf or the command line; needs a restart.
    case postmaster
    /// postgresql.conf; takes effect on reload (SIGHUP).
    case sighup
    /// Like user, but only superusers may SET it.
    case superuser
    /// Any session may SET it.
    case user
}

/// pg_settings.vartype plus the value's bounds.
public enum SettingKind: Sendable, Equatable {
    case bool
    case integer(min: Int64, max: Int64)
    case real(min: Double, max: Double)
    case string
    /// The accepted values, lower case, in PostgreSQL's order.
    case enumeration([String])
}

/// The base unit an integer setting is stored in (pg_settings.unit).
public enum SettingUnit: String, Sendable {
    case none = ""
    case bytes = "B", kilobytes = "kB", blocks = "8kB", megabytes = "MB"
    case milliseconds = "ms", seconds = "s", minutes = "min"

    var isMemory: Bool { self == .bytes || self == .kilobytes || self == .blocks || self == .megabytes }
    var isTime: Bool { self == .milliseconds || self == .seconds || self == .minutes }
    /// The unit's size in bytes (memory) or milliseconds (time).
    var scale: Int64 {
        switch self {
        case .none: return 1
        case .bytes: return 1
        case .kilobytes: return 1024
        case .blocks: return 8192
        case .megabytes: return 1024 * 1024
        case .milliseconds: return 1
        case .seconds: return 1000
        case .minutes: return 60_000
        }
    }
}

/// A setting's value in its base unit.
public enum SettingValue: Sendable, Equatable {
    case bool(Bool)
    case integer(Int64)
    case real(Double)
    case string(String)
}

public struct SettingDefinition: Sendable {
    /// The name as PostgreSQL spells it (DateStyle, TimeZone keep their capitals); lookups ignore case.
    public let name: String
    /// The name lower-cased: the key of every table of values (computed once, not per lookup).
    public let key: String
    public var kind: SettingKind
    public var unit: SettingUnit
    public var defaultValue: SettingValue
    public var context: SettingContext
    /// Sent to clients in ParameterStatus at startup and whenever it changes (GUC_REPORT).
    public var isReported: Bool
    /// pg_settings.short_desc.
    public var summary: String
    /// SHOW prints the integer in octal with a leading 0 (data_directory_mode, log_file_mode).
    public var showsOctal: Bool = false

    public init(_ name: String, _ kind: SettingKind, default defaultValue: SettingValue, unit: SettingUnit = .none,
                context: SettingContext, reported: Bool = false, octal: Bool = false, _ summary: String) {
        self.name = name
        self.key = name.lowercased()
        self.kind = kind
        self.unit = unit
        self.defaultValue = defaultValue
        self.context = context
        self.isReported = reported
        self.summary = summary
        self.showsOctal = octal
    }
}

/// A name with a dot (`patroni.scope`) is a custom setting, kept as text. Checked on the UTF-8
/// bytes: String.contains(Character) walks grapheme clusters, and SHOW runs on every statement.
func isCustomName(_ name: String) -> Bool {
    let dot = UInt8(ascii: ".")
    return name.utf8.withContiguousStorageIfAvailable { $0.contains(dot) } ?? name.utf8.contains(dot)
}
