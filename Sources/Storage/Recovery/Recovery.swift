// Storage: crash recovery (PostgreSQL's StartupXLOG, reduced to crash recovery).
//
// Reads the WAL from the last checkpoint's redo point to the end of valid WAL (a zero length, a
// CRC mismatch or a broken xl_prev chain — a torn tail after a crash) and applies each record with
// Redo.apply. Returns where writing resumes. The caller then aborts the transactions left running
// and writes an end-of-recovery checkpoint.
import Logging
import WAL

enum Recovery {
    struct Outcome {
        var endOfWAL: LSN
        var lastRecordStart: LSN
        var recordsApplied: Int
    }

    static func run(walDirectory: String, control: ControlFileData, segmentSize: Int, redo: Redo,
                    logger: Logger) throws -> Outcome {
        var reader = try WALReader(directory: walDirectory, timeline: control.timeline, start: control.redoLSN,
                                   segmentSize: segmentSize)
        var sawCheckpoint = false
        while let record = try reader.next() {
            if record.lsn == control.checkpointLSN { sawCheckpoint = true }
            try redo.apply(record)
        }
        guard sawCheckpoint else {
            throw StorageError(.invalidState, "could not locate a valid checkpoint record at \(control.checkpointLSN)"
                               + (reader.stopReason.map { ": \($0)" } ?? ""))
        }
        if redo.recordsApplied > 1 {
            logger.info("redo done at \(reader.lastRecordStart)", metadata: [
                "records": "\(redo.recordsApplied)",
                "stop": "\(reader.stopReason.map { "\($0)" } ?? "end of WAL")",
            ])
        }
        return Outcome(endOfWAL: reader.endOfValidWAL, lastRecordStart: reader.lastRecordStart,
                       recordsApplied: redo.recordsApplied)
    }
}
