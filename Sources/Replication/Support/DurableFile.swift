// DurableFile: replacing a small file so that a crash leaves either the old file or the whole new
// one — written under a temporary name, fsynced, renamed into place, and the directory fsynced
// (the rename itself is durable only then). Used for received history files and rewind's files
// (its marker, pg_control, backup_label).

import Glibc

enum DurableFile {
    static func write(_ content: [UInt8], to target: String) throws {
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
        try synchronizeDirectory(String(target[..<(target.lastIndex(of: "/") ?? target.startIndex)]))
    }

    static func synchronizeDirectory(_ directory: String) throws {
        let descriptor = open(directory.isEmpty ? "." : directory, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw systemError("open directory", directory) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw systemError("fsync directory", directory) }
    }

    private static func systemError(_ action: String, _ path: String) -> ReplicationClientError {
        ReplicationClientError("could not \(action) \"\(path)\": \(String(cString: strerror(errno)))")
    }
}
