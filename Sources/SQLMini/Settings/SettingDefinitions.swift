// SettingDefinitions: every setting minipg knows, with PostgreSQL 15's names, kinds, units,
// defaults and contexts. Settings that minipg accepts but does not act on (work_mem, jit, ...)
// are here so that clients and configuration files that set them keep working.
//
// TimeZone is fixed to UTC for now: timestamptz values print with "+00", and SET TimeZone accepts
// only UTC spellings (UTC, GMT, Etc/UTC, Z, +00).

extension SettingDefinition {
    private static let maxInt32: Int64 = Int64(Int32.max)
    private static let maxBackends: Int64 = 262_143

    public static let all: [SettingDefinition] = [
        // Connections
        .init("listen_addresses", .string, default: .string("localhost"), context: .postmaster, "Sets the host name or IP address(es) to listen to."),
        .init("port", .integer(min: 1, max: 65535), default: .integer(5432), context: .postmaster, "Sets the TCP port the server listens on."),
        .init("unix_socket_directories", .string, default: .string("/var/run/postgresql"), context: .postmaster, "Sets the directories where Unix-domain sockets will be created."),
        .init("max_connections", .integer(min: 1, max: maxBackends), default: .integer(100), context: .postmaster, "Sets the maximum number of concurrent connections."),
        .init("superuser_reserved_connections", .integer(min: 0, max: maxBackends), default: .integer(3), context: .postmaster, "Sets the number of connection slots reserved for superusers."),
        .init("password_encryption", .enumeration(["md5", "scram-sha-256"]), default: .string("scram-sha-256"), context: .user, "Chooses the algorithm for encrypting passwords."),
        .init("ssl", .bool, default: .bool(false), context: .sighup, "Enables SSL connections."),
        .init("cluster_name", .string, default: .string(""), context: .postmaster, "Sets the name of the cluster, which is included in the process title."),
        // Memory
        .init("shared_buffers", .integer(min: 16, max: maxInt32 / 2), default: .integer(16384), unit: .blocks, context: .postmaster, "Sets the number of shared memory buffers used by the server."),
        .init("work_mem", .integer(min: 64, max: maxInt32), default: .integer(4096), unit: .kilobytes, context: .user, "Sets the maximum memory to be used for query workspaces."),
        .init("maintenance_work_mem", .integer(min: 1024, max: maxInt32), default: .integer(65536), unit: .kilobytes, context: .user, "Sets the maximum memory to be used for maintenance operations."),
        .init("effective_cache_size", .integer(min: 1, max: maxInt32), default: .integer(524_288), unit: .blocks, context: .user, "Sets the planner's assumption about the total size of the data caches."),
        // WAL
        .init("wal_level", .enumeration(["minimal", "replica", "logical"]), default: .string("replica"), context: .postmaster, "Sets the level of information written to the WAL."),
        .init("fsync", .bool, default: .bool(true), context: .sighup, "Forces synchronization of updates to disk."),
        .init("synchronous_commit", .enumeration(["local", "remote_write", "remote_apply", "on", "off"]), default: .string("on"), context: .user, "Sets the current transaction's synchronization level."),
        .init("full_page_writes", .bool, default: .bool(true), context: .sighup, "Writes full pages to WAL when first modified after a checkpoint."),
        .init("wal_compression", .enumeration(["off", "on", "zstd"]), default: .string("off"), context: .superuser, "Compresses full-page writes written in WAL file with specified method."),
        .init("wal_log_hints", .bool, default: .bool(false), context: .postmaster, "Writes full pages to WAL when first modified after a checkpoint, even for a non-critical modification."),
        .init("wal_buffers", .integer(min: -1, max: 262_143), default: .integer(512), unit: .blocks, context: .postmaster, "Sets the number of disk-page buffers in shared memory for WAL."),
        .init("checkpoint_timeout", .integer(min: 30, max: 86400), default: .integer(300), unit: .seconds, context: .sighup, "Sets the maximum time between automatic WAL checkpoints."),
        .init("checkpoint_completion_target", .real(min: 0, max: 1), default: .real(0.9), context: .sighup, "Time spent flushing dirty buffers during checkpoint, as fraction of checkpoint interval."),
        .init("max_wal_size", .integer(min: 2, max: maxInt32), default: .integer(1024), unit: .megabytes, context: .sighup, "Sets the WAL size that triggers a checkpoint."),
        .init("min_wal_size", .integer(min: 2, max: maxInt32), default: .integer(80), unit: .megabytes, context: .sighup, "Sets the minimum size to shrink the WAL to."),
        .init("wal_keep_size", .integer(min: 0, max: maxInt32), default: .integer(0), unit: .megabytes, context: .sighup, "Sets the size of WAL files held for standby servers."),
        .init("wal_segment_size", .integer(min: 1_048_576, max: 1_073_741_824), default: .integer(16 * 1024 * 1024), unit: .bytes, context: .internal, "Shows the size of write ahead log segments."),
        .init("archive_mode", .enumeration(["always", "on", "off"]), default: .string("off"), context: .postmaster, "Allows archiving of WAL files using archive_command."),
        .init("archive_command", .string, default: .string(""), context: .sighup, "Sets the shell command that will be called to archive a WAL file."),
        .init("restore_command", .string, default: .string(""), context: .sighup, "Sets the shell command that will be called to retrieve an archived WAL file."),
        // Replication
        .init("max_wal_senders", .integer(min: 0, max: maxBackends), default: .integer(10), context: .postmaster, "Sets the maximum number of simultaneously running WAL sender processes."),
        .init("max_replication_slots", .integer(min: 0, max: maxBackends), default: .integer(10), context: .postmaster, "Sets the maximum number of simultaneously defined replication slots."),
        .init("wal_sender_timeout", .integer(min: 0, max: maxInt32), default: .integer(60000), unit: .milliseconds, context: .user, "Sets the maximum time to wait for WAL replication."),
        .init("wal_receiver_timeout", .integer(min: 0, max: maxInt32), default: .integer(60000), unit: .milliseconds, context: .sighup, "Sets the maximum wait time to receive data from the sending server."),
        .init("wal_receiver_status_interval", .integer(min: 0, max: 2_147_483), default: .integer(10), unit: .seconds, context: .sighup, "Sets the maximum interval between WAL receiver status reports to the sending server."),
        .init("wal_retrieve_retry_interval", .integer(min: 1, max: maxInt32), default: .integer(5000), unit: .milliseconds, context: .sighup, "Sets the time to wait before retrying to retrieve WAL after a failed attempt."),
        .init("hot_standby", .bool, default: .bool(true), context: .postmaster, "Allows connections and queries during recovery."),
        .init("max_standby_streaming_delay", .integer(min: -1, max: maxInt32), default: .integer(30000), unit: .milliseconds, context: .sighup, "Sets the maximum delay before canceling queries when a hot standby server is processing streamed WAL data."),
        .init("hot_standby_feedback", .bool, default: .bool(false), context: .sighup, "Allows feedback from a hot standby to the primary that will avoid query conflicts."),
        .init("synchronous_standby_names", .string, default: .string(""), context: .sighup, "Number of synchronous standbys and list of names of potential synchronous ones."),
        .init("primary_conninfo", .string, default: .string(""), context: .sighup, "Sets the connection string to be used to connect to the sending server."),
        .init("primary_slot_name", .string, default: .string(""), context: .sighup, "Sets the name of the replication slot to use on the sending server."),
        .init("recovery_target_timeline", .string, default: .string("latest"), context: .postmaster, "Specifies the timeline to recover into."),
        .init("in_hot_standby", .bool, default: .bool(false), context: .internal, reported: true, "Shows whether hot standby is currently active."),
        // Logging
        .init("logging_collector", .bool, default: .bool(false), context: .postmaster, "Start a subprocess to capture stderr output and/or csvlogs into log files."),
        .init("log_destination", .string, default: .string("stderr"), context: .sighup, "Sets the destination for server log output."),
        .init("log_directory", .string, default: .string("log"), context: .sighup, "Sets the destination directory for log files."),
        .init("log_filename", .string, default: .string("postgresql-%Y-%m-%d_%H%M%S.log"), context: .sighup, "Sets the file name pattern for log files."),
        .init("log_min_messages", .enumeration(["debug5", "debug4", "debug3", "debug2", "debug1", "info", "notice", "warning", "error", "log", "fatal", "panic"]), default: .string("warning"), context: .superuser, "Sets the message levels that are logged."),
        .init("client_min_messages", .enumeration(["debug5", "debug4", "debug3", "debug2", "debug1", "log", "notice", "warning", "error"]), default: .string("notice"), context: .user, "Sets the message levels that are sent to the client."),
        .init("log_statement", .enumeration(["none", "ddl", "mod", "all"]), default: .string("none"), context: .superuser, "Sets the type of statements logged."),
        .init("log_connections", .bool, default: .bool(false), context: .superuser, "Logs each successful connection."),
        .init("log_disconnections", .bool, default: .bool(false), context: .superuser, "Logs end of a session, including duration."),
        .init("log_checkpoints", .bool, default: .bool(true), context: .sighup, "Logs each checkpoint."),
        .init("log_line_prefix", .string, default: .string("%m [%p] "), context: .sighup, "Controls information prefixed to each log line."),
        .init("log_min_duration_statement", .integer(min: -1, max: maxInt32), default: .integer(-1), unit: .milliseconds, context: .superuser, "Sets the minimum execution time above which all statements will be logged."),
        .init("log_timezone", .string, default: .string("UTC"), context: .sighup, "Sets the time zone to use in log messages."),
        .init("log_file_mode", .integer(min: 0, max: 0o777), default: .integer(0o600), context: .sighup, octal: true, "Sets the file permissions for log files."),
        // Autovacuum (autovacuum_naptime defaults to 5s, not PostgreSQL's 1min: without HOT every
        // UPDATE leaves a dead line pointer and index entry behind, which only VACUUM frees)
        .init("autovacuum", .bool, default: .bool(true), context: .sighup, "Starts the autovacuum subprocess."),
        .init("autovacuum_naptime", .integer(min: 1, max: 2_147_483), default: .integer(5), unit: .seconds, context: .sighup, "Time to sleep between autovacuum runs."),
        .init("autovacuum_vacuum_threshold", .integer(min: 0, max: maxInt32), default: .integer(50), context: .sighup, "Minimum number of tuple updates or deletes prior to vacuum."),
        .init("autovacuum_vacuum_scale_factor", .real(min: 0, max: 100), default: .real(0.2), context: .sighup, "Number of tuple updates or deletes prior to vacuum as a fraction of reltuples."),
        .init("log_autovacuum_min_duration", .integer(min: -1, max: maxInt32), default: .integer(-1), unit: .milliseconds, context: .sighup, "Sets the minimum execution time above which autovacuum actions will be logged."),
        // Statement behaviour and timeouts
        .init("statement_timeout", .integer(min: 0, max: maxInt32), default: .integer(0), unit: .milliseconds, context: .user, "Sets the maximum allowed duration of any statement."),
        .init("lock_timeout", .integer(min: 0, max: maxInt32), default: .integer(0), unit: .milliseconds, context: .user, "Sets the maximum allowed duration of any wait for a lock."),
        .init("deadlock_timeout", .integer(min: 1, max: maxInt32), default: .integer(1000), unit: .milliseconds, context: .superuser, "Sets the time to wait on a lock before checking for deadlock."),
        .init("idle_in_transaction_session_timeout", .integer(min: 0, max: maxInt32), default: .integer(0), unit: .milliseconds, context: .user, "Sets the maximum allowed idle time between queries, when in a transaction."),
        .init("search_path", .string, default: .string("\"$user\", public"), context: .user, "Sets the schema search order for names that are not schema-qualified."),
        .init("default_transaction_isolation", .enumeration(["serializable", "repeatable read", "read committed", "read uncommitted"]), default: .string("read committed"), context: .user, "Sets the transaction isolation level of each new transaction."),
        .init("transaction_isolation", .enumeration(["serializable", "repeatable read", "read committed", "read uncommitted"]), default: .string("read committed"), context: .user, "Sets the current transaction's isolation level."),
        .init("default_transaction_read_only", .bool, default: .bool(false), context: .user, reported: true, "Sets the default read-only status of new transactions."),
        .init("transaction_read_only", .bool, default: .bool(false), context: .user, "Sets the current transaction's read-only status."),
        .init("row_security", .bool, default: .bool(true), context: .user, "Enable row security."),
        .init("jit", .bool, default: .bool(false), context: .user, "Allow JIT compilation."),
        .init("max_parallel_workers_per_gather", .integer(min: 0, max: 1024), default: .integer(2), context: .user, "Sets the maximum number of parallel processes per executor node."),
        .init("random_page_cost", .real(min: 0, max: Double.greatestFiniteMagnitude), default: .real(4), context: .user, "Sets the planner's estimate of the cost of a nonsequentially fetched disk page."),
        // Locale and formatting
        .init("DateStyle", .string, default: .string("ISO, MDY"), context: .user, reported: true, "Sets the display format for date and time values."),
        .init("IntervalStyle", .enumeration(["postgres"]), default: .string("postgres"), context: .user, reported: true, "Sets the display format for interval values."),
        .init("TimeZone", .string, default: .string("UTC"), context: .user, reported: true, "Sets the time zone for displaying and interpreting time stamps."),
        .init("client_encoding", .string, default: .string("UTF8"), context: .user, reported: true, "Sets the client's character set encoding."),
        .init("server_encoding", .string, default: .string("UTF8"), context: .internal, reported: true, "Shows the server (database) character set encoding."),
        .init("lc_collate", .string, default: .string("C"), context: .internal, "Shows the collation order locale."),
        .init("lc_ctype", .string, default: .string("C"), context: .internal, "Shows the character classification and case conversion locale."),
        .init("lc_messages", .string, default: .string("C"), context: .superuser, "Sets the language in which messages are displayed."),
        .init("lc_monetary", .string, default: .string("C"), context: .user, "Sets the locale for formatting monetary amounts."),
        .init("lc_numeric", .string, default: .string("C"), context: .user, "Sets the locale for formatting numbers."),
        .init("lc_time", .string, default: .string("C"), context: .user, "Sets the locale for formatting date and time values."),
        .init("extra_float_digits", .integer(min: -15, max: 3), default: .integer(1), context: .user, "Sets the number of digits displayed for floating-point values."),
        .init("bytea_output", .enumeration(["escape", "hex"]), default: .string("hex"), context: .user, "Sets the output format for bytea."),
        .init("standard_conforming_strings", .bool, default: .bool(true), context: .user, reported: true, "Causes '...' strings to treat backslashes literally."),
        .init("application_name", .string, default: .string(""), context: .user, reported: true, "Sets the application name to be reported in statistics and logs."),
        // Read-only facts about the server and the session
        .init("server_version", .string, default: .string("15.0"), context: .internal, reported: true, "Shows the server version."),
        .init("server_version_num", .integer(min: 150000, max: 150000), default: .integer(150000), context: .internal, "Shows the server version as an integer."),
        .init("integer_datetimes", .bool, default: .bool(true), context: .internal, reported: true, "Shows whether datetimes are integer based."),
        .init("block_size", .integer(min: 8192, max: 8192), default: .integer(8192), context: .internal, "Shows the size of a disk block."),
        .init("max_identifier_length", .integer(min: 63, max: 63), default: .integer(63), context: .internal, "Shows the maximum identifier length."),
        .init("data_checksums", .bool, default: .bool(true), context: .internal, "Shows whether data checksums are turned on for this cluster."),
        .init("data_directory", .string, default: .string(""), context: .internal, "Sets the server's data directory."),
        .init("data_directory_mode", .integer(min: 0, max: 0o777), default: .integer(0o700), context: .internal, octal: true, "Shows the mode of the data directory."),
        .init("is_superuser", .bool, default: .bool(false), context: .internal, reported: true, "Shows whether the current user is a superuser."),
        .init("session_authorization", .string, default: .string(""), context: .internal, reported: true, "Sets the session user name."),
    ]

    /// Lower-cased name → definition.
    static let byName: [String: SettingDefinition] = Dictionary(all.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })

    /// The GUC_REPORT settings, in the order of `all`.
    static let reported = all.filter(\.isReported)

    /// Looks a setting up by name, ignoring case; 42704 `unrecognized configuration parameter "x"`.
    /// The engine asks by the lower-cased name on every statement: that is tried before lowercased().
    public static func named(_ name: String) throws -> SettingDefinition {
        if let definition = byName[name] { return definition }
        guard let definition = byName[name.lowercased()] else {
            throw SQLError(SQLError.undefinedObject, "unrecognized configuration parameter \"\(name)\"")
        }
        return definition
    }
}
