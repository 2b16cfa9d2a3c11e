// Session+Settings: SET, SET LOCAL, RESET, SHOW support and SET TRANSACTION, over the types
// module's SessionSettings (which makes SET transactional and SET LOCAL end with the transaction).
//
// SET's value list is flattened to one string as PostgreSQL does: list settings (search_path)
// join their elements with ", " and quote identifiers that need it; the others take one value.

extension Session {
    func runSet(_ statement: SetStatement, output: QueryOutput) throws {
        if statement.local && block.state != .explicit {
            output.notice(SQLNotice(SQLError.noActiveSQLTransaction, "SET LOCAL can only be used in transaction blocks",
                                    severity: .warning))
            return
        }
        let text: String?
        switch statement.value {
        case .defaultValue:
            text = nil
        case .list(let arguments):
            text = try Self.flatten(arguments, setting: statement.name)
        }
        try settings.set(statement.name, to: text, isLocal: statement.local)
        syncSearchPath()
        if statement.name.lowercased() == "transaction_read_only" {
            let readOnly = try settings.show("transaction_read_only") == "on"
            if !readOnly && database.isInRecovery {
                try settings.set("transaction_read_only", to: "on", isLocal: true)
                throw Self.readWriteDuringRecovery
            }
            transaction?.readOnly = readOnly
        }
    }

    /// PostgreSQL's check_transaction_read_only on a standby.
    static let readWriteDuringRecovery = SQLError(SQLError.featureNotSupported,
                                                  "cannot set transaction read-write mode during recovery")

    /// RESET name, or RESET ALL when `name` is nil.
    func runReset(_ name: String?) throws {
        if let name {
            try settings.reset(name)
            syncSearchPath()
        } else {
            _ = settings.resetAll()
            syncSearchPath()
        }
    }

    /// SET TRANSACTION ... (this transaction) or SET SESSION CHARACTERISTICS AS TRANSACTION ... (defaults).
    func runSetTransaction(_ modes: TransactionModes, sessionDefault: Bool, context: ExecutionContext,
                           output: QueryOutput) throws {
        if sessionDefault {
            if let level = modes.isolationLevel {
                try settings.set("default_transaction_isolation", to: level.rawValue, isLocal: false)
            }
            if let readOnly = modes.readOnly {
                try settings.set("default_transaction_read_only", to: readOnly ? "on" : "off", isLocal: false)
            }
            return
        }
        guard block.state == .explicit else {
            output.notice(SQLNotice(SQLError.noActiveSQLTransaction,
                                    "SET TRANSACTION can only be used in transaction blocks", severity: .warning))
            return
        }
        if let level = modes.isolationLevel {
            guard statementsInTransaction <= 1, !context.topLevelXid.isValid else {
                throw SQLError(SQLError.activeSQLTransaction, "SET TRANSACTION ISOLATION LEVEL must be called before any query")
            }
            restartTransaction(isolation: level, readOnly: modes.readOnly ?? context.readOnly)
        } else if let readOnly = modes.readOnly {
            if !readOnly && database.isInRecovery { throw Self.readWriteDuringRecovery }
            context.readOnly = readOnly
            try settings.set("transaction_read_only", to: context.readOnly ? "on" : "off", isLocal: true)
        }
    }

    /// Keeps the open transaction's name resolution in step with search_path (pg_stat_activity's
    /// application_name follows at the next publishActivity).
    private func syncSearchPath() {
        transaction?.searchPath = settings.searchPath
    }

    /// The reported settings and their current SHOW values.
    var reportedSettingValues: [String: String] {
        Dictionary(settings.reportedParameters, uniquingKeysWith: { _, last in last })
    }

    /// default_transaction_isolation as the AST's isolation level.
    var defaultIsolation: IsolationLevel { settings.defaultTransactionIsolation }

    /// The SET value list as one string, PostgreSQL's flatten_set_variable_args.
    static func flatten(_ arguments: [SetArgument], setting: String) throws -> String {
        let isList = SessionSettings.canonicalName(setting) == "search_path"
        if !isList && arguments.count > 1 {
            throw SQLError(SQLError.invalidParameterValue,
                           "SET \(SessionSettings.canonicalName(setting)) takes only one argument")
        }
        return arguments.map { argument in
            switch argument {
            case .string(let text), .number(let text): return text
            case .identifier(let name): return isList ? quoteIdentifierIfNeeded(name) : name
            }
        }.joined(separator: ", ")
    }

    /// `"$user"` stays quoted, `public` does not (quote_identifier).
    static func quoteIdentifierIfNeeded(_ name: String) -> String {
        let plain = name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
            && !(name.first.map { ("0"..."9").contains($0) } ?? true)
        return plain ? name : "\"" + name.replacingAll("\"", with: "\"\"") + "\""
    }
}
