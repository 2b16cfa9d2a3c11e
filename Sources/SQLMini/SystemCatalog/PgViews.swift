// The pg_catalog views: pg_settings, pg_stat_activity, pg_stat_replication, pg_tables,
// pg_indexes. Views in PostgreSQL, computed relations here; same columns and types.
// pg_stat_replication has no rows until minipg streams WAL (issue 4).

extension SystemTable {
    static let pgSettings = SystemTable("pg_settings", oid: 12_010, columns: [
        ("name", .text), ("setting", .text), ("unit", .text), ("category", .text), ("short_desc", .text),
        ("extra_desc", .text), ("context", .text), ("vartype", .text), ("source", .text), ("min_val", .text),
        ("max_val", .text), ("enumvals", .textArray), ("boot_val", .text), ("reset_val", .text),
        ("sourcefile", .text), ("sourceline", .int4), ("pending_restart", .bool),
    ]) { view in
        view.settings.map { setting in
            [
                .text(setting.name), .text(setting.value), .optionalText(setting.unit), .text(setting.category),
                .text(setting.description), .null, .text(setting.context), .text(setting.type), .text(setting.source),
                .null, .null, setting.enumValues.map(Value.textArray) ?? .null, .text(setting.bootValue),
                .text(setting.resetValue), .null, .null, .bool(setting.pendingRestart),
            ]
        }
    }

    static let pgStatActivity = SystemTable("pg_stat_activity", oid: 12_011, columns: [
        ("datid", .oidType), ("datname", .name), ("pid", .int4), ("leader_pid", .int4), ("usesysid", .oidType),
        ("usename", .name), ("application_name", .text), ("client_addr", .inet), ("client_hostname", .text),
        ("client_port", .int4), ("backend_start", .timestamptz), ("xact_start", .timestamptz),
        ("query_start", .timestamptz), ("state_change", .timestamptz), ("wait_event_type", .text),
        ("wait_event", .text), ("state", .text), ("backend_xid", .xid), ("backend_xmin", .xid),
        ("query_id", .int8), ("query", .text), ("backend_type", .text),
    ]) { view in
        view.activities.map { activity in
            [
                .oid(activity.databaseOID), .name(activity.databaseName), .int4(activity.processID), .null,
                .oid(activity.userOID), .name(activity.userName), .text(activity.applicationName), .null, .null,
                .null, .timestamptz(activity.backendStart), activity.transactionStart.map(Value.timestamptz) ?? .null,
                activity.queryStart.map(Value.timestamptz) ?? .null, activity.stateChange.map(Value.timestamptz) ?? .null,
                .null, .null, .text(activity.state), activity.backendXID.map(Value.oid) ?? .null, .null,
                .null, .text(activity.query), .text("client backend"),
            ]
        }
    }

    static let pgStatReplication = SystemTable("pg_stat_replication", oid: 12_012, columns: [
        ("pid", .int4), ("usesysid", .oidType), ("usename", .name), ("application_name", .text),
        ("client_addr", .inet), ("client_hostname", .text), ("client_port", .int4),
        ("backend_start", .timestamptz), ("backend_xmin", .xid), ("state", .text), ("sent_lsn", .pgLSN),
        ("write_lsn", .pgLSN), ("flush_lsn", .pgLSN), ("replay_lsn", .pgLSN), ("write_lag", .interval),
        ("flush_lag", .interval), ("replay_lag", .interval), ("sync_priority", .int4), ("sync_state", .text),
        ("reply_time", .timestamptz),
    ])

    static let pgTables = SystemTable("pg_tables", oid: 12_013, columns: [
        ("schemaname", .name), ("tablename", .name), ("tableowner", .name), ("tablespace", .name),
        ("hasindexes", .bool), ("hasrules", .bool), ("hastriggers", .bool), ("rowsecurity", .bool),
    ]) { view in
        view.relations.filter { $0.kind == "r" }.map { relation in
            [
                .optionalText(view.namespaceName(relation.namespaceOID)), .name(relation.name),
                .optionalText(view.roleName(relation.ownerOID)), .null,
                .bool(relation.hasIndex), .bool(false), .bool(false), .bool(false),
            ]
        }
    }

    static let pgIndexes = SystemTable("pg_indexes", oid: 12_014, columns: [
        ("schemaname", .name), ("tablename", .name), ("indexname", .name), ("tablespace", .name),
        ("indexdef", .text),
    ]) { view in
        view.indexes.compactMap { index in
            guard let table = view.relation(index.tableOID), let indexRelation = view.relation(index.oid) else {
                return nil
            }
            return [
                .optionalText(view.namespaceName(table.namespaceOID)), .name(table.name), .name(indexRelation.name),
                .null, .text(view.indexDefinition(index, qualified: true)),
            ]
        }
    }
}

extension CatalogView {
    func relation(_ oid: UInt32) -> Relation? { relations.first { $0.oid == oid } }
    func namespaceName(_ oid: UInt32) -> String? { namespaces.first { $0.oid == oid }?.name }

    /// pg_get_indexdef's text: `CREATE UNIQUE INDEX t_pkey ON public.t USING btree (id)`.
    func indexDefinition(_ index: Index, qualified: Bool) -> String {
        let table = relation(index.tableOID)
        let tableName = table.map { table in
            qualified ? "\(namespaceName(table.namespaceOID) ?? "public").\(table.name)" : table.name
        } ?? "?"
        let columns = index.columnNumbers.map { number in
            table?.columns.first { $0.number == number }?.name ?? "?"
        }
        let name = relation(index.oid)?.name ?? "?"
        return "CREATE \(index.isUnique ? "UNIQUE " : "")INDEX \(name) ON \(tableName) USING btree (\(columns.joined(separator: ", ")))"
    }
}
