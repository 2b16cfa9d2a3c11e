// The primary's replication views, computed at each scan from the Replication module's live state:
//   pg_stat_replication   one row per WAL sender (PostgreSQL 15's 20 columns)
//   pg_replication_slots  one row per slot (PostgreSQL 15's 15 columns)
// They are SQLMini VirtualRelations that the server registers on its Database — replacing SQLMini's
// own always-empty pg_stat_replication (what a Database without a server shows) — so SQLMini never
// imports Replication.

import Replication
import SQLMini
import WAL

struct PgStatReplication: VirtualRelation {
    let senders: WALSenders
    /// synchronous_standby_names as the server runs with it now.
    let synchronousStandbyNames: @Sendable () -> SyncStandbyNames?

    var schema: String { "pg_catalog" }
    var name: String { "pg_stat_replication" }
    var oid: UInt32 { 12_012 }
    var columns: [(name: String, type: SQLType)] {
        [("pid", .int4), ("usesysid", .oidType), ("usename", .name), ("application_name", .text),
         ("client_addr", .inet), ("client_hostname", .text), ("client_port", .int4),
         ("backend_start", .timestamptz), ("backend_xmin", .xid), ("state", .text), ("sent_lsn", .pgLSN),
         ("write_lsn", .pgLSN), ("flush_lsn", .pgLSN), ("replay_lsn", .pgLSN), ("write_lag", .interval),
         ("flush_lag", .interval), ("replay_lag", .interval), ("sync_priority", .int4), ("sync_state", .text),
         ("reply_time", .timestamptz)]
    }

    func rows(_ context: ExecutionContext) throws -> [[Value]] {
        let all = senders.all
        let sync = SyncStandbySelection.states(all, names: synchronousStandbyNames())
        return all.map { sender in
            // 0/0 (pg_receivewal's apply position, say) means "not reported": NULL, as in PostgreSQL.
            func lsn(_ value: LSN?) -> Value { value.flatMap { $0.isValid ? .pgLSN($0.value) : nil } ?? .null }
            func lag(_ microseconds: Int64?) -> Value { microseconds.map { .interval(Interval(microseconds: $0)) } ?? .null }
            let (priority, state) = sync[sender.pid] ?? (0, "async")
            return [
                .int4(sender.pid), .oid(sender.userOID), .text(sender.userName), .text(sender.applicationName),
                sender.clientAddress.map(Value.text) ?? .null, .null,
                .int4(sender.clientPort.map { Int32(clamping: $0) } ?? -1),
                .timestamptz(sender.backendStart), sender.backendXmin.map(Value.oid) ?? .null,
                .text(sender.state.rawValue), lsn(sender.sent), lsn(sender.write), lsn(sender.flush), lsn(sender.replay),
                lag(sender.writeLag), lag(sender.flushLag), lag(sender.replayLag),
                .int4(Int32(priority)), .text(state), sender.replyTime.map(Value.timestamptz) ?? .null,
            ]
        }
    }
}

struct PgReplicationSlots: VirtualRelation {
    let slots: ReplicationSlots

    var schema: String { "pg_catalog" }
    var name: String { "pg_replication_slots" }
    var oid: UInt32 { 12_016 }
    var columns: [(name: String, type: SQLType)] {
        [("slot_name", .name), ("plugin", .name), ("slot_type", .text), ("datoid", .oidType), ("database", .name),
         ("temporary", .bool), ("active", .bool), ("active_pid", .int4), ("xmin", .xid), ("catalog_xmin", .xid),
         ("restart_lsn", .pgLSN), ("confirmed_flush_lsn", .pgLSN), ("wal_status", .text), ("safe_wal_size", .int8),
         ("two_phase", .bool)]
    }

    func rows(_ context: ExecutionContext) throws -> [[Value]] {
        slots.all.map { slot in
            [
                .text(slot.name), .null, .text("physical"), .null, .null, .bool(slot.temporary),
                .bool(slot.activePID != nil), slot.activePID.map(Value.int4) ?? .null,
                slot.xmin == 0 ? .null : .oid(slot.xmin), .null,
                slot.restartLSN.map { .pgLSN($0.value) } ?? .null, .null,
                // Slots hold their WAL without limit (no max_slot_wal_keep_size): always reserved.
                slot.restartLSN == nil ? .null : .text("reserved"), .null, .bool(false),
            ]
        }
    }
}
