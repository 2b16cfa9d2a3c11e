// ReceivedHistoryFile: stores a `0000000N.history` file fetched from the primary with
// TIMELINE_HISTORY, in pg_wal/, the way PostgreSQL's walreceiver does (writeTimeLineHistoryFile):
// written under a temporary name, fsynced, renamed into place, directory fsynced — so a crash
// leaves either no file or the whole one. The content is the primary's bytes, unchanged.

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
        let target = directory + "/" + fileName
        let temporary = target + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw systemError("create", temporary) }
        var done = 0
        while done < content.count {
            let result = content.withUnsafeBytes {
                Glibc.write(descriptor, UnsafeRawBufferPointer(rebasing: $0[done...]).baseAddress, content.count - done)
            }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else {
                let error = systemError("write", temporary)
                close(descriptor)
                throw error
            }
            done += result
        }
        guard fsync(descriptor) == 0 else {
            let error = systemError("fsync", temporary)
            close(descriptor)
            throw error
        }
        close(descriptor)
        guard rename(temporary, target) == 0 else { throw systemError("rename", temporary) }
        let directoryDescriptor = open(directory, O_RDONLY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            _ = fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    private static func systemError(_ action: String, _ path: String) -> ReplicationClientError {
        ReplicationClientError("could not \(action) file \"\(path)\": \(String(cString: strerror(errno)))")
    }
}
