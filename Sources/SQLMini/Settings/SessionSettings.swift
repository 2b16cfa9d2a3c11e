// SessionSettings: one session's view of the settings — the server's values with the session's
// SET on top, and SET LOCAL on top of that for the current transaction. Like PostgreSQL, SET is
// transactional: a SET inside a transaction that rolls back is undone, and SET LOCAL lasts only
// until the transaction ends. The engine calls `transactionStarted()` / `transactionEnded(...)`.
//
// Every change to a reported setting (application_name, DateStyle, ...) is returned so that the
// session can send ParameterStatus.

public struct SessionSettings: Sendable {
    public private(set) var server: ServerSettings
    /// SET (session level), lower-cased name → value.
    private var sessionValues: [String: SettingValue] = [:]
    /// SET LOCAL, until the transaction ends.
    private var localValues: [String: SettingValue] = [:]
    /// The session values when the current transaction started (to undo SET on rollback).
    private var sessionValuesAtTransactionStart: [String: SettingValue]?
    private var customValues: [String: String] = [:]
    public let isSuperuser: Bool

    /// A session for `user`; `options` are the startup packet's settings (application_name,
    /// client_encoding, DateStyle, `-c` options), applied as session defaults.
    public init(server: ServerSettings, user: String, isSuperuser: Bool, options: [String: String] = [:]) throws {
        self.server = server
        self.isSuperuser = isSuperuser
        sessionValues["is_superuser"] = .bool(isSuperuser)
        sessionValues["session_authorization"] = .string(user)
        for (name, value) in options.sorted(by: { $0.key < $1.key }) {
            _ = try set(name, to: value, isLocal: false)
        }
        // Startup options are the session's defaults: RESET goes back to them.
        baseline = sessionValues
        refreshDerivedValues()
    }
    /// What RESET returns to: the server value plus the startup options.
    private var baseline: [String: SettingValue] = [:]

    // MARK: SET / RESET

    /// SET name TO value (nil value = DEFAULT); SET LOCAL when `isLocal`. Returns the reported
    /// (name, new SHOW text) if the setting is reported to clients.
    @discardableResult
    public mutating func set(_ name: String, to text: String?, isLocal: Bool) throws -> (String, String)? {
        if isCustomName(name) {
            customValues[name.lowercased()] = text ?? ""
            return nil
        }
        let definition = try SettingDefinition.named(name)
        try checkChangeable(definition)
        let key = definition.key
        let value = try text.map { try definition.parse($0) }
        if isLocal {
            localValues[key] = try value ?? baseline[key] ?? server.value(key)
        } else {
            localValues[key] = nil
            sessionValues[key] = value ?? baseline[key]
        }
        if Self.derivedKeys.contains(key) { refreshDerivedValues() }
        return definition.isReported ? (definition.name, try show(name)) : nil
    }

    /// At the start of every transaction: transaction_isolation and transaction_read_only as SET
    /// LOCAL stores them, without looking the names up, checking or parsing the values (that cost
    /// ~10 k instructions per transaction). Neither is reported nor derived.
    public mutating func setTransactionCharacteristics(isolation: IsolationLevel, readOnly: Bool) {
        localValues["transaction_isolation"] = .string(isolation.rawValue)
        localValues["transaction_read_only"] = .bool(readOnly)
    }

    /// RESET name: back to the startup/server value.
    @discardableResult
    public mutating func reset(_ name: String) throws -> (String, String)? {
        try set(name, to: nil, isLocal: false)
    }

    /// RESET ALL: every user-settable setting back to its startup/server value.
    public mutating func resetAll() -> [(String, String)] {
        let before = reportedParameters
        sessionValues = baseline
        localValues = [:]
        customValues = [:]
        refreshDerivedValues()
        return changes(from: before)
    }

    private func checkChangeable(_ definition: SettingDefinition) throws {
        switch definition.context {
        case .internal:
            throw SQLError(SQLError.cantChangeRuntimeParam, "parameter \"\(definition.name)\" cannot be changed")
        case .postmaster:
            throw SQLError(SQLError.cantChangeRuntimeParam, "parameter \"\(definition.name)\" cannot be changed without restarting the server")
        case .sighup:
            throw SQLError(SQLError.cantChangeRuntimeParam, "parameter \"\(definition.name)\" cannot be changed now")
        case .superuser:
            guard isSuperuser else {
                throw SQLError(SQLError.insufficientPrivilege, "permission denied to set parameter \"\(definition.name)\"")
            }
        case .user:
            break
        }
    }

    // MARK: Transactions

    public mutating func transactionStarted() {
        sessionValuesAtTransactionStart = sessionValues
    }

    /// Drops SET LOCAL values, and on rollback undoes the transaction's SETs. Returns the reported
    /// settings whose value changed as a result.
    public mutating func transactionEnded(committed: Bool) -> [(String, String)] {
        let before = reportedParameters
        var changed = localValues.keys.contains(where: Self.derivedKeys.contains)
        localValues = [:]
        if !committed, let saved = sessionValuesAtTransactionStart, saved != sessionValues {
            sessionValues = saved
            changed = true
        }
        sessionValuesAtTransactionStart = nil
        if changed { refreshDerivedValues() }
        return changes(from: before)
    }

    /// The SET and SET LOCAL values at a SAVEPOINT: ROLLBACK TO it restores them (PostgreSQL undoes
    /// a rolled-back subtransaction's settings too).
    public struct SavepointValues: Sendable {
        fileprivate let session: [String: SettingValue]
        fileprivate let local: [String: SettingValue]
    }

    public var savepointValues: SavepointValues { SavepointValues(session: sessionValues, local: localValues) }

    public mutating func rollback(to saved: SavepointValues) {
        guard saved.session != sessionValues || saved.local != localValues else { return }
        sessionValues = saved.session
        localValues = saved.local
        refreshDerivedValues()
    }

    private func changes(from before: [(String, String)]) -> [(String, String)] {
        zip(before, reportedParameters).compactMap { old, new in old.1 == new.1 ? nil : new }
    }

    // MARK: Reading

    public func value(_ name: String) throws -> SettingValue {
        try value(SettingDefinition.named(name))
    }

    private func value(_ definition: SettingDefinition) throws -> SettingValue {
        let key = definition.key
        return try localValues[key] ?? sessionValues[key] ?? server.value(key)
    }

    /// SHOW name.
    public func show(_ name: String) throws -> String {
        if isCustomName(name) {
            if let custom = customValues[name.lowercased()] ?? server.customValues[name.lowercased()] { return custom }
            throw SQLError(SQLError.undefinedObject, "unrecognized configuration parameter \"\(name)\"")
        }
        let definition = try SettingDefinition.named(name)
        return definition.show(try value(definition))
    }

    /// current_setting(name, missing_ok): nil when missing and missingOK.
    public func currentSetting(_ name: String, missingOK: Bool = false) throws -> String? {
        do {
            return try show(name)
        } catch let error as SQLError where missingOK && error.sqlState == SQLError.undefinedObject {
            return nil
        }
    }

    /// The column name SHOW uses: the setting's canonical spelling ("DateStyle").
    public static func canonicalName(_ name: String) -> String {
        (try? SettingDefinition.named(name).name) ?? name.lowercased()
    }

    /// SHOW ALL: (name, setting, description) for every setting, sorted by name.
    public func showAll() -> [(name: String, setting: String, description: String)] {
        SettingDefinition.all
            .map { ($0.name, (try? show($0.name)) ?? "", $0.summary) }
            .sorted { $0.0.lowercased() < $1.0.lowercased() }
    }

    /// The reported settings with this session's values (ParameterStatus after startup). Kept up
    /// to date by every change of the values instead of computed on each read: the server compares
    /// it with what the client last heard after every message.
    public private(set) var reportedParameters: [(String, String)] = []

    /// After a reload: the server's new values under this session's SET and SET LOCAL.
    public mutating func adoptReloadedServerSettings(_ reloaded: ServerSettings) {
        server = reloaded
        refreshDerivedValues()
    }

    /// The settings the values kept up to date below are made of.
    private static let derivedKeys = Set(SettingDefinition.reported.map(\.key) + [
        "search_path", "statement_timeout", "lock_timeout", "deadlock_timeout", "synchronous_commit",
        "application_name", "default_transaction_read_only", "default_transaction_isolation"])

    private mutating func refreshDerivedValues() {
        reportedParameters = SettingDefinition.reported.map { ($0.name, (try? value($0)).map($0.show) ?? "") }
        searchPath = parseSearchPath()
        statementTimeout = timeout("statement_timeout")
        lockTimeout = timeout("lock_timeout")
        deadlockTimeout = .milliseconds(max(1, integer("deadlock_timeout")))
        synchronousCommitLevel = (try? show("synchronous_commit")).flatMap(SynchronousCommitLevel.init(rawValue:)) ?? .on
        synchronousCommit = synchronousCommitLevel != .off
        applicationName = (try? show("application_name")) ?? ""
        defaultTransactionReadOnly = (try? value("default_transaction_read_only")) == .bool(true)
        defaultTransactionIsolation = (try? show("default_transaction_isolation")).flatMap(IsolationLevel.init(rawValue:))
            ?? .readCommitted
    }

    // MARK: Typed accessors for the engine

    private func integer(_ name: String) -> Int64 {
        if case .integer(let v)? = try? value(name) { return v }
        return 0
    }
    /// nil when the timeout is 0 (disabled).
    private func timeout(_ name: String) -> Duration? {
        let ms = integer(name)
        return ms > 0 ? .milliseconds(ms) : nil
    }
    // Read on every statement or transaction, so kept up to date like reportedParameters
    // (each lookup by name hashes the name two or three times).
    public private(set) var statementTimeout: Duration?
    public private(set) var lockTimeout: Duration?
    public private(set) var deadlockTimeout: Duration = .seconds(1)
    public private(set) var synchronousCommit = true
    public private(set) var synchronousCommitLevel = SynchronousCommitLevel.on
    public private(set) var applicationName = ""
    public private(set) var defaultTransactionReadOnly = false
    public private(set) var defaultTransactionIsolation = IsolationLevel.readCommitted
    /// search_path as a list of schema names, unquoted; "$user" stays as written. Kept up to date
    /// with the values, like reportedParameters: every statement resolves names through it.
    public private(set) var searchPath: [String] = []

    private func parseSearchPath() -> [String] {
        let text = (try? show("search_path")) ?? ""
        return text.split(separator: ",").map { item in
            var name = item.trimmingSpaces
            if name.hasPrefix("\""), name.hasSuffix("\""), name.count >= 2 { name = String(name.dropFirst().dropLast()).replacingAll("\"\"", with: "\"") }
            else { name = name.lowercased() }
            return name
        }.filter { !$0.isEmpty }
    }
}
