// pg_stat_wal_receiver: one row on a standby whose WAL receiver runs, none otherwise (PostgreSQL
// 15's columns). Computed from the server's StandbyProvider at each scan.

import Storage

struct PgStatWalReceiver: VirtualRelation {
    /// Holds the Database weakly: the Database owns the engine, which owns this relation.
    private final class DatabaseReference: @unchecked Sendable {
        weak var database: Database?
        init(_ database: Database) { self.database = database }
    }
    private let reference: DatabaseReference

    init(database: Database) { reference = DatabaseReference(database) }

    var schema: String { "pg_catalog" }
    var name: String { "pg_stat_wal_receiver" }
    var oid: UInt32 { 12_015 }
    var columns: [(name: String, type: SQLType)] {
        [("pid", .int4), ("status", .text), ("receive_start_lsn", .pgLSN), ("receive_start_tli", .int4),
         ("written_lsn", .pgLSN), ("flushed_lsn", .pgLSN), ("received_tli", .int4),
         ("last_msg_send_time", .timestamptz), ("last_msg_receipt_time", .timestamptz),
         ("latest_end_lsn", .pgLSN), ("latest_end_time", .timestamptz), ("slot_name", .text),
         ("sender_host", .text), ("sender_port", .int4), ("conninfo", .text)]
    }

    func rows(_ context: ExecutionContext) throws -> [[Value]] {
        guard let status = reference.database?.standbyProvider?.walReceiverStatus else { return [] }
        func time(_ value: Int64?) -> Value { value.map(Value.timestamptz) ?? .null }
        return [[
            .int4(status.pid), .text(status.status), .pgLSN(status.receiveStartLSN.value),
            .int4(Int32(bitPattern: status.receiveStartTimeline.value)), .pgLSN(status.writtenLSN.value),
            .pgLSN(status.flushedLSN.value), .int4(Int32(bitPattern: status.receivedTimeline.value)),
            time(status.lastMessageSendTime), time(status.lastMessageReceiptTime),
            status.latestEndLSN.map { .pgLSN($0.value) } ?? .null, time(status.latestEndTime),
            status.slotName.map(Value.text) ?? .null, status.senderHost.map(Value.text) ?? .null,
            status.senderPort.map { .int4(Int32(clamping: $0)) } ?? .null, .text(status.conninfo),
        ]]
    }
}
