// RewindMarker: the `rewind_in_progress` file — written (and fsynced) before rewind changes anything
// in the target directory, removed (and the removal fsynced) after the last change. While it
// exists the directory is half old primary, half new primary: the server refuses to start on it
// ("rewind did not finish; run minipg rewind again"), and the next `minipg rewind` reads the plan
// from it instead of from the target's pg_control and WAL, which the interrupted run may already
// have replaced.
//
//   minipg rewind in progress
//   system identifier: 7441234567890123456
//   target timeline: 1
//   fork point: 0/3000158
//   last common checkpoint: 0/2000060
//   redo: 0/2000028
//   crc32c: 8F0A22C1                 ← CRC32C of every byte above this line, 8 hex digits
//
// Text so that a person can see what is going on; the checksum makes a torn or edited file an
// error rather than a plan.

import Foundation
import WAL

public struct RewindPlan: Sendable, Equatable {
    public var systemIdentifier: UInt64
    /// The target's timeline, which the source's history ended at `fork`.
    public var targetTimeline: TimelineID
    /// The first WAL byte the two servers do not share.
    public var fork: LSN
    /// The newest checkpoint record of the target before the fork, and its redo point: replay of
    /// the rewound directory starts there.
    public var lastCommonCheckpoint: LSN
    public var redo: LSN

    public init(systemIdentifier: UInt64, targetTimeline: TimelineID, fork: LSN, lastCommonCheckpoint: LSN, redo: LSN) {
        self.systemIdentifier = systemIdentifier
        self.targetTimeline = targetTimeline
        self.fork = fork
        self.lastCommonCheckpoint = lastCommonCheckpoint
        self.redo = redo
    }
}

public enum RewindMarker {
    public static let fileName = "rewind_in_progress"
    static let title = "minipg rewind in progress"

    static func path(_ dataDirectory: String) -> String { dataDirectory + "/" + fileName }

    public static func exists(in dataDirectory: String) -> Bool {
        FileManager.default.fileExists(atPath: path(dataDirectory))
    }

    static func encode(_ plan: RewindPlan) -> String {
        let body = """
            \(title)
            system identifier: \(plan.systemIdentifier)
            target timeline: \(plan.targetTimeline.value)
            fork point: \(plan.fork)
            last common checkpoint: \(plan.lastCommonCheckpoint)
            redo: \(plan.redo)

            """
        return body + "crc32c: " + hex8(CRC32C.checksum(Array(body.utf8))) + "\n"
    }

    static func decode(_ text: String) throws -> RewindPlan {
        guard let crcLine = text.range(of: "crc32c: ", options: .backwards) else {
            throw ReplicationClientError("invalid \(fileName) file: its checksum line is missing")
        }
        let body = String(text[..<crcLine.lowerBound])
        let stored = text[crcLine.upperBound...].trimmingCharacters(in: .whitespacesAndNewlines)
        guard stored == hex8(CRC32C.checksum(Array(body.utf8))) else {
            throw ReplicationClientError("invalid \(fileName) file: incorrect checksum")
        }
        var fields: [String: String] = [:]
        for line in body.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        guard body.hasPrefix(title + "\n"),
              let system = fields["system identifier"].flatMap(UInt64.init),
              let timeline = fields["target timeline"].flatMap(UInt32.init),
              let fork = fields["fork point"].flatMap(LSN.init(parsing:)),
              let checkpoint = fields["last common checkpoint"].flatMap(LSN.init(parsing:)),
              let redo = fields["redo"].flatMap(LSN.init(parsing:))
        else { throw ReplicationClientError("invalid \(fileName) file: a field is missing or malformed") }
        return RewindPlan(systemIdentifier: system, targetTimeline: TimelineID(timeline), fork: fork,
                          lastCommonCheckpoint: checkpoint, redo: redo)
    }

    /// The plan of an interrupted rewind, if the directory has one.
    static func read(_ dataDirectory: String) throws -> RewindPlan? {
        guard exists(in: dataDirectory) else { return nil }
        return try decode(try String(contentsOfFile: path(dataDirectory), encoding: .utf8))
    }

    /// Writes the marker durably (temporary file, fsync, rename, directory fsync).
    static func write(_ plan: RewindPlan, dataDirectory: String) throws {
        try DurableFile.write(Array(encode(plan).utf8), to: path(dataDirectory))
    }

    /// The last step of a rewind: the directory is whole again.
    static func remove(dataDirectory: String) throws {
        guard unlink(path(dataDirectory)) == 0 || errno == ENOENT else {
            throw ReplicationClientError("could not remove file \"\(path(dataDirectory))\": \(String(cString: strerror(errno)))")
        }
        try DurableFile.synchronizeDirectory(dataDirectory)
    }

    private static func hex8(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}
