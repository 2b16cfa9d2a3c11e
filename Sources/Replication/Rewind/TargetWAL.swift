// TargetWAL: the reads rewind makes in the target's own pg_wal/ (pg_rewind's parsexlog.c):
//
//   end of WAL           forward from the control file's checkpoint record to the end of valid WAL
//   last common          backward from the fork along xl_prev until a checkpoint record: the target
//   checkpoint           wrote it before the fork, so the source has it too, and every page change
//                        before its redo point is in both servers' relation files
//   changes after fork   forward from the fork to the end of WAL, every record's footprint
//                        (Storage's RecordFootprint): the pages and files the target changed that
//                        the source never saw
//
//       redo      checkpoint          fork                          end of target WAL
//   ────┼────────────┼────────────────┼───────────────────────────────────┤
//                                      └── changes collected (ChangedBlocks)
//
// Records are read only on the target's timeline. The backward walk is bounded by what pg_wal
// still holds: a checkpoint whose segments were removed cannot be found, and rewind says so.

import Storage
import WAL

struct TargetWAL {
    let walDirectory: String
    let timeline: TimelineID
    let segmentSize: Int

    /// Where valid WAL ends, reading on from the record at `checkpoint` (the last one in pg_control).
    func endOfWAL(from checkpoint: LSN) throws -> LSN {
        var reader = try WALReader(directory: walDirectory, timeline: timeline, start: checkpoint, segmentSize: segmentSize)
        guard try reader.next() != nil else {
            throw ReplicationClientError("could not read the checkpoint record at \(checkpoint) on timeline \(timeline.value) in the target's pg_wal"
                                         + (reader.stopReason.map { ": \($0)" } ?? ""))
        }
        while try reader.next() != nil {}
        return reader.endOfValidWAL
    }

    /// The newest checkpoint record before `fork` (its start and redo point), walking back along
    /// xl_prev from the first record at the fork.
    func lastCheckpoint(before fork: LSN) throws -> (checkpoint: LSN, redo: LSN) {
        var position = try record(at: fork).previous
        while position.isValid {
            let record = try record(at: position)
            if let redo = try RecordFootprint(of: record).checkpointRedo { return (record.lsn, redo) }
            position = record.previous
        }
        throw ReplicationClientError("could not find a checkpoint record before the fork point \(fork) in the target's WAL")
    }

    /// Every page and file the target changed from `fork` to the end of its WAL.
    func changes(after fork: LSN) throws -> ChangedBlocks {
        var reader = try WALReader(directory: walDirectory, timeline: timeline, start: fork, segmentSize: segmentSize)
        var changes = ChangedBlocks()
        while let record = try reader.next() {
            changes.add(try RecordFootprint(of: record))
        }
        return changes
    }

    private func record(at lsn: LSN) throws -> WALRecord {
        let missing = { (why: String) in
            ReplicationClientError("could not find previous WAL record at \(lsn) on timeline \(self.timeline.value): \(why)",
                                   detail: "The target's pg_wal no longer holds the WAL back to its last checkpoint before the fork; re-clone it with minipg basebackup.")
        }
        var reader: WALReader
        do {
            reader = try WALReader(directory: walDirectory, timeline: timeline, start: lsn, segmentSize: segmentSize)
        } catch {
            throw missing("\(error)")
        }
        guard let record = try reader.next() else { throw missing(reader.stopReason.map { "\($0)" } ?? "end of WAL") }
        return record
    }
}
