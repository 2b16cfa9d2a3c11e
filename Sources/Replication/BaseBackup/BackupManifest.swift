// BackupManifest: the backup_manifest a base backup ends with (PostgreSQL 15's format, version 1),
// what pg_verifybackup checks a copy against:
//
//   { "PostgreSQL-Backup-Manifest-Version": 1,
//   "Files": [
//   { "Path": "backup_label", "Size": 224, "Last-Modified": "2026-11-29 23:40:00 GMT", "Checksum-Algorithm": "CRC32C", "Checksum": "1a2b3c4d" },
//   ...
//   ],
//   "WAL-Ranges": [
//   { "Timeline": 1, "Start-LSN": "0/2000028", "End-LSN": "0/2000100" }
//   ],
//   "Manifest-Checksum": "<SHA-256 of everything before this line, hex>"}
//
// A CRC-32C is written as its four bytes in memory order (little-endian), hex, as PostgreSQL does.

#if canImport(Glibc)
import Glibc
#endif
import PGWire
import WAL

struct BackupManifest {
    struct File {
        var path: String
        var size: Int
        var modificationTime: Int
        var crc: UInt32
    }

    var files: [File]
    var timeline: TimelineID
    var start: LSN
    var end: LSN

    func text() -> [UInt8] {
        var body = "{ \"PostgreSQL-Backup-Manifest-Version\": 1,\n\"Files\": [\n"
        body += files.map { file in
            "{ \"Path\": \"\(Self.escape(file.path))\", \"Size\": \(file.size), \"Last-Modified\": \"\(Self.gmt(file.modificationTime))\", "
                + "\"Checksum-Algorithm\": \"CRC32C\", \"Checksum\": \"\(Self.hex(file.crc))\" }"
        }.joined(separator: ",\n")
        body += "\n],\n\"WAL-Ranges\": [\n{ \"Timeline\": \(timeline.value), \"Start-LSN\": \"\(start)\", \"End-LSN\": \"\(end)\" }\n],\n"
        let checksum = SHA256Digest.hex(Array(body.utf8))
        return Array((body + "\"Manifest-Checksum\": \"\(checksum)\"}\n").utf8)
    }

    private static func hex(_ crc: UInt32) -> String {
        (0..<4).map { index -> String in
            let byte = UInt8(truncatingIfNeeded: crc >> UInt32(8 * index))
            return (byte < 16 ? "0" : "") + String(byte, radix: 16)
        }.joined()
    }

    private static func gmt(_ seconds: Int) -> String { utcTime(seconds, zoneName: "GMT") }

    /// `2026-11-29 23:40:00 <zoneName>` for a Unix time (backup_label says UTC, the manifest GMT).
    static func utcTime(_ seconds: Int, zoneName: String) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        var buffer = [Int8](repeating: 0, count: 64)
        let length = strftime(&buffer, buffer.count, "%Y-%m-%d %H:%M:%S " + zoneName, &parts)
        return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}
