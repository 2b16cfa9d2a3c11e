// WALFunctions: WAL positions and file names (pg_current_wal_lsn, pg_current_wal_flush_lsn,
// pg_current_wal_insert_lsn, pg_walfile_name, pg_wal_lsn_diff, and the standby side's
// pg_last_wal_receive_lsn / pg_last_wal_replay_lsn, NULL on a primary, and pg_promote). Like
// PostgreSQL, the "current" functions and pg_walfile_name refuse to run on a standby (55000, recovery is in progress).

import WAL

enum WALFunctions {
    static func requirePrimary(_ ctx: FunctionContext) throws {
        guard !ctx.isInRecovery else {
            throw SQLError(SQLError.objectNotInPrerequisiteState, "recovery is in progress",
                           hint: "WAL control functions cannot be executed during recovery.")
        }
    }

    static let definitions: [FunctionDefinition] = [
        .fn("pg_current_wal_lsn", [], .pgLSN) { _, ctx in try requirePrimary(ctx); return .pgLSN(ctx.walWriteLSN) },
        .fn("pg_current_wal_flush_lsn", [], .pgLSN) { _, ctx in try requirePrimary(ctx); return .pgLSN(ctx.walFlushLSN) },
        .fn("pg_current_wal_insert_lsn", [], .pgLSN) { _, ctx in try requirePrimary(ctx); return .pgLSN(ctx.walInsertLSN) },
        .fn("pg_walfile_name", [.pgLSN], .text) { args, ctx in
            try requirePrimary(ctx)
            // The segment holding the byte before the position (XLByteToPrevSeg), as PostgreSQL.
            let lsn = args[0].lsnValue ?? 0
            let segmentNumber = WALFileName.segmentNumber(of: LSN(lsn == 0 ? 0 : lsn - 1), segmentSize: ctx.walSegmentSize)
            return .text(WALFileName.segment(timeline: TimelineID(ctx.timeline), segmentNumber: segmentNumber, segmentSize: ctx.walSegmentSize))
        },
        .fn("pg_last_wal_receive_lsn", [], .pgLSN) { _, ctx in ctx.walReceiveLSN.map(Value.pgLSN) ?? .null },
        .fn("pg_last_wal_replay_lsn", [], .pgLSN) { _, ctx in ctx.walReplayLSN.map(Value.pgLSN) ?? .null },
        .fn("pg_last_xact_replay_timestamp", [], .timestamptz) { _, ctx in ctx.lastReplayedCommitTimestamp.map(Value.timestamptz) ?? .null },
        .fn("pg_is_wal_replay_paused", [], .bool) { _, ctx in
            guard ctx.isInRecovery else {
                throw SQLError(SQLError.objectNotInPrerequisiteState, "recovery is not in progress",
                               hint: "Recovery control functions can only be executed during recovery.")
            }
            return .bool(false)
        },
        .fn("pg_promote", [], .bool) { _, ctx in .bool(try ctx.promote(wait: true, waitSeconds: 60)) },
        .fn("pg_promote", [.bool], .bool) { args, ctx in .bool(try ctx.promote(wait: args[0].boolValue ?? true, waitSeconds: 60)) },
        .fn("pg_promote", [.bool, .int4], .bool) { args, ctx in
            .bool(try ctx.promote(wait: args[0].boolValue ?? true, waitSeconds: Int(args[1].int32Value ?? 60)))
        },
        .fn("pg_wal_lsn_diff", [.pgLSN, .pgLSN], .numeric) { args, _ in
            .numeric(Numeric(coefficient: Int128(args[0].lsnValue ?? 0) - Int128(args[1].lsnValue ?? 0), scale: 0))
        },
    ]
}
