// ReceivedHistoryFile: stores a `0000000N.history` file fetched from the primary with
// TIMELINE_HISTORY, in pg_wal/, the way PostgreSQL's walreceiver does (writeTimeLineHistoryFile):
// written durably (DurableFile) — so a crash leaves either no file or the whole one. The content is the primary's bytes, unchanged.

import Glibc
import WAL

enum ReceivedHistoryFile {
    static func exists(directory: String, timeline: TimelineID) -> Bool {
        access(directory + "/" + WALFileName.history(timeline: timeline), F_OK) == 0
    }

    /// Writes `content` as the history file of `timeline`; `fileName` is the name the primary sent.
    static func write(directory: String, timeline: TimelineID, fileName: String, content: [UInt8]) throws {
        guard fileName == WALFileName.history(timeline: timeline) else {
            throw ReplicationClientError("primary reported unexpected file name for timeline history file of timeline \(timeline.value)",
                                         detail: "Got \"\(fileName)\".")
        }
        try DurableFile.write(content, to: directory + "/" + fileName)
    }
}
