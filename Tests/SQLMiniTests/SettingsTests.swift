// SettingsTests: the GUC registry — SHOW formatting with units, postgresql.conf parsing with
// units, quotes and comments, PostgreSQL's errors, contexts, and session SET/RESET/SET LOCAL with
// transactional undo.

import Testing
@testable import SQLMini

@Suite("Settings")
struct SettingsTests {
    @Test func defaultsShowLikePostgreSQL() throws {
        let settings = ServerSettings()
        let expected: [(String, String)] = [
            ("shared_buffers", "128MB"), ("checkpoint_timeout", "5min"), ("max_wal_size", "1GB"), ("min_wal_size", "80MB"),
            ("deadlock_timeout", "1s"), ("statement_timeout", "0"), ("wal_segment_size", "16MB"), ("data_directory_mode", "0700"),
            ("block_size", "8192"), ("fsync", "on"), ("wal_compression", "off"), ("DateStyle", "ISO, MDY"), ("TimeZone", "UTC"),
            ("server_version", "15.0"), ("server_version_num", "150000"), ("integer_datetimes", "on"), ("port", "5432"),
            ("standard_conforming_strings", "on"), ("search_path", "\"$user\", public"), ("password_encryption", "scram-sha-256"),
            ("default_transaction_isolation", "read committed"), ("extra_float_digits", "1"), ("work_mem", "4MB"),
            ("log_min_duration_statement", "-1"), ("wal_keep_size", "0"), ("max_connections", "100"), ("datestyle", "ISO, MDY"),
        ]
        for (name, text) in expected { #expect(try settings.show(name) == text, "\(name)") }
    }

    @Test func configurationFile() throws {
        let conf = """
        # a comment
        shared_buffers = 256MB          # min 128kB
        port=5433
        checkpoint_timeout '30s'
        listen_addresses = '*'
        wal_compression = zstd
        archive_command = 'cp %p /archive/%f && echo ''done'''
        statement_timeout = 1min
        max_wal_size = 2GB
        deadlock_timeout = 500
        shared_buffers = 64MB
        patroni.scope = demo

        """
        let settings = try ServerSettings.load(fileContents: conf)
        #expect(settings.sharedBufferPages == 8192)                 // the later line wins
        #expect(settings.port == 5433 && settings.listenAddresses == ["*"] && settings.walCompression == "zstd")
        #expect(settings.checkpointTimeout == .seconds(30) && settings.maxWALSizeBytes == 2 << 30)
        #expect(try settings.show("archive_command") == "cp %p /archive/%f && echo 'done'")
        #expect(try settings.show("statement_timeout") == "1min")
        #expect(try settings.show("deadlock_timeout") == "500ms")
        #expect(try settings.show("patroni.scope") == "demo")
    }

    /// (file contents, SQLSTATE, message)
    static let fileErrors: [(String, String, String)] = [
        ("port = abc", "22023", #"invalid value for parameter "port": "abc""#),
        ("port = 70000", "22023", #"70000 is outside the valid range for parameter "port" (1 .. 65535)"#),
        ("nosuch = 1", "42704", #"unrecognized configuration parameter "nosuch""#),
        ("fsync = maybe", "22023", #"parameter "fsync" requires a Boolean value"#),
        ("wal_level = fancy", "22023", #"invalid value for parameter "wal_level": "fancy""#),
        ("shared_buffers = 10XB", "22023", #"invalid value for parameter "shared_buffers": "10XB""#),
        ("server_version = 16", "55P02", #"parameter "server_version" cannot be changed"#),
        ("port = '5432", "42601", #"syntax error in file "postgresql.conf" line 1, near token "'5432""#),
        ("\n= 5", "42601", #"syntax error in file "postgresql.conf" line 2, near token "=""#),
    ]

    @Test(arguments: fileErrors.indices)
    func configurationFileErrors(_ index: Int) {
        let (contents, state, message) = SettingsTests.fileErrors[index]
        do {
            _ = try ServerSettings.load(fileContents: contents)
            Issue.record("\(contents) loaded")
        } catch let error as SQLError {
            #expect(error.sqlState == state && error.message == message, "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func unitHints() {
        do {
            _ = try ServerSettings.load(fileContents: "shared_buffers = 10XB")
        } catch let error as SQLError {
            #expect(error.hint == #"Valid units for this parameter are "B", "kB", "MB", "GB", and "TB"."#)
        } catch {}
        do {
            _ = try ServerSettings.load(fileContents: "statement_timeout = '10 years'")
        } catch let error as SQLError {
            #expect(error.hint == #"Valid units for this parameter are "us", "ms", "s", "min", "h", and "d"."#)
        } catch {}
    }

    @Test func reloadKeepsPostmasterSettings() throws {
        let first = try ServerSettings.load(fileContents: "port = 5433\nstatement_timeout = 1s")
        let (next, pending) = try first.reloaded(fileContents: "port = 6000\nlog_checkpoints = off")
        #expect(next.port == 5433 && pending == ["port"])
        #expect(try next.show("statement_timeout") == "0")
        #expect(try next.show("log_checkpoints") == "off")
    }

    @Test func reloadReportsChangesAndKeepsPendingRestartUntilTheFileAgrees() throws {
        let running = try ServerSettings.load(fileContents: "max_connections = 100\nwork_mem = 4MB")
        let reload = running.reloaded(from: try ServerSettings.load(fileContents: "max_connections = 150\nwork_mem = 8MB\npatroni.scope = demo"))
        #expect(reload.pendingRestart == ["max_connections"])
        #expect(reload.changed.map(\.name) == ["work_mem", "patroni.scope"])
        #expect(reload.changed.map(\.value) == ["8MB", "demo"])
        #expect(reload.settings.maxConnections == 100)
        #expect(reload.settings.pendingRestartKeys == ["max_connections"])
        // A later reload with the running value in the file clears the flag.
        let back = reload.settings.reloaded(from: try ServerSettings.load(fileContents: "max_connections = 100"))
        #expect(back.pendingRestart.isEmpty && back.settings.pendingRestartKeys.isEmpty)
        #expect(back.changed.map(\.name) == ["work_mem"])
    }

    @Test func aSessionAdoptsReloadedServerValuesUnderItsOwnSet() throws {
        var session = try SessionSettings(server: ServerSettings(), user: "alice", isSuperuser: false)
        _ = try session.set("statement_timeout", to: "1s", isLocal: false)
        let reloaded = ServerSettings().reloaded(from: try ServerSettings.load(fileContents: "statement_timeout = 5s\nwork_mem = 8MB"))
        session.adoptReloadedServerSettings(reloaded.settings)
        #expect(try session.show("work_mem") == "8MB")
        #expect(try session.show("statement_timeout") == "1s")
        _ = try session.set("statement_timeout", to: nil, isLocal: false)
        #expect(try session.show("statement_timeout") == "5s")
    }

    @Test func sessionSetResetAndTransactions() throws {
        var session = try SessionSettings(server: ServerSettings(), user: "alice", isSuperuser: false,
                                          options: ["application_name": "psql", "DateStyle": "ISO, DMY"])
        #expect(try session.show("application_name") == "psql")
        #expect(try session.show("datestyle") == "ISO, DMY")
        #expect(try session.show("session_authorization") == "alice")
        #expect(try session.show("is_superuser") == "off")
        let reported = try session.set("application_name", to: "app", isLocal: false)
        #expect(reported?.0 == "application_name" && reported?.1 == "app")
        #expect(try session.set("statement_timeout", to: "2s", isLocal: false) == nil)
        #expect(session.statementTimeout == .seconds(2))
        try session.reset("application_name")
        #expect(try session.show("application_name") == "psql")

        session.transactionStarted()
        try session.set("lock_timeout", to: "100ms", isLocal: true)
        try session.set("work_mem", to: "64MB", isLocal: false)
        #expect(session.lockTimeout == .milliseconds(100))
        #expect(try session.show("work_mem") == "64MB")
        _ = session.transactionEnded(committed: false)
        #expect(session.lockTimeout == nil)
        #expect(try session.show("work_mem") == "4MB")

        session.transactionStarted()
        try session.set("work_mem", to: "8MB", isLocal: false)
        try session.set("application_name", to: "local", isLocal: true)
        let changes = session.transactionEnded(committed: true)
        #expect(try session.show("work_mem") == "8MB" && changes.map(\.0) == ["application_name"])

        #expect(throws: SQLError(SQLError.cantChangeRuntimeParam, #"parameter "port" cannot be changed without restarting the server"#)) {
            try session.set("port", to: "1", isLocal: false)
        }
        #expect(throws: SQLError(SQLError.cantChangeRuntimeParam, #"parameter "fsync" cannot be changed now"#)) {
            try session.set("fsync", to: "off", isLocal: false)
        }
        #expect(throws: SQLError(SQLError.insufficientPrivilege, #"permission denied to set parameter "log_statement""#)) {
            try session.set("log_statement", to: "all", isLocal: false)
        }
        #expect(throws: SQLError(SQLError.undefinedObject, #"unrecognized configuration parameter "nosuch""#)) {
            try session.set("nosuch", to: "1", isLocal: false)
        }
        #expect(throws: SQLError.self) { try session.set("TimeZone", to: "Europe/Warsaw", isLocal: false) }
        try session.set("TimeZone", to: "utc", isLocal: false)
        try session.set("search_path", to: "\"My Schema\", public", isLocal: false)
        #expect(session.searchPath == ["My Schema", "public"])
        #expect(try session.currentSetting("nosuch.x", missingOK: true) == nil)
        #expect(session.showAll().contains { $0.name == "shared_buffers" && $0.setting == "128MB" })
        #expect(session.reportedParameters.contains { $0 == ("server_version", "15.0") })
    }
}
