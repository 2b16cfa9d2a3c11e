// ServerSettings: the server-wide values of every setting — the defaults, overridden by
// postgresql.conf and the command line. Sessions start from these and layer SET on top
// (SessionSettings). A reload re-reads the files: sighup settings take the new values (existing
// sessions adopt them at their next statement); changed postmaster settings keep their old value
// until restart and are marked pending_restart.
//
// Names containing a dot (`patroni.scope`) are custom settings, kept as strings like PostgreSQL's
// placeholder variables.

/// What a reload did: the new settings, the settings that took a new value (for the log), and the
/// postmaster settings that changed in the files but wait for a restart.
public struct ServerSettingsReload: Sendable {
    public var settings: ServerSettings
    public var changed: [(name: String, value: String)] = []
    public var pendingRestart: [String] = []
}

public struct ServerSettings: Sendable {
    /// Lower-cased name → value, for every defined setting.
    private var values: [String: SettingValue]
    /// Custom (dotted) settings from the file or SET.
    public private(set) var customValues: [String: String] = [:]

    public init() {
        values = Dictionary(SettingDefinition.all.map { ($0.key, $0.defaultValue) }, uniquingKeysWith: { first, _ in first })
    }

    /// Defaults overridden by the contents of a postgresql.conf.
    public static func load(fileContents: String, fileName: String = "postgresql.conf") throws -> ServerSettings {
        var settings = ServerSettings()
        for entry in try ConfigFileParser.parse(fileContents, fileName: fileName) {
            try settings.applyFileEntry(entry, fileName: fileName, allowPostmaster: true)
        }
        return settings
    }

    /// Re-reads the file for a reload (SIGHUP). Returns the settings after the reload and the names
    /// of postmaster settings whose new value waits for a restart.
    public func reloaded(fileContents: String, fileName: String = "postgresql.conf") throws -> (settings: ServerSettings, pendingRestart: [String]) {
        let reload = reloaded(from: try ServerSettings.load(fileContents: fileContents, fileName: fileName))
        return (reload.settings, reload.pendingRestart)
    }

    /// A reload, given what the configuration files say now (`fresh`, loaded as at startup): sighup,
    /// superuser and user settings take the fresh values; postmaster settings keep the running value
    /// and, where the files now say otherwise, are pending a restart (pg_settings.pending_restart);
    /// internal settings never change.
    public func reloaded(from fresh: ServerSettings) -> ServerSettingsReload {
        var next = fresh
        next.pendingRestartKeys = []
        var reload = ServerSettingsReload(settings: next)
        for definition in SettingDefinition.all {
            let running = values[definition.key] ?? definition.defaultValue
            let wanted = fresh.values[definition.key] ?? definition.defaultValue
            switch definition.context {
            case .internal:
                next.values[definition.key] = running
            case .postmaster:
                next.values[definition.key] = running
                if wanted != running {
                    next.pendingRestartKeys.insert(definition.key)
                    reload.pendingRestart.append(definition.name)
                }
            case .sighup, .superuser, .user:
                if wanted != running { reload.changed.append((definition.name, definition.show(wanted))) }
            }
        }
        for (name, value) in fresh.customValues.sorted(by: { $0.key < $1.key }) where customValues[name] != value {
            reload.changed.append((name, value))
        }
        reload.settings = next
        return reload
    }

    /// Lower-cased names of postmaster settings whose value in the files differs from the running one.
    public private(set) var pendingRestartKeys: Set<String> = []

    private mutating func applyFileEntry(_ entry: ConfigFileEntry, fileName: String, allowPostmaster: Bool) throws {
        if isCustomName(entry.name) { customValues[entry.name.lowercased()] = entry.value; return }
        do {
            let definition = try SettingDefinition.named(entry.name)
            guard definition.context != .internal else {
                throw SQLError(SQLError.cantChangeRuntimeParam, "parameter \"\(definition.name)\" cannot be changed")
            }
            values[definition.key] = try definition.parse(entry.value)
        } catch var error as SQLError {
            error.detail = "In file \"\(fileName)\" line \(entry.line)."
            throw error
        }
    }

    /// Sets a value from the command line (`-c name=value`) or by initdb; any non-internal setting.
    public mutating func set(_ name: String, to text: String) throws {
        if isCustomName(name) { customValues[name.lowercased()] = text; return }
        let definition = try SettingDefinition.named(name)
        guard definition.context != .internal else {
            throw SQLError(SQLError.cantChangeRuntimeParam, "parameter \"\(definition.name)\" cannot be changed")
        }
        values[definition.key] = try definition.parse(text)
    }

    /// Sets a read-only fact the server knows at startup (data_directory, wal_segment_size, in_hot_standby).
    public mutating func setInternal(_ name: String, _ value: SettingValue) {
        values[name.lowercased()] = value
    }

    public func value(_ name: String) throws -> SettingValue {
        let definition = try SettingDefinition.named(name)
        return values[definition.key] ?? definition.defaultValue
    }

    public func show(_ name: String) throws -> String {
        if isCustomName(name), let custom = customValues[name.lowercased()] { return custom }
        let definition = try SettingDefinition.named(name)
        return definition.show(try value(name))
    }

    /// The ParameterStatus messages sent after authentication (before session overrides).
    public var reportedParameters: [(String, String)] {
        SettingDefinition.reported.map { ($0.name, $0.show(values[$0.key] ?? $0.defaultValue)) }
    }

    // MARK: Typed accessors for the server and storage

    func integer(_ name: String) -> Int64 {
        if case .integer(let v)? = values[name] { return v }
        if case .integer(let v)? = SettingDefinition.byName[name]?.defaultValue { return v }
        return 0
    }
    func real(_ name: String) -> Double {
        if case .real(let v)? = values[name] { return v }
        if case .real(let v)? = SettingDefinition.byName[name]?.defaultValue { return v }
        return 0
    }
    func bool(_ name: String) -> Bool {
        if case .bool(let b)? = values[name] { return b }
        return false
    }
    func string(_ name: String) -> String {
        if case .string(let s)? = values[name] { return s }
        return ""
    }

    public var port: Int { Int(integer("port")) }
    /// listen_addresses split on commas ("*" means every interface).
    /// unix_socket_directories split on commas (empty: no Unix-domain socket).
    public var unixSocketDirectories: [String] { string("unix_socket_directories").split(separator: ",").map { $0.trimmingSpaces }.filter { !$0.isEmpty } }
    public var listenAddresses: [String] { string("listen_addresses").split(separator: ",").map { $0.trimmingSpaces }.filter { !$0.isEmpty } }
    public var maxConnections: Int { Int(integer("max_connections")) }
    /// shared_buffers in 8 kB pages.
    public var sharedBufferPages: Int { Int(integer("shared_buffers")) }
    public var fsync: Bool { bool("fsync") }
    /// wal_compression: "off", "on" or "zstd" (minipg compresses with zstd for both "on" and "zstd").
    public var walCompression: String { string("wal_compression") }
    /// synchronous_commit other than off waits for the local flush.
    public var synchronousCommit: Bool { string("synchronous_commit") != "off" }
    public var checkpointTimeout: Duration { .seconds(integer("checkpoint_timeout")) }
    public var maxWALSizeBytes: Int { Int(integer("max_wal_size")) * 1024 * 1024 }
    public var walKeepSizeBytes: Int { Int(integer("wal_keep_size")) * 1024 * 1024 }
    /// The WAL receiver's timings: status reports, silence before giving up, wait before reconnecting.
    public var walReceiverStatusInterval: Duration { .seconds(integer("wal_receiver_status_interval")) }
    public var walReceiverTimeout: Duration { .milliseconds(integer("wal_receiver_timeout")) }
    public var walRetrieveRetryInterval: Duration { .milliseconds(integer("wal_retrieve_retry_interval")) }
    public var walSegmentSize: Int { Int(integer("wal_segment_size")) }
    public var maxWALSenders: Int { Int(integer("max_wal_senders")) }
    public var maxReplicationSlots: Int { Int(integer("max_replication_slots")) }
    public var hotStandby: Bool { bool("hot_standby") }
    /// password_encryption: "scram-sha-256" or "md5".
    public var passwordEncryption: String { string("password_encryption") }
    public var deadlockTimeout: Duration { .milliseconds(integer("deadlock_timeout")) }
    public var autovacuum: Bool { bool("autovacuum") }
    public var autovacuumNaptime: Duration { .seconds(integer("autovacuum_naptime")) }
    public var autovacuumVacuumThreshold: Int { Int(integer("autovacuum_vacuum_threshold")) }
    public var autovacuumVacuumScaleFactor: Double { real("autovacuum_vacuum_scale_factor") }
    /// log_autovacuum_min_duration: nil when -1 (no logging).
    public var logAutovacuumMinDuration: Duration? {
        let value = integer("log_autovacuum_min_duration")
        return value < 0 ? nil : .milliseconds(value)
    }
    /// max_standby_streaming_delay: nil when -1 (wait forever); read when the standby starts.
    public var maxStandbyStreamingDelay: Duration? {
        let value = integer("max_standby_streaming_delay")
        return value < 0 ? nil : .milliseconds(value)
    }
    public var primaryConnInfo: String { string("primary_conninfo") }
    public var primarySlotName: String { string("primary_slot_name") }
    public var synchronousStandbyNames: String { string("synchronous_standby_names") }
    public var clusterName: String { string("cluster_name") }
    public var dataDirectory: String { string("data_directory") }
}
