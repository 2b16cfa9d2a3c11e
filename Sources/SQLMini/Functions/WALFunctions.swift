// WALFunctions: WAL positions and file names (pg_current_wal_lsn, pg_current_wal_flush_lsn,
// pg_current_wal_insert_lsn, pg_walfile_name, pg_wal_lsn_diff). Like PostgreSQL, the "current"
// functions and pg_walfile_name refuse to run on a standby (55000, recovery is in progress).

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
        .fn("pg_wal_lsn_diff", [.pgLSN, .pgLSN], .numeric) { args, _ in
            .numeric(Numeric(coefficient: Int128(args[0].lsnValue ?? 0) - Int128(args[1].lsnValue ?? 0), scale: 0))
        },
    ]
}
