// SessionFunctionContext+Reload: pg_reload_conf() for a session — asks the server (through the
// Database's configurationReloader) to re-read postgresql.conf, postgresql.auto.conf and pg_hba.conf.

extension SessionFunctionContext {
    /// pg_reload_conf(): superusers only, as PostgreSQL grants it. The reload has finished when it
    /// returns, so this session's next statement already sees the new values.
    func reloadConfiguration() throws -> Bool {
        guard let session else { throw SQLError(SQLError.adminShutdown, "terminating connection due to administrator command") }
        guard session.role.superuser else {
            throw SQLError(SQLError.insufficientPrivilege, "permission denied for function pg_reload_conf")
        }
        guard let reload = session.database.configurationReloader else { return false }
        reload()
        return true
    }
}
