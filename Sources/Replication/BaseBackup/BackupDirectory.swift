// BackupDirectory: the target of a base backup — it must be empty or not exist yet (pg_basebackup's
// rule and message), is created with mode 0700 like a data directory, and is fsynced as a whole
// (every directory, so that the names of the extracted files are durable too) when the clone is done.

import Foundation
import Glibc

enum BackupDirectory {
    /// Creates `path` (and missing parents) or accepts an existing empty directory.
    static func prepareEmpty(_ path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw ReplicationClientError("could not access directory \"\(path)\": Not a directory")
            }
            guard try FileManager.default.contentsOfDirectory(atPath: path).isEmpty else {
                throw ReplicationClientError("directory \"\(path)\" exists but is not empty")
            }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw ReplicationClientError("could not create directory \"\(path)\": \(error.localizedDescription)")
        }
    }

    /// fsyncs every directory under `path` (files were fsynced as they were written).
    static func synchronize(_ path: String) throws {
        var directories = [path]
        if let enumerator = FileManager.default.enumerator(atPath: path) {
            while let relative = enumerator.nextObject() as? String {
                if (enumerator.fileAttributes?[.type] as? FileAttributeType) == .typeDirectory {
                    directories.append(path + "/" + relative)
                }
            }
        }
        for directory in directories {
            let descriptor = open(directory, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { continue }
            defer { close(descriptor) }
            guard fsync(descriptor) == 0 else {
                throw ReplicationClientError("could not fsync directory \"\(directory)\": \(String(cString: strerror(errno)))")
            }
        }
    }
}
