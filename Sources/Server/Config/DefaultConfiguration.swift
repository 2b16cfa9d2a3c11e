// DefaultConfiguration: the postgresql.conf and pg_hba.conf that initdb writes — short, commented,
// and with PostgreSQL's names and syntax, so that a PostgreSQL user finds their way around.

enum DefaultConfiguration {
    static func postgresqlConf() -> String {
        """
        # postgresql.conf — minipg's settings, in PostgreSQL's syntax:  name = value  # comment
        # Settings marked (restart) take effect when the server restarts; the rest on reload (SIGHUP).
        # `minipg server -c name=value` overrides any of them. Unknown names are an error.

        listen_addresses = 'localhost'      # comma-separated addresses, or '*' (restart)
        port = 5432                         # (restart)
        max_connections = 100               # (restart)
        password_encryption = scram-sha-256 # scram-sha-256 or md5

        shared_buffers = 128MB              # the buffer pool (restart)

        wal_level = replica                 # (restart)
        fsync = on                          # flush data to disk for crash safety
        synchronous_commit = on             # on: COMMIT waits for its WAL to be flushed
        full_page_writes = on               # log whole pages after each checkpoint
        wal_compression = off               # off or zstd: compress full-page images
        checkpoint_timeout = 5min           # range 30s-1d
        max_wal_size = 1GB
        min_wal_size = 80MB

        statement_timeout = 0               # in milliseconds, 0 is disabled
        lock_timeout = 0
        deadlock_timeout = 1s

        datestyle = 'iso, mdy'
        timezone = 'UTC'

        """
    }

    static func hbaConf(hostMethod: String, localMethod: String) -> String {
        func row(_ type: String, _ database: String, _ user: String, _ address: String, _ method: String) -> String {
            func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(1, width - text.count)) }
            return pad(type, 8) + pad(database, 16) + pad(user, 16) + pad(address, 24) + method
        }
        return """
        # pg_hba.conf — client authentication, in PostgreSQL's syntax. The first matching line decides.
        # Methods minipg supports: trust, reject, md5, scram-sha-256.

        \(row("# TYPE", "DATABASE", "USER", "ADDRESS", "METHOD"))

        # "local" is for Unix domain socket connections only
        \(row("local", "all", "all", "", localMethod))
        # IPv4 local connections:
        \(row("host", "all", "all", "127.0.0.1/32", hostMethod))
        # IPv6 local connections:
        \(row("host", "all", "all", "::1/128", hostMethod))
        # Allow replication connections from localhost, by a user with the replication privilege.
        \(row("local", "replication", "all", "", localMethod))
        \(row("host", "replication", "all", "127.0.0.1/32", hostMethod))
        \(row("host", "replication", "all", "::1/128", hostMethod))

        """
    }
}
