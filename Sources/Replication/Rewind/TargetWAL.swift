// TargetWAL: the reads rewind makes in the target's own pg_wal/ (pg_rewind's parsexlog.c):
//
//   end of WAL           forward from the control file's checkpoint record to the end of valid WAL
//   last common          backward from the fork along xl_prev until a checkpoint record: the target
//   checkpoint           wrote it before the fork, so the source has it too, and every page change
//                        before its redo point is in both servers' relation files (nil when the
//                        target's own later checkpoints removed those segments)
//   changes after fork   forward from the fork to the end of WAL, every record's footprint
//                        (Storage's RecordFootprint): the pages and files the target changed that
//                        the source never saw
//
//       redo      checkpoint          fork                          end of target WAL
//   ────┼────────────┼────────────────┼───────────────────────────────────┤
//                                      └── changes collected (ChangedBlocks)
//
// Records are read only on the target's timeline. Both walks are bounded by what pg_wal still
// holds: without the WAL from the fork on, what the target changed cannot be known and rewind is
// impossible (it says so); without the WAL before the fork, replay starts at the fork itself.

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
    /// xl_prev from the first record at the fork; nil if the WAL runs out first.
    func lastCheckpoint(before fork: LSN) throws -> (checkpoint: LSN, redo: LSN)? {
        guard var position = try record(at: fork)?.previous else {
            throw ReplicationClientError("the target's WAL at the fork point \(fork) on timeline \(timeline.value) is gone, so what it changed after the fork cannot be known",
                                         detail: "Its own checkpoints removed the segment \(WALFileName.segment(containing: fork, timeline: timeline, segmentSize: segmentSize)). Re-clone it with minipg basebackup; keep more WAL (wal_keep_size) to rewind next time.")
        }
        while position.isValid, let record = try record(at: position) {
            if let redo = try RecordFootprint(of: record).checkpointRedo { return (record.lsn, redo) }
            position = record.previous
        }
        return nil
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

    /// The record at `lsn`; nil if its segment is no longer in pg_wal.
    private func record(at lsn: LSN) throws -> WALRecord? {
        var reader: WALReader
        do {
            reader = try WALReader(directory: walDirectory, timeline: timeline, start: lsn, segmentSize: segmentSize)
        } catch let error as WALError where error.kind == .io {
            return nil
        }
        guard let record = try reader.next() else {
            throw ReplicationClientError("could not read WAL record at \(lsn) on timeline \(timeline.value): "
                                         + (reader.stopReason.map { "\($0)" } ?? "end of WAL"))
        }
        return record
    }
}
