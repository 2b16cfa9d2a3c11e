// Storage: backup_label — where redo of a base backup must start (PostgreSQL's backup_label file).
//
// A base backup copies the data files while the primary keeps writing, so they are only usable
// from the checkpoint taken when the backup began; pg_control, copied later, may name a newer one.
// BASE_BACKUP puts this text file in the backup:
//
//   START WAL LOCATION: 0/2000028 (file 000000010000000000000002)
//   CHECKPOINT LOCATION: 0/2000060
//   BACKUP METHOD: streamed
//   BACKUP FROM: primary
//   START TIME: 2026-11-29 23:50:00 UTC
//   LABEL: minipg basebackup
//   START TIMELINE: 1
//
// At startup the label overrides pg_control's checkpoint, redo point and timeline; pg_control is
// rewritten, then the label is renamed to backup_label.old (as PostgreSQL does), so a restart
// after that point starts from pg_control again. Text, without a checksum: the format is
// PostgreSQL's; a label that does not parse stops startup instead of being guessed at.
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import WAL

struct BackupLabel: Equatable {
    /// Redo starts here (START WAL LOCATION).
    var redoLSN: LSN
    var checkpointLSN: LSN
    var timeline: TimelineID

    static func path(dataDirectory: String) -> String { dataDirectory + "/backup_label" }

    init(redoLSN: LSN, checkpointLSN: LSN, timeline: TimelineID) {
        self.redoLSN = redoLSN
        self.checkpointLSN = checkpointLSN
        self.timeline = timeline
    }

    init(parsing text: String) throws {
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        func lsn(_ key: String) throws -> LSN {
            guard let value = fields[key], let lsn = LSN(parsing: String(value.prefix { $0 != " " })) else {
                throw StorageError(.invalidState, "invalid data in file \"backup_label\": \(key) is missing or malformed")
            }
            return lsn
        }
        redoLSN = try lsn("START WAL LOCATION")
        checkpointLSN = try lsn("CHECKPOINT LOCATION")
        timeline = TimelineID(fields["START TIMELINE"].flatMap { UInt32($0) } ?? TimelineID.first.value)
    }

    /// The label of a data directory, if it has one.
    static func read(dataDirectory: String) throws -> BackupLabel? {
        let path = path(dataDirectory: dataDirectory)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try BackupLabel(parsing: try String(contentsOfFile: path, encoding: .utf8))
    }

    /// After pg_control took the label's values: backup_label → backup_label.old.
    static func retire(dataDirectory: String) throws {
        let path = path(dataDirectory: dataDirectory)
        guard rename(path, path + ".old") == 0 else { throw StorageError.io("rename", path: path, errno: errno) }
        try syncDirectory(dataDirectory)
    }
}
